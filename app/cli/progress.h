// SPDX-License-Identifier: MIT
// A one-line progress indicator on stderr, drawn only when stderr is a terminal so logs and
// scripted runs stay clean.
#pragma once

#include <string>

namespace cachelens::cli {

class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  ~ProgressLine();
  void update(double fraction, const std::string& detail = "");

 private:
  std::string label_;
  bool active_ = false;
  int last_percent_ = -1;
};

}  // namespace cachelens::cli

// SPDX-License-Identifier: MIT
#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace cachelens::cli {

ProgressLine::ProgressLine(std::string label)
    : label_(std::move(label)), active_(::isatty(2) != 0) {}

ProgressLine::~ProgressLine() {
  if (active_ && last_percent_ >= 0) std::fputs("\n", stderr);
}

void ProgressLine::update(double fraction, const std::string& detail) {
  if (!active_) return;
  const int percent = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100.0);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  const int width = 30, filled = percent * width / 100;
  std::fprintf(stderr, "\r%s [%s%s] %3d%% %s\x1b[K", label_.c_str(),
               std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), percent,
               detail.c_str());
  std::fflush(stderr);
}

}  // namespace cachelens::cli

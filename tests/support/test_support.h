// SPDX-License-Identifier: MIT
// Shared helpers for the test suites: scratch folders and paths to the source tree and the CLI.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cachelens/image.h"

namespace cachelens::test {

// A fresh empty folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::filesystem::path source_dir();  // the repository root
std::filesystem::path cli_path();    // <build>/bin/cachelens-cli

// The message of the cachelens::Error that `action` throws, or "<no error>".
std::string error_message(const std::function<void()>& action);
// Checks that `action` throws cachelens::Error and that its message holds every part.
void expect_error(const std::function<void()>& action, const std::vector<std::string>& parts);

// A deterministic RGB test pattern (gradient, xor texture, stripes); the same as pattern() in
// scripts/gen_image_reference.py, which made the Pillow reference values.
Image pattern_image(int width, int height);

// Runs a shell command, returns its exit status; stdout+stderr go to `output`.
int run_command(const std::string& command, std::string* output);

}  // namespace cachelens::test

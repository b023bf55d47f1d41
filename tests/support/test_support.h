// SPDX-License-Identifier: MIT
// Shared helpers for the test suites: scratch folders and paths to the source tree and the CLI.
#pragma once

#include <filesystem>
#include <string>

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

// Runs a shell command, returns its exit status; stdout+stderr go to `output`.
int run_command(const std::string& command, std::string* output);

}  // namespace cachelens::test

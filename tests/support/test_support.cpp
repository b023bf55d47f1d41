// SPDX-License-Identifier: MIT
#include "test_support.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace cachelens::test {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  const auto name = "cachelens-test-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter++) + "-" + std::to_string(rd());
  path_ = std::filesystem::temp_directory_path() / name;
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path source_dir() { return CACHELENS_SOURCE_DIR; }
std::filesystem::path cli_path() { return CACHELENS_CLI_PATH; }

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buffer{};
  std::string text;
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) text.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace cachelens::test

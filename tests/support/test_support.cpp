// SPDX-License-Identifier: MIT
#include "test_support.h"

#include <gtest/gtest.h>

#include "cachelens/error.h"

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <random>
#include <stdexcept>

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

std::filesystem::path source_dir() {
  return CACHELENS_SOURCE_DIR;
}
std::filesystem::path cli_path() {
  return CACHELENS_CLI_PATH;
}

std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

void expect_error(const std::function<void()>& action, const std::vector<std::string>& parts) {
  const std::string message = error_message(action);
  EXPECT_NE(message, "<no error>") << "expected cachelens::Error";
  for (const auto& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
  }
}

Image pattern_image(int w, int h) {
  Image im;
  im.width = w;
  im.height = h;
  im.rgb.resize(size_t(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &im.rgb[(size_t(y) * w + x) * 3];
      p[0] = uint8_t(x * 255 / std::max(w - 1, 1));
      p[1] = uint8_t(((x * 7 + y * 13) ^ (x * y)) & 255);
      p[2] = ((x / 3 + y / 2) % 2) ? 255 : 0;
    }
  }
  return im;
}

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

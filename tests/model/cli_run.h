// SPDX-License-Identifier: MIT
// Running cachelens-cli from a test: the exit status and merged output, the JSON document in it,
// and the one-line error every bad input must give.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "test_support.h"

namespace cachelens::test {

struct Run {
  int status;
  std::string output;
};

inline Run cli(const std::string& args) {
  Run r;
  r.status = run_command(cli_path().string() + " " + args, &r.output);
  return r;
}

// The JSON document of an output that may also hold progress lines (stderr is merged in).
inline nlohmann::json json_in(const std::string& output) {
  return nlohmann::json::parse(output.substr(output.find("\n{") + 1));
}

// One line of error, no backtrace, no crash.
inline void expect_clean_error(const Run& r, const std::string& fragment) {
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, testing::HasSubstr(fragment));
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_THAT(r.output, testing::StartsWith("cachelens-cli: error: "));
}

}  // namespace cachelens::test

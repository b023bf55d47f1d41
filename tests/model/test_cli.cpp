// SPDX-License-Identifier: MIT
// cachelens-cli as a user runs it: make-test-model then generate, and one clear line (exit 1)
// for every kind of bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "test_support.h"

using cachelens::test::cli_path;
using cachelens::test::run_command;
using cachelens::test::source_dir;
using testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

struct Run {
  int status;
  std::string output;
};

Run cli(const std::string& args) {
  Run r;
  r.status = run_command(cli_path().string() + " " + args, &r.output);
  return r;
}

class CliTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new cachelens::test::TempDir();
    const auto made = cli("make-test-model --preset tiny --seed 3 --out " + model().string());
    ASSERT_EQ(made.status, 0) << made.output;
  }
  static void TearDownTestSuite() { delete dir_; }
  static fs::path model() { return dir_->path() / "tiny"; }
  static std::string sample(const char* name) {
    return (source_dir() / "resources/samples" / name).string();
  }
  static std::string base() {
    return "generate --model " + model().string() + " --image " + sample("shapes.png") +
           " --gen-length 16 --block-length 8 --steps 8";
  }
  static inline cachelens::test::TempDir* dir_ = nullptr;
};

// One line of error, no backtrace, no crash.
void expect_clean_error(const Run& r, const std::string& fragment) {
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr(fragment));
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_THAT(r.output, testing::StartsWith("cachelens-cli: error: "));
}

}  // namespace

TEST_F(CliTest, GenerateJsonHasTheDocumentedFieldsAndIsDeterministic) {
  const auto a = cli(base() + " --prompt 'What colour is the circle?' --json");
  ASSERT_EQ(a.status, 0) << a.output;
  const auto json = nlohmann::json::parse(a.output);
  for (const char* key :
       {"answer", "token_ids", "steps", "nfe", "wall_ms", "tokens_per_s", "device"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["device"], "cpu");
  EXPECT_EQ(json["steps"], 8);
  const auto b = cli(base() + " --prompt 'What colour is the circle?' --json");
  EXPECT_EQ(nlohmann::json::parse(b.output)["token_ids"], json["token_ids"]);
  // Plain output is the answer text.
  const auto plain = cli(base() + " --prompt 'What colour is the circle?'");
  ASSERT_EQ(plain.status, 0);
  EXPECT_EQ(plain.output, json["answer"].get<std::string>() + "\n");
}

TEST_F(CliTest, JpegAndTextOnlyWork) {
  const auto jpeg =
      cli("generate --model " + model().string() + " --image " + sample("night.jpg") +
          " --prompt 'Which shape is yellow?' --gen-length 8 --block-length 8 --steps 4 --json");
  ASSERT_EQ(jpeg.status, 0) << jpeg.output;
  EXPECT_GT(nlohmann::json::parse(jpeg.output)["image_tokens"].get<int>(), 0);
  const auto text =
      cli("generate --model " + model().string() +
          " --prompt 'Say hi' --gen-length 8 --block-length 8 --steps 8 --unmask threshold --json");
  ASSERT_EQ(text.status, 0) << text.output;
  EXPECT_EQ(nlohmann::json::parse(text.output)["image_tokens"], 0);
}

TEST_F(CliTest, BadInputGivesOneClearLine) {
  expect_clean_error(cli("generate --model /nonexistent/model --prompt hi"), "/nonexistent/model");
  expect_clean_error(cli(base() + " --prompt ''"), "prompt is empty");
  expect_clean_error(
      cli("generate --model " + model().string() + " --image /nonexistent.png --prompt hi"),
      "/nonexistent.png");
  const fs::path garbage = dir_->path() / "garbage.png";
  std::ofstream(garbage) << "this is not an image";
  expect_clean_error(
      cli("generate --model " + model().string() + " --image " + garbage.string() + " --prompt hi"),
      "garbage.png");
  expect_clean_error(cli(base() + " --prompt hi --gen-length 20"), "not divisible by block length");
  expect_clean_error(cli(base() + " --prompt hi --steps 7"),
                     "not divisible by the number of blocks");
  expect_clean_error(cli(base() + " --prompt hi --gen-length abc"),
                     "--gen-length expects an integer");
  expect_clean_error(cli(base() + " --prompt hi --unmask greedy"),
                     "fixed, threshold, factor, random");
  expect_clean_error(cli(base() + " --prompt hi --bogus 1"), "unknown option '--bogus'");
  expect_clean_error(cli("generate --model " + model().string()), "--prompt");
  expect_clean_error(
      cli("make-test-model --out " + (dir_->path() / "x").string() + " --preset huge"),
      "tiny, small, lladav-8b");
}

TEST_F(CliTest, CudaWithoutCudaIsAnErrorNotAFallback) {
  const auto r = cli(base() + " --prompt hi --device cuda");
  if (r.status == 0) GTEST_SKIP() << "this machine has CUDA";
  expect_clean_error(r, "CUDA is not available");
}

// SPDX-License-Identifier: MIT
// cachelens-cli as a user runs it: make-test-model then generate, and one clear line (exit 1)
// for every kind of bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "cachelens/strategy.h"
#include "cachelens/trace.h"
#include "cli_run.h"
#include "test_support.h"

using cachelens::test::cli;
using cachelens::test::cli_path;
using cachelens::test::expect_clean_error;
using cachelens::test::json_in;
using cachelens::test::Run;
using cachelens::test::run_command;
using cachelens::test::source_dir;
using testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

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

TEST_F(CliTest, TrainOptionMistakesAreOneClearLine) {
  const auto train = "train --train " + (dir_->path() / "none.jsonl").string() + " --out " +
                     (dir_->path() / "never").string();
  for (const char* bad :
       {"colour", "colour=", "=2", "colour=two", "colour=2x", "colour=99999999999999999999"}) {
    expect_clean_error(
        cli(train + " --repeat-family " + bad),
        "--repeat-family expects FAMILY=N (e.g. colour=2), got '" + std::string(bad) + "'");
  }
  EXPECT_FALSE(fs::exists(dir_->path() / "never"));
}

TEST_F(CliTest, CudaWithoutCudaIsAnErrorNotAFallback) {
  const auto r = cli(base() + " --prompt hi --device cuda");
  if (r.status == 0) GTEST_SKIP() << "this machine has CUDA";
  expect_clean_error(r, "CUDA is not available");
}

TEST_F(CliTest, CompareRunsEveryStrategyAndCachedOnesRecomputeLess) {
  const std::string args = "compare --model " + model().string() + " --image " +
                           sample("shapes.png") +
                           " --prompt 'What colour is the circle?' --gen-length 16"
                           " --block-length 8 --steps 8 --strategies all";
  const auto table = cli(args);
  ASSERT_EQ(table.status, 0) << table.output;
  for (const auto& info : cachelens::strategy_catalog()) {
    EXPECT_THAT(table.output, HasSubstr(info.name + " ")) << info.name;
  }
  EXPECT_THAT(table.output, HasSubstr("speedup"));
  EXPECT_THAT(table.output, HasSubstr("agree%"));

  const auto json = cli(args + " --json");
  ASSERT_EQ(json.status, 0) << json.output;
  const auto out = json_in(json.output);
  std::set<std::string> seen;
  for (const auto& run : out.at("runs")) {
    const std::string name = run.at("strategy");
    seen.insert(name);
    const double fraction = run.at("recompute_fraction");
    if (name == "none") {
      EXPECT_EQ(fraction, 1.0);
      EXPECT_EQ(run.at("exact_match"), true);
      EXPECT_EQ(run.at("token_agreement"), 1.0);
    } else {
      EXPECT_LT(fraction, 1.0) << name;
    }
    if (name == "dkv-greedy") EXPECT_EQ(run.at("unmask"), "random");
  }
  EXPECT_EQ(seen.size(), cachelens::strategy_catalog().size());
}

TEST_F(CliTest, GenerateWithAStrategyWritesATraceThatLoadsBack) {
  const auto trace_file = dir_->path() / "elastic.json";
  const auto r = cli(base() +
                     " --prompt 'Which shape is red?' --unmask threshold --strategy "
                     "elastic --set gamma=0.5 --set window=4 --trace " +
                     trace_file.string() + " --json");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto out = nlohmann::json::parse(r.output);
  EXPECT_EQ(out.at("strategy"), "elastic");
  const auto trace = cachelens::load_trace(trace_file);
  EXPECT_EQ(trace.settings.strategy.name, "elastic");
  EXPECT_EQ(trace.settings.strategy.values.at("gamma"), "0.5");
  EXPECT_EQ(trace.settings.strategy.values.at("track_num"), "1");  // defaults are recorded too
  EXPECT_EQ(static_cast<int64_t>(trace.events.size()), out.at("steps").get<int64_t>());
  EXPECT_EQ(trace.summary.token_ids, out.at("token_ids").get<std::vector<int32_t>>());
  EXPECT_EQ(trace.events.back()->cells.layers(), trace.input.num_layers);
}

TEST_F(CliTest, BenchReportsEveryStrategyAgainstNone) {
  const auto r = cli("bench --model " + model().string() + " --image " + sample("shapes.png") +
                     " --gen-length 16 --block-length 8 --steps 8 --strategies fast-dllm-dual,"
                     "dkv-greedy --repeat 2 --warmup 0 --json");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto out = json_in(r.output);
  std::vector<std::string> rows;
  for (const auto& row : out.at("rows")) {
    rows.push_back(row.at("strategy").get<std::string>() + "/" +
                   row.at("unmask").get<std::string>());
    const auto& ms = row.at("ms_per_step");
    EXPECT_LE(ms.at("min").get<double>(), ms.at("median").get<double>());
    EXPECT_LE(ms.at("median").get<double>(), ms.at("max").get<double>());
    EXPECT_GT(row.at("speedup_ms_per_step").get<double>(), 0.0);
  }
  // A `none` reference for each rule in use, first.
  EXPECT_EQ(rows, (std::vector<std::string>{"none/fixed", "none/random", "fast-dllm-dual/fixed",
                                            "dkv-greedy/random"}));
}

// Random weights of a preset's shapes, a synthetic image of a given size, the device's rates and
// the split into full and reuse steps: the pieces of the GPU benchmark, here on the CPU.
TEST_F(CliTest, BenchOnRandomWeightsSplitsFullAndReuseSteps) {
  const auto r =
      cli("bench --random-weights --preset tiny --image-size 120x90 --gen-length 16 "
          "--block-length 8 --steps 8 --strategies fast-dllm-dual --repeat 1 --warmup 0 --floor "
          "--json");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto out = json_in(r.output);
  EXPECT_TRUE(out.at("random_weights").get<bool>());
  EXPECT_EQ(out.at("device_name"), "cpu");
  EXPECT_GT(out.at("image_rows").get<int64_t>(), 0);
  EXPECT_GT(out.at("prompt_rows").get<int64_t>(), out.at("image_rows").get<int64_t>());
  EXPECT_GT(out.at("copy_bytes_per_s").get<double>(), 0.0);
  EXPECT_GT(out.at("floor_ms").get<double>(), 0.0);
  ASSERT_EQ(out.at("rows").size(), 2u);
  const auto& none = out.at("rows")[0];
  const auto& dual = out.at("rows")[1];
  // The stop token is banned: 16 tokens in 8 steps, 2 per step, whatever the random model says.
  EXPECT_EQ(none.at("steps"), 8);
  EXPECT_EQ(none.at("full_steps"), 8);
  EXPECT_EQ(none.at("reuse_steps"), 0);
  // Dual refreshes at each block's first step (2 blocks of 4 steps) and reuses in between.
  EXPECT_EQ(dual.at("full_steps"), 2);
  EXPECT_EQ(dual.at("reuse_steps"), 6);
  EXPECT_GT(dual.at("reuse_step_over_floor").get<double>(), 0.0);
  expect_clean_error(
      cli("bench --random-weights --model " + model().string() + " --strategies none"),
      "--random-weights and --model exclude each other");
  expect_clean_error(cli("bench --random-weights --preset tiny --image-size 12 --strategies none"),
                     "--image-size expects WxH");
}

TEST_F(CliTest, StrategyMistakesAreOneClearLine) {
  expect_clean_error(cli(base() + " --prompt hi --strategy fast-dllm"),
                     "unknown strategy 'fast-dllm' (allowed: none, fast-dllm-prefix");
  expect_clean_error(cli(base() + " --prompt hi --strategy elastic --set gamma=2"),
                     "gamma=2 is invalid (expected a number in [0, 1])");
  expect_clean_error(cli(base() + " --prompt hi --strategy elastic --set window=0"),
                     "window=0 is invalid");
  expect_clean_error(cli(base() + " --prompt hi --strategy dkv-greedy"),
                     "dkv-greedy is not defined for --unmask fixed (it needs: random)");
  expect_clean_error(cli("compare --model " + model().string() +
                         " --prompt hi --strategies none,elastic --set windw=3"),
                     "--set windw: none of the compared strategies has this parameter");
  const auto list = cli("strategies");
  EXPECT_EQ(list.status, 0);
  EXPECT_THAT(list.output, HasSubstr("--set gamma=0.9"));
}

// SPDX-License-Identifier: MIT
// cachelens-cli trace show on traces written with save_trace: the header, one line per step, the
// per-layer bars, and one clear error line for a missing file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include "cachelens/trace.h"
#include "test_support.h"

namespace cachelens {
namespace {

using cachelens::test::cli_path;
using cachelens::test::run_command;
using testing::HasSubstr;
using testing::Not;
using S = CellState;

struct CliRun {
  int status;
  std::string output;
};

CliRun cli(const std::string& args) {
  CliRun r;
  r.status = run_command(cli_path().string() + " " + args, &r.output);
  return r;
}

// Two steps over 12 positions and 2 layers, every cell state present.
Trace small_trace() {
  Trace t;
  t.input.model = "tiny";
  t.input.prompt = "What colour is the circle?";
  t.input.prompt_length = 8;
  t.input.length = 12;
  t.input.num_layers = 2;
  t.input.mask_id = 126336;
  t.input.device = "cpu";
  t.input.dtype = "fp32";
  t.settings.decode.gen_length = 4;
  t.settings.decode.block_length = 2;
  t.settings.decode.steps = 2;
  t.settings.strategy.name = "elastic-cache";
  t.settings.strategy.values = {{"gamma", "0.9"}};

  auto first = std::make_shared<StepEvent>();
  first->step = 0;
  first->block = 0;
  first->decoded_positions = {1, 0};
  first->decoded_tokens = {4711, 815};
  first->decoded_confidences = {0.875, 0.5};
  first->cells = RecomputeMap(2, 12);
  first->cells.set_runs(
      0, {{S::NotComputed, 2}, {S::Recomputed, 4}, {S::Reused, 3}, {S::OffWindow, 3}});
  first->cells.set_runs(1, {{S::Partial, 6}, {S::Recomputed, 6}});
  first->drift = {0.25, std::numeric_limits<double>::quiet_NaN()};
  first->boundary_layer = 1;
  first->refresh = true;
  first->recomputed_cells = 10;
  first->partial_cells = 6;
  first->total_cells = 24;
  first->step_ms = 12.5;

  auto second = std::make_shared<StepEvent>();
  second->step = 1;
  second->block = 1;
  second->decoded_positions = {2};
  second->decoded_tokens = {99};
  second->decoded_confidences = {0.25};
  second->cells = RecomputeMap(2, 12);
  second->cells.set_runs(0, {{S::Reused, 12}});
  second->cells.set_runs(1, {{S::Reused, 10}, {S::Recomputed, 2}});
  second->drift = {std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::quiet_NaN()};
  second->recomputed_cells = 2;
  second->total_cells = 24;
  second->step_ms = 3.0;
  t.events = {first, second};

  t.summary.answer = "A red circle.";
  t.summary.steps = 2;
  t.summary.nfe = 2;
  t.summary.tokens_per_s = 80.0;
  t.summary.ms_per_step = 7.75;
  t.summary.recompute_fraction = 18.0 / 48.0;
  t.summary.baseline.present = true;
  t.summary.baseline.speedup = 2.5;
  t.summary.baseline.token_agreement = 0.75;
  return t;
}

TEST(TraceCli, ShowPrintsTheHeaderStepsAndLayerBars) {
  test::TempDir dir;
  const auto file = dir / "run.json";
  save_trace(file, small_trace());
  const CliRun r = cli("trace show " + file.string() + " --layers");
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string& out = r.output;
  EXPECT_THAT(out, HasSubstr("answer     A red circle."));
  EXPECT_THAT(out, HasSubstr("model      tiny"));
  EXPECT_THAT(out, HasSubstr("elastic-cache (gamma=0.9)"));
  EXPECT_THAT(out, HasSubstr("80.00 tokens/s, 7.75 ms/step, 2 steps, 2 NFE"));
  EXPECT_THAT(out, HasSubstr("recomputed 37.5% of layer-rows"));
  EXPECT_THAT(out, HasSubstr("2.50x speedup, 75.0% token agreement"));
  // Step lines: (10 + 6) / 24 layer-rows = 66.7%, then 2 / 24 = 8.3%.
  EXPECT_THAT(out, HasSubstr("step 0  block 0     12.50 ms  recomputed  66.7%  refresh  boundary L1"
                             "  decoded 1:4711(0.875) 0:815(0.500)\n"));
  EXPECT_THAT(out,
              HasSubstr("step 1  block 1      3.00 ms  recomputed   8.3%  decoded 2:99(0.250)\n"));
  // Layer bars: one character per position (12 <= 64), drift only where measured.
  EXPECT_THAT(out, HasSubstr("    L0  33.3% |  ####...~~~| drift 0.25\n"));
  EXPECT_THAT(out, HasSubstr("    L1 100.0% |++++++######|\n"));
  EXPECT_THAT(out, HasSubstr("    L0   0.0% |............|\n"));
  EXPECT_THAT(out, HasSubstr("    L1  16.7% |..........##|\n"));

  // Without --layers there are no bars; --max-steps cuts the list.
  const CliRun short_run = cli("trace show " + file.string() + " --max-steps 1");
  ASSERT_EQ(short_run.status, 0) << short_run.output;
  EXPECT_THAT(short_run.output, HasSubstr("step 0 "));
  EXPECT_THAT(short_run.output, Not(HasSubstr("step 1 ")));
  EXPECT_THAT(short_run.output, Not(HasSubstr("|")));
  EXPECT_THAT(short_run.output, HasSubstr("... 1 more steps"));
}

TEST(TraceCli, WideRowsAreBucketedIntoAtMost64Characters) {
  Trace t = small_trace();
  auto e = std::make_shared<StepEvent>(*t.events[0]);
  e->cells = RecomputeMap(1, 200);
  // 100 recomputed then 100 reused: 64 buckets of 3 or 4 positions, 32 of each.
  e->cells.set_runs(0, {{S::Recomputed, 100}, {S::Reused, 100}});
  e->drift = {};
  t.events = {e};
  test::TempDir dir;
  save_trace(dir / "wide.json", t);
  const CliRun r = cli("trace show " + (dir / "wide.json").string() + " --layers");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("L0  50.0% |" + std::string(32, '#') + std::string(32, '.') + "|\n"));
}

TEST(TraceCli, HelpAndErrors) {
  const CliRun help = cli("trace show --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.output, HasSubstr("--layers"));
  EXPECT_THAT(help.output, HasSubstr("--max-steps"));
  EXPECT_THAT(cli("--help").output, HasSubstr("trace "));

  test::TempDir dir;
  const auto missing = dir / "nowhere.json";
  const CliRun r = cli("trace show " + missing.string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, testing::StartsWith("cachelens-cli: error: "));
  EXPECT_THAT(r.output, HasSubstr(missing.string()));
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;

  const CliRun bad_sub = cli("trace list");
  EXPECT_EQ(bad_sub.status, 1);
  EXPECT_THAT(bad_sub.output, HasSubstr("unknown trace subcommand 'list'"));
  const CliRun bad_option = cli("trace show " + missing.string() + " --bars");
  EXPECT_EQ(bad_option.status, 1);
  EXPECT_THAT(bad_option.output, HasSubstr("unknown option '--bars'"));
}

}  // namespace
}  // namespace cachelens

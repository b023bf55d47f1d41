// SPDX-License-Identifier: MIT
// Cache strategies end to end on a generated tiny model: each one's exact degenerate setting
// reproduces `none` token for token, and each step's recompute map is what the strategy's rules
// say (cache-strategies.md §7), checked cell by cell from the trace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "test_model_support.h"

using namespace cachelens;
using testing::HasSubstr;

namespace {

Session& tiny() {
  static auto session = Session::load(test::generated_model("tiny"));
  return *session;
}

GenerateRequest request(const std::string& strategy, UnmaskRule rule, int64_t gen = 16,
                        int64_t block = 8, int64_t steps = 8) {
  GenerateRequest r;
  r.prompt = "What colour is the circle?";
  r.image_path = test::source_dir() / "resources/samples/shapes.png";
  r.decode.gen_length = gen;
  r.decode.block_length = block;
  r.decode.steps = steps;
  r.decode.rule = rule;
  r.decode.threshold = 0.05;  // the random model is unsure: several tokens per step still happen
  r.decode.factor = 3.0;
  r.strategy.name = strategy;
  return r;
}

// What the rules need to know about each step, rebuilt from the trace alone.
struct StepView {
  const StepEvent& event;
  std::vector<uint8_t> masked;     // absolute, at the start of the step
  std::set<int64_t> decoded_last;  // absolute, decoded by the previous step
  std::set<int64_t> decoded_now;   // absolute
  std::set<int64_t> decode_rows;   // absolute
};

std::vector<StepView> step_views(const Trace& trace) {
  const int64_t lp = trace.input.prompt_length, n = trace.input.length;
  std::vector<StepView> views;
  std::vector<uint8_t> masked(static_cast<size_t>(n), 0);
  std::fill(masked.begin() + lp, masked.end(), 1);
  std::set<int64_t> last;
  for (const auto& e : trace.events) {
    StepView v{*e, masked, last, {}, {}};
    for (int64_t p : e->decoded_positions) v.decoded_now.insert(lp + p);
    for (int64_t p : e->decode_rows) v.decode_rows.insert(lp + p);
    for (int64_t p : v.decoded_now) masked[static_cast<size_t>(p)] = 0;
    last = v.decoded_now;
    views.push_back(std::move(v));
  }
  return views;
}

// The state a reused cell must show: a mask outside the decodable rows is off-window.
CellState reused_state(const StepView& v, int64_t p) {
  return v.masked[static_cast<size_t>(p)] && !v.decode_rows.count(p) ? CellState::OffWindow
                                                                     : CellState::Reused;
}

// Checks every cell of every step against `expected(view, layer, position)`.
void expect_cells(const Trace& trace,
                  const std::function<CellState(const StepView&, int64_t, int64_t)>& expected) {
  ASSERT_FALSE(trace.events.empty());
  for (const auto& v : step_views(trace)) {
    const auto& cells = v.event.cells;
    ASSERT_EQ(cells.layers(), trace.input.num_layers);
    ASSERT_EQ(cells.positions(), trace.input.length);
    for (int64_t l = 0; l < cells.layers(); ++l) {
      for (int64_t p = 0; p < cells.positions(); ++p) {
        ASSERT_EQ(cell_state_name(cells.at(l, p)), std::string(cell_state_name(expected(v, l, p))))
            << trace.settings.strategy.name << " step " << v.event.step << " layer " << l
            << " position " << p << " (prompt length " << trace.input.prompt_length << ")";
      }
    }
  }
}

}  // namespace

// The setting under which each cached strategy must give exactly the tokens of `none`, named
// here and checked against what the catalog tells the UI.
TEST(Strategies, ExactSettingsReproduceNoneTokenForToken) {
  const std::map<std::string, std::map<std::string, std::string>> exact = {
      {"fast-dllm-prefix", {{"refresh_interval", "1"}}},  // a full forward at every step
      {"fast-dllm-dual", {{"refresh_interval", "1"}}},
      {"dkv-decode", {{"refresh_interval", "1"}}},  // r = 1: nothing is ever cached
      {"dkv-greedy", {{"refresh_interval", "1"}}},
      {"dllm-cache", {{"prompt_interval", "1"}, {"gen_interval", "1"}}},
      // The matched full-recompute reference: start_reset = -1 every step, window >= gen length.
      {"elastic", {{"full_every_step", "true"}, {"window", "1048576"}}},
  };
  for (const auto& info : strategy_catalog()) {
    if (info.name == "none") continue;
    ASSERT_TRUE(exact.count(info.name)) << info.name << " has no exact setting in this test";
    EXPECT_EQ(info.exact_setting, exact.at(info.name)) << info.name;
    for (auto rule : info.rules) {
      const auto baseline = tiny().generate(request("none", rule));
      auto r = request(info.name, rule);
      r.strategy.values = exact.at(info.name);
      const auto got = tiny().generate(r);
      EXPECT_EQ(got.summary.token_ids, baseline.summary.token_ids)
          << info.name << " with " << unmask_rule_name(rule);
      ASSERT_EQ(got.events.size(), baseline.events.size()) << info.name;
      for (size_t i = 0; i < got.events.size(); ++i) {
        EXPECT_EQ(got.events[i]->answer_ids, baseline.events[i]->answer_ids)
            << info.name << " " << unmask_rule_name(rule) << " step " << i;
      }
      EXPECT_EQ(got.summary.recomputed_cells, got.summary.total_cells) << info.name;
    }
  }
}

// Every strategy with its defaults, under every unmasking rule it is defined for, with an image:
// the run finishes, fills the answer region (or stops at <|eot_id|>), and a cached strategy
// recomputes strictly fewer layer-rows and FLOPs than a full recompute.
TEST(Strategies, DefaultsRunUnderEveryRuleAndRecomputeLess) {
  for (const auto& info : strategy_catalog()) {
    for (auto rule : info.rules) {
      auto r = request(info.name, rule, 32, 8, 32);
      r.decode.threshold = 0.9;  // the defaults: about one token per step on a random model
      r.decode.factor = 1.0;
      const auto trace = tiny().generate(r);
      const auto& s = trace.summary;
      const auto& last = trace.events.back()->answer_ids;
      const auto masks = std::count(last.begin(), last.end(), trace.input.mask_id);
      if (!s.stopped_at_eot) EXPECT_EQ(masks, 0) << info.name << " " << unmask_rule_name(rule);
      if (info.name == "none") {
        EXPECT_EQ(s.recomputed_cells, s.total_cells);
      } else {
        EXPECT_LT(s.recomputed_cells + s.partial_cells, s.total_cells)
            << info.name << " " << unmask_rule_name(rule);
        EXPECT_LT(s.flops, s.flops_full) << info.name;
      }
    }
  }
}

TEST(Strategies, FastDllmPrefixRecomputesBlockAndSuffix) {
  const auto trace = tiny().generate(request("fast-dllm-prefix", UnmaskRule::Fixed));
  const int64_t lp = trace.input.prompt_length;
  expect_cells(trace, [&](const StepView& v, int64_t, int64_t p) {
    if (v.event.step_in_block == 0) return CellState::Recomputed;  // block-start refresh
    return p >= lp + v.event.block_begin ? CellState::Recomputed : reused_state(v, p);
  });
}

TEST(Strategies, FastDllmPrefixRefreshIntervalWithinABlock) {
  auto r = request("fast-dllm-prefix", UnmaskRule::Fixed, 16, 16, 16);
  r.strategy.values = {{"refresh_interval", "5"}};
  const auto trace = tiny().generate(r);
  for (const auto& e : trace.events) {
    EXPECT_EQ(e->refresh, e->step_in_block % 5 == 0) << e->step;
  }
}

TEST(Strategies, FastDllmDualRecomputesOnlyTheBlock) {
  const auto trace = tiny().generate(request("fast-dllm-dual", UnmaskRule::Fixed));
  const int64_t lp = trace.input.prompt_length;
  int64_t off_window = 0;
  expect_cells(trace, [&](const StepView& v, int64_t, int64_t p) {
    if (v.event.step_in_block == 0) return CellState::Recomputed;
    if (p >= lp + v.event.block_begin && p < lp + v.event.block_end) return CellState::Recomputed;
    const auto state = reused_state(v, p);
    off_window += state == CellState::OffWindow;
    return state;
  });
  EXPECT_GT(off_window, 0);  // the masked suffix was reused off-window
}

TEST(Strategies, DkvDecodeRecomputesMasksAndTheLastDecodedTokens) {
  auto r = request("dkv-decode", UnmaskRule::Fixed, 16, 16, 16);
  r.strategy.values = {{"refresh_interval", "4"}};
  const auto trace = tiny().generate(r);
  expect_cells(trace, [&](const StepView& v, int64_t, int64_t p) {
    const int64_t i = v.event.step_in_block;
    if (i == 0 || i == 1 || i % 4 == 0) return CellState::Recomputed;  // steps 0, 1, 4, 8, 12
    return v.masked[static_cast<size_t>(p)] || v.decoded_last.count(p) ? CellState::Recomputed
                                                                       : reused_state(v, p);
  });
  EXPECT_EQ(trace.events[1]->refresh, true);
  EXPECT_EQ(trace.events[2]->refresh, false);
  EXPECT_EQ(trace.events[4]->refresh, true);
}

// dKV-Cache's delay: a token decoded at step t is recomputed at t+1 (with its real identity) and
// reused from t+2 until a refresh.
TEST(Strategies, DkvDecodeDelaysCachingByOneStep) {
  auto r = request("dkv-decode", UnmaskRule::Fixed, 16, 16, 16);
  r.strategy.values = {{"refresh_interval", "1000"}};  // only steps 0 and 1 are full
  const auto trace = tiny().generate(r);
  const auto views = step_views(trace);
  ASSERT_GE(views.size(), 6u);
  int64_t checked = 0;
  for (size_t t = 1; t + 2 < views.size(); ++t) {
    for (int64_t p : views[t].decoded_now) {
      for (int64_t l = 0; l < trace.input.num_layers; ++l) {
        EXPECT_EQ(views[t + 1].event.cells.at(l, p), CellState::Recomputed) << t << " " << p;
        EXPECT_EQ(views[t + 2].event.cells.at(l, p), CellState::Reused) << t << " " << p;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(Strategies, DkvGreedyRecomputesScheduledDecodedAndWindow) {
  for (const char* window : {"0", "1"}) {
    auto r = request("dkv-greedy", UnmaskRule::Random, 16, 16, 8);
    r.strategy.values = {{"window", window}, {"refresh_interval", "3"}};
    const auto trace = tiny().generate(r);
    const int64_t lp = trace.input.prompt_length, n = trace.input.length;
    expect_cells(trace, [&](const StepView& v, int64_t, int64_t p) {
      if (v.event.step_in_block % 3 == 0) return CellState::Recomputed;
      // Scheduled = what this step decoded (the order is fixed in advance under `random`).
      std::set<int64_t> active = v.decoded_now;
      active.insert(v.decoded_last.begin(), v.decoded_last.end());
      if (std::string(window) == "1") {
        // Nearest mask (as of the previous step's start), left first, not already active.
        for (int64_t s : std::vector<int64_t>(v.decoded_now.begin(), v.decoded_now.end())) {
          for (int64_t d = 1; d < n; ++d) {
            bool added = false;
            for (int64_t q : {s - d, s + d}) {
              const bool was_masked =
                  q >= lp && q < n && (v.masked[static_cast<size_t>(q)] || v.decoded_last.count(q));
              if (!added && was_masked && active.insert(q).second) added = true;
            }
            if (added) break;
          }
        }
      }
      return active.count(p) ? CellState::Recomputed : reused_state(v, p);
    });
  }
}

TEST(Strategies, DkvGreedyRefusesConfidenceUnmasking) {
  const auto message =
      test::error_message([&] { tiny().generate(request("dkv-greedy", UnmaskRule::Fixed)); });
  EXPECT_THAT(message, HasSubstr("dkv-greedy"));
  EXPECT_THAT(message, HasSubstr("random"));
}

TEST(Strategies, DllmCacheRefreshesSegmentsAndVerifiesTheLeastSimilarRows) {
  auto r = request("dllm-cache", UnmaskRule::Fixed, 16, 16, 12);
  r.strategy.values = {{"prompt_interval", "3"}, {"gen_interval", "2"}, {"transfer_ratio", "0.25"}};
  const auto trace = tiny().generate(r);
  const int64_t lp = trace.input.prompt_length, n = trace.input.length;
  for (const auto& v : step_views(trace)) {
    const int64_t s = v.event.step;
    const bool prompt = s % 3 == 0, gen = s % 2 == 0;
    EXPECT_EQ(v.event.refresh, prompt && gen);
    for (int64_t l = 0; l < trace.input.num_layers; ++l) {
      for (int64_t p = 0; p < lp; ++p) {
        ASSERT_EQ(v.event.cells.at(l, p), prompt ? CellState::Recomputed : CellState::Reused);
      }
      int64_t recomputed = 0, partial = 0;
      for (int64_t p = lp; p < n; ++p) {
        const auto c = v.event.cells.at(l, p);
        recomputed += c == CellState::Recomputed;
        partial += c == CellState::Partial;
      }
      if (gen) {
        EXPECT_EQ(recomputed, n - lp) << s;
      } else {
        EXPECT_EQ(recomputed, 4) << "int(16 x 0.25) rows verified in full at step " << s;
        EXPECT_EQ(partial, n - lp - 4) << s;
      }
    }
  }
}

TEST(Strategies, ElasticQueriesShallowLayersAndRecomputesFromTheBoundary) {
  // gamma 1: nearly every test triggers, so the boundary is layer 1; gamma 0: never.
  for (const char* gamma : {"1", "0"}) {
    auto r = request("elastic", UnmaskRule::Threshold, 16, 16, 16);
    r.strategy.values = {{"gamma", gamma}, {"window", "4"}};
    const auto trace = tiny().generate(r);
    const auto views = step_views(trace);
    const double g = std::stod(gamma);
    int64_t triggered = 0;
    for (const auto& v : views) {
      const auto& e = v.event;
      if (e.step == 0) {
        EXPECT_EQ(e.boundary_layer, 0);
        EXPECT_TRUE(e.tracked.empty());
      } else {
        EXPECT_FALSE(e.tracked.empty()) << e.step;
        // The boundary is the layer after the first drift below gamma; layer 0 never is one.
        const int64_t b = e.boundary_layer;
        EXPECT_NE(b, 0) << e.step;
        for (int64_t l = 0; l < trace.input.num_layers; ++l) {
          const double drift = e.drift[static_cast<size_t>(l)];
          const bool reuse = b < 0 || l < b;
          // The drift is measured at reuse layers only, never from the boundary down.
          EXPECT_EQ(std::isnan(drift), !reuse) << e.step << " " << l;
          if (reuse) EXPECT_EQ(drift < g, l == b - 1) << e.step << " layer " << l;
        }
        triggered += b > 0;
      }
      EXPECT_LE(e.decode_rows.size(), 4u);  // the window
      for (int64_t p : e.tracked) {         // tracked tokens were prompt or decoded tokens
        EXPECT_FALSE(v.masked[static_cast<size_t>(p)]) << p;
      }
    }
    if (g == 1.0) EXPECT_GT(triggered, 0);
    if (g == 0.0) EXPECT_EQ(triggered, 0);
    expect_cells(trace, [&](const StepView& v, int64_t l, int64_t p) {
      const auto& e = v.event;
      if (e.step == 0 || (e.boundary_layer >= 0 && l >= e.boundary_layer)) {
        return CellState::Recomputed;
      }
      const bool query = v.decode_rows.count(p) || v.decoded_last.count(p) ||
                         std::count(e.tracked.begin(), e.tracked.end(), p);
      return query ? CellState::Recomputed : reused_state(v, p);
    });
  }
}

TEST(Strategies, InvalidNamesAndParametersAreClearErrors) {
  auto r = request("fast-dllm-duel", UnmaskRule::Fixed);
  EXPECT_THAT(test::error_message([&] { tiny().generate(r); }),
              HasSubstr("allowed: none, fast-dllm-prefix, fast-dllm-dual"));
  r = request("elastic", UnmaskRule::Threshold);
  r.strategy.values = {{"gamma", "1.5"}};
  EXPECT_THAT(test::error_message([&] { tiny().generate(r); }),
              HasSubstr("gamma=1.5 is invalid (expected a number in [0, 1])"));
  r.strategy.values = {{"window", "0"}};
  EXPECT_THAT(test::error_message([&] { tiny().generate(r); }),
              HasSubstr("window=0 is invalid (expected an integer in [1,"));
  r.strategy.values = {{"windw", "3"}};
  EXPECT_THAT(test::error_message([&] { tiny().generate(r); }),
              HasSubstr("has no parameter 'windw' (allowed: gamma, window, track_num"));
  r.strategy.values = {{"drift_measure", "cosine"}};
  EXPECT_THAT(test::error_message([&] { tiny().generate(r); }),
              HasSubstr("expected one of heads, keys"));
}

// SPDX-License-Identifier: MIT
// Strategy rules without a model: the catalog and parameter validation, and Elastic-Cache's
// boundary and tracking logic driven by scripted layer observations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "cache/cache_strategy.h"
#include "cachelens/error.h"
#include "cachelens/number_parse.h"
#include "cachelens/strategy.h"
#include "test_support.h"

using namespace cachelens;
using testing::HasSubstr;

namespace {

cache::DecodeState state_at(int64_t step, const std::vector<uint8_t>& masked) {
  cache::DecodeState s;
  s.step = s.step_in_block = step;
  s.prompt_length = 4;
  s.length = static_cast<int64_t>(masked.size());
  s.num_layers = 6;
  s.block_begin = 4;
  s.block_end = s.length;
  s.masked = &masked;
  for (int64_t p = 4; p < s.length; ++p) {
    if (masked[p]) s.candidates.push_back(p);
  }
  return s;
}

// One layer's observation as the denoiser gives it: the drift test first, then (after the
// forward) the layer's most-attended keys.
std::optional<cache::RowSet> observe(cache::CacheStrategy& strategy, int64_t layer, bool full,
                                     double drift, std::vector<int64_t> top) {
  cache::LayerObservation o;
  o.layer = layer;
  o.full = full;
  o.drift = drift;
  auto next = strategy.after_layer(o);
  strategy.attended(layer, top);
  return next;
}

}  // namespace

TEST(StrategyCatalog, ListsEveryStrategyWithPaperDefaults) {
  std::vector<std::string> names;
  for (const auto& info : strategy_catalog()) names.push_back(info.name);
  EXPECT_EQ(names, (std::vector<std::string>{"none", "fast-dllm-prefix", "fast-dllm-dual",
                                             "dkv-decode", "dkv-greedy", "dllm-cache", "elastic"}));
  const auto elastic = StrategySettings{"elastic", {}}.resolved();
  EXPECT_EQ(elastic.at("gamma"), "0.9");
  EXPECT_EQ(elastic.at("window"), "16");
  EXPECT_EQ(elastic.at("track_num"), "1");
  EXPECT_EQ(elastic.at("drift_measure"), "heads");
  const auto dllm = StrategySettings{"dllm-cache", {}}.resolved();
  EXPECT_EQ(dllm.at("prompt_interval"), "25");
  EXPECT_EQ(dllm.at("gen_interval"), "7");
  EXPECT_EQ(dllm.at("transfer_ratio"), "0.25");
  EXPECT_EQ(StrategySettings({"dkv-decode", {}}).get_int("refresh_interval"), 8);
  EXPECT_EQ(StrategySettings({"dkv-greedy", {}}).get_int("refresh_interval"), 2);
  EXPECT_EQ(StrategySettings({"dkv-greedy", {}}).get_int("window"), 4);
  EXPECT_EQ(StrategySettings({"fast-dllm-prefix", {}}).get_int("refresh_interval"), 32);
}

TEST(StrategyCatalog, BadNamesKeysAndValuesListWhatIsAllowed) {
  EXPECT_THAT(test::error_message([] { parse_strategy_list("none,elastc"); }),
              HasSubstr("unknown strategy 'elastc' (allowed: none, fast-dllm-prefix"));
  EXPECT_EQ(parse_strategy_list("all").size(), strategy_catalog().size());
  EXPECT_EQ(parse_strategy_list("none, elastic"), (std::vector<std::string>{"none", "elastic"}));
  const auto check = [](const std::string& name, const std::string& assignment, UnmaskRule rule) {
    return test::error_message([&] { parse_strategy_settings(name, {assignment}).validate(rule); });
  };
  EXPECT_THAT(check("elastic", "gamma=-0.1", UnmaskRule::Threshold),
              HasSubstr("gamma=-0.1 is invalid (expected a number in [0, 1])"));
  EXPECT_THAT(check("elastic", "gamma=abc", UnmaskRule::Threshold),
              HasSubstr("gamma=abc is invalid"));
  EXPECT_THAT(check("dkv-greedy", "window=-1", UnmaskRule::Random),
              HasSubstr("window=-1 is invalid (expected an integer in [0,"));
  EXPECT_THAT(check("elastic", "window=0", UnmaskRule::Threshold),
              HasSubstr("window=0 is invalid (expected an integer in [1,"));
  EXPECT_THAT(check("dkv-decode", "refresh_interval=2.5", UnmaskRule::Fixed),
              HasSubstr("expected an integer"));
  EXPECT_THAT(check("none", "gamma=0.5", UnmaskRule::Fixed),
              HasSubstr("strategy none has no parameter 'gamma' (allowed: none)"));
  EXPECT_THAT(check("elastic", "full_every_step=yes", UnmaskRule::Fixed),
              HasSubstr("expected true or false"));
  EXPECT_THAT(check("dkv-greedy", "window=2", UnmaskRule::Threshold),
              HasSubstr("dkv-greedy is not defined for --unmask threshold (it needs: random)"));
  EXPECT_THAT(test::error_message([] { parse_strategy_settings("elastic", {"gamma"}); }),
              HasSubstr("--set expects key=value, got 'gamma'"));
}

// The one strict number parse behind CLI options and strategy values: the whole text or nothing.
TEST(NumberParse, TheWholeTextInRangeOrNothing) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int("-7"), -7);
  EXPECT_EQ(parse_int("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "2x", "2.5", " ", "abc", "9223372036854775808"})
    EXPECT_FALSE(parse_int(bad).has_value()) << bad;
  EXPECT_EQ(parse_double("0.25"), 0.25);
  EXPECT_EQ(parse_double("1e-3"), 1e-3);
  for (const char* bad : {"", "0.5x", "nan", "inf", "1e999"})
    EXPECT_FALSE(parse_double(bad).has_value()) << bad;
  EXPECT_THAT(test::error_message([] {
                parse_strategy_settings("dkv-decode", {"refresh_interval=99999999999999999999"})
                    .validate(UnmaskRule::Fixed);
              }),
              HasSubstr("expected an integer"));
}

// Elastic-Cache on scripted observations: the first drift below gamma at a reuse layer makes the
// next layer the boundary (every row from there); no test runs below it; tracked tokens are the
// union of every layer's most-attended token, used at the next step.
TEST(ElasticRules, BoundaryTrackingAndNoTestBelowTheBoundary) {
  auto elastic = cache::make_strategy({"elastic", {{"window", "2"}}}, UnmaskRule::Threshold);
  std::vector<uint8_t> masked = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};

  // Step 0: everything in full; layers report their most-attended tokens.
  auto plan = elastic->begin_step(state_at(0, masked));
  EXPECT_TRUE(plan.rows.all);
  EXPECT_TRUE(plan.observe);
  EXPECT_EQ(plan.decode_rows, (std::vector<int64_t>{4, 5}));  // the window: first two masks
  for (int64_t l = 0; l < 6; ++l) {
    EXPECT_FALSE(observe(*elastic, l, true, NAN, {l % 2 ? 1 : 3}));
  }
  masked[4] = 0;
  elastic->end_step({{4}});

  // Step 1: tracked {3, 1} + decoded {4} + window {5, 6} are the query rows.
  auto s1 = state_at(1, masked);
  s1.decoded_last_step = {4};
  plan = elastic->begin_step(s1);
  EXPECT_FALSE(plan.rows.all);
  EXPECT_EQ(plan.rows.rows, (std::vector<int64_t>{1, 3, 4, 5, 6}));
  EXPECT_EQ(plan.tracked, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(elastic->tracked(), (std::vector<int64_t>{3, 1}));
  EXPECT_FALSE(observe(*elastic, 0, false, 0.97, {3}));  // above gamma 0.9
  EXPECT_FALSE(observe(*elastic, 1, false, 0.95, {3}));
  const auto widened = observe(*elastic, 2, false, 0.80, {2});  // drift!
  ASSERT_TRUE(widened.has_value());
  EXPECT_TRUE(widened->all);
  EXPECT_EQ(elastic->boundary_layer(), 3);
  // Below the boundary nothing is tested again, even a low value does not move it.
  EXPECT_FALSE(observe(*elastic, 3, true, 0.10, {0}));
  EXPECT_FALSE(observe(*elastic, 4, false, 0.10, {0}));
  EXPECT_EQ(elastic->boundary_layer(), 3);
  observe(*elastic, 5, true, NAN, {3});
  masked[5] = 0;
  elastic->end_step({{5}});

  auto s2 = state_at(2, masked);
  s2.decoded_last_step = {5};
  plan = elastic->begin_step(s2);
  EXPECT_EQ(plan.tracked, (std::vector<int64_t>{3, 2, 0}));  // union in layer order
  EXPECT_EQ(elastic->boundary_layer(), -1);
  // A drift at layer 0 makes layer 1 the boundary: layer 0 itself is never a full layer.
  ASSERT_TRUE(observe(*elastic, 0, false, 0.5, {3}).has_value());
  EXPECT_EQ(elastic->boundary_layer(), 1);
}

TEST(ElasticRules, FullEveryStepIsTheMatchedReference) {
  auto elastic =
      cache::make_strategy({"elastic", {{"full_every_step", "true"}}}, UnmaskRule::Fixed);
  std::vector<uint8_t> masked = {0, 0, 0, 0, 1, 1, 1, 1};
  for (int64_t step = 0; step < 3; ++step) {
    const auto plan = elastic->begin_step(state_at(step, masked));
    EXPECT_TRUE(plan.rows.all) << step;
    elastic->end_step({});
  }
}

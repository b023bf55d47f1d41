// SPDX-License-Identifier: MIT
// The selection rules on the worked examples of cache-strategies.md §2.5-2.6 and §9.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cachelens/decode.h"
#include "cachelens/error.h"

using cachelens::DecodeSettings;
using cachelens::Error;
using testing::HasSubstr;

TEST(NumTransferTokens, RemainderGoesToTheEarliestSteps) {
  EXPECT_EQ(cachelens::num_transfer_tokens(10, 4), (std::vector<int64_t>{3, 3, 2, 2}));
  EXPECT_EQ(cachelens::num_transfer_tokens(128, 128), std::vector<int64_t>(128, 1));
  EXPECT_EQ(cachelens::num_transfer_tokens(32, 8), std::vector<int64_t>(8, 4));
  EXPECT_EQ(cachelens::num_transfer_tokens(3, 5), (std::vector<int64_t>{1, 1, 1, 0, 0}));
  EXPECT_EQ(cachelens::num_transfer_tokens(7, 3), (std::vector<int64_t>{3, 2, 2}));
}

TEST(ThresholdRule, TopOneAlwaysAndEqualityAccepted) {
  EXPECT_EQ(cachelens::threshold_count({0.3}, 0.9), 1);  // below tau, but top-1 is always taken
  EXPECT_EQ(cachelens::threshold_count({0.95, 0.92, 0.5}, 0.9), 2);
  EXPECT_EQ(cachelens::threshold_count({0.99, 0.9, 0.9, 0.89}, 0.9), 3);  // c == tau is kept
  EXPECT_EQ(cachelens::threshold_count({0.5, 0.4}, 0.9), 1);
  EXPECT_EQ(cachelens::threshold_count({}, 0.9), 0);
}

TEST(FactorRule, WorkedExamplesWithTheLastIndexQuirk) {
  // cache-strategies.md §2.6, f = 1
  EXPECT_EQ(cachelens::factor_count({0.95, 0.20}, 1.0), 2);
  EXPECT_EQ(cachelens::factor_count({0.99, 0.98, 0.20}, 1.0), 3);
  EXPECT_EQ(cachelens::factor_count({0.99, 0.98, 0.97, 0.96}, 1.0), 4);
  EXPECT_EQ(cachelens::factor_count({0.99, 0.5, 0.4, 0.3}, 1.0), 1);
  EXPECT_EQ(cachelens::factor_count({0.3}, 1.0), 1);
}

TEST(FactorRule, ThresholdsGrowWithRank) {
  // Rank 3 needs 1 - 1/4 = 0.75 and rank 4 needs 0.8 with f = 1: 0.79 passes rank 3 only.
  EXPECT_EQ(cachelens::factor_count({0.99, 0.9, 0.79, 0.79, 0.1}, 1.0), 3);
  // A larger factor lowers the bar: with f = 2, rank 2 needs 1/3.
  EXPECT_EQ(cachelens::factor_count({0.99, 0.4, 0.3, 0.2, 0.1}, 2.0), 2);
}

TEST(UnmaskRuleNames, ParseAndListAllowed) {
  EXPECT_EQ(cachelens::parse_unmask_rule("factor"), cachelens::UnmaskRule::Factor);
  try {
    cachelens::parse_unmask_rule("greedy");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("fixed, threshold, factor, random"));
  }
}

TEST(DecodeSettings, DivisibilityAndRangesAreCheckedWithClearMessages) {
  DecodeSettings s;
  s.gen_length = 100;
  s.block_length = 32;
  EXPECT_THROW(
      {
        try {
          s.validate();
        } catch (const Error& e) {
          EXPECT_THAT(e.what(), HasSubstr("not divisible by block length 32"));
          throw;
        }
      },
      Error);
  s = DecodeSettings{};
  s.gen_length = 64;
  s.block_length = 16;
  s.steps = 10;  // 4 blocks
  EXPECT_THROW(s.validate(), Error);
  s.steps = 12;
  EXPECT_NO_THROW(s.validate());
  EXPECT_EQ(s.steps_per_block(), 3);
  s.threshold = 1.5;
  EXPECT_THROW(s.validate(), Error);
  s.threshold = 0.9;
  s.temperature = -1;
  EXPECT_THROW(s.validate(), Error);
}

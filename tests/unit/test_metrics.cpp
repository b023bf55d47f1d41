// SPDX-License-Identifier: MIT
// Run measures on hand-computed examples: answer tokens, agreement with a baseline, speedup,
// FLOPs of a layer-row, and answer matching.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "cachelens/config.h"
#include "cachelens/metrics.h"

namespace cachelens {
namespace {

using Ids = std::vector<int32_t>;
constexpr int32_t kMask = 99;
constexpr int32_t kStop = 2;

TEST(AnswerTokens, StopsAtTheFirstStopIdAndDropsMasks) {
  EXPECT_EQ(answer_tokens({5, kMask, 7, kStop, 9, kMask, kStop}, kMask, kStop), (Ids{5, 7}));
  EXPECT_EQ(answer_tokens({kStop, 5, 6}, kMask, kStop), Ids{});
  EXPECT_EQ(answer_tokens({kMask, kMask, kMask}, kMask, kStop), Ids{});
  EXPECT_EQ(answer_tokens({}, kMask, kStop), Ids{});
  // A negative stop id means there is none: everything but the masks stays.
  EXPECT_EQ(answer_tokens({5, kMask, 7, kStop, 9, kMask}, kMask, -1), (Ids{5, 7, kStop, 9}));
}

TEST(CompareAnswers, CountsEqualTokensAtTheSameIndexOverTheLongerAnswer) {
  const AnswerAgreement a = compare_answers({5, 6, 7, 8}, {5, 9, 7});
  EXPECT_EQ(a.matching, 2);
  EXPECT_EQ(a.compared, 4);
  EXPECT_DOUBLE_EQ(a.token_agreement, 0.5);
  EXPECT_FALSE(a.exact);

  const AnswerAgreement shorter = compare_answers({5, 9}, {5, 9, 7, 1, 1});
  EXPECT_EQ(shorter.matching, 2);
  EXPECT_EQ(shorter.compared, 5);
  EXPECT_DOUBLE_EQ(shorter.token_agreement, 0.4);
  EXPECT_FALSE(shorter.exact);

  const AnswerAgreement same = compare_answers({3, 1, 4}, {3, 1, 4});
  EXPECT_EQ(same.matching, 3);
  EXPECT_EQ(same.compared, 3);
  EXPECT_DOUBLE_EQ(same.token_agreement, 1.0);
  EXPECT_TRUE(same.exact);

  // A one-token shift agrees nowhere even though the tokens are the same.
  const AnswerAgreement shifted = compare_answers({0, 3, 1, 4}, {3, 1, 4});
  EXPECT_EQ(shifted.matching, 0);
  EXPECT_DOUBLE_EQ(shifted.token_agreement, 0.0);
}

TEST(CompareAnswers, BothEmptyIsFullAgreement) {
  const AnswerAgreement a = compare_answers({}, {});
  EXPECT_EQ(a.matching, 0);
  EXPECT_EQ(a.compared, 0);
  EXPECT_DOUBLE_EQ(a.token_agreement, 1.0);
  EXPECT_TRUE(a.exact);

  const AnswerAgreement one_empty = compare_answers({}, {4, 4});
  EXPECT_EQ(one_empty.compared, 2);
  EXPECT_DOUBLE_EQ(one_empty.token_agreement, 0.0);
  EXPECT_FALSE(one_empty.exact);
}

TEST(CompareWithBaseline, FillsSpeedupAgreementAndExactness) {
  RunSummary run, baseline;
  run.wall_ms = 250.0;
  run.token_ids = {5, 6, 7, 8};
  baseline.wall_ms = 1000.0;
  baseline.token_ids = {5, 9, 7};
  compare_with_baseline(run, baseline);
  EXPECT_TRUE(run.baseline.present);
  EXPECT_DOUBLE_EQ(run.baseline.speedup, 4.0);
  EXPECT_DOUBLE_EQ(run.baseline.token_agreement, 0.5);
  EXPECT_FALSE(run.baseline.exact_match);
  EXPECT_FALSE(baseline.baseline.present);  // the baseline itself is not touched

  RunSummary same = baseline;
  same.wall_ms = 2000.0;
  compare_with_baseline(same, baseline);
  EXPECT_DOUBLE_EQ(same.baseline.speedup, 0.5);
  EXPECT_DOUBLE_EQ(same.baseline.token_agreement, 1.0);
  EXPECT_TRUE(same.baseline.exact_match);

  RunSummary instant;
  instant.wall_ms = 0.0;
  compare_with_baseline(instant, baseline);
  EXPECT_TRUE(instant.baseline.present);
  EXPECT_EQ(instant.baseline.speedup, 0.0);
}

TEST(Flops, LayerRowOnATinyConfigByHand) {
  TextConfig t;
  t.hidden_size = 8;  // D
  t.num_heads = 2;
  t.num_kv_heads = 1;
  t.head_dim = 4;  // q width 8, k/v width 4
  t.intermediate_size = 16;
  // q 2*8*8 = 128, k and v 2*2*8*4 = 128, o 2*8*8 = 128, MLP 3*2*8*16 = 768,
  // attention over 10 keys 2*2*10*8 = 320.
  EXPECT_DOUBLE_EQ(layer_row_flops(t, 10), 128 + 128 + 128 + 768 + 320);
  EXPECT_DOUBLE_EQ(layer_row_flops(t, 0), 1152);
  // Each extra key costs 2*2*heads*head_dim.
  EXPECT_DOUBLE_EQ(layer_row_flops(t, 11) - layer_row_flops(t, 10), 32);
  EXPECT_DOUBLE_EQ(v_only_row_flops(t), 2 * 8 * 4);
  EXPECT_DOUBLE_EQ(lm_head_row_flops(t, 100), 2 * 8 * 100);
}

TEST(Flops, RealModelSizesDoNotOverflow) {
  const TextConfig t;  // LLaDA-8B defaults: D 4096, 32 heads of 128, I 12288
  const double per_row = 2.0 * 4096 * 4096 * 4 + 3 * 2.0 * 4096 * 12288 + 2 * 2.0 * 4000 * 4096;
  EXPECT_DOUBLE_EQ(layer_row_flops(t, 4000), per_row);
  EXPECT_DOUBLE_EQ(lm_head_row_flops(t, t.vocab_size), 2.0 * 4096 * 126464);
}

TEST(AnswerMatches, IgnoresCaseSurroundingWhitespaceAndOneFinalFullStop) {
  EXPECT_TRUE(answer_matches("Red", "red"));
  EXPECT_TRUE(answer_matches("  Blue.\n", "blue"));
  EXPECT_TRUE(answer_matches("green", " GREEN. "));
  EXPECT_TRUE(answer_matches("Two circles.", "two circles"));
  EXPECT_TRUE(answer_matches("", ""));
  EXPECT_FALSE(answer_matches("red..", "red"));  // only one full stop is dropped
  EXPECT_FALSE(answer_matches("reddish", "red"));
  EXPECT_FALSE(answer_matches("The answer is red", "red"));
  EXPECT_FALSE(answer_matches("two  circles", "two circles"));  // inner spaces count
  EXPECT_FALSE(answer_matches("", "red"));
}

}  // namespace
}  // namespace cachelens

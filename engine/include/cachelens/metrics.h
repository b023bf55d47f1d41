// SPDX-License-Identifier: MIT
// Speed and accuracy measures of a run (cache-strategies.md §8): answer tokens only, layer-rows
// and FLOPs against a full recompute, speedup and agreement against a baseline run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cachelens/config.h"
#include "cachelens/trace.h"

namespace cachelens {

// Answer tokens of an answer region: everything before the first `stop_id` (if any), without
// `mask_id` leftovers. Prompt tokens never enter: the region starts after the prompt.
std::vector<int32_t> answer_tokens(const std::vector<int32_t>& region, int32_t mask_id,
                                   int32_t stop_id);

struct AnswerAgreement {
  int64_t matching = 0;          // indices i where both answers have a token and they are equal
  int64_t compared = 0;          // max of the two lengths
  double token_agreement = 1.0;  // matching / compared; 1 when both are empty
  bool exact = true;
};
AnswerAgreement compare_answers(const std::vector<int32_t>& run,
                                const std::vector<int32_t>& baseline);

// Fills summary.baseline of `run` from `baseline` (speedup = baseline wall / run wall).
void compare_with_baseline(RunSummary& run, const RunSummary& baseline);

// Multiply-adds x 2 of one layer-row through a layer attending over `keys` keys, of a row that
// only gets its V projection (dLLM-Cache), and of the LM head for one row.
double layer_row_flops(const TextConfig& text, int64_t keys);
double v_only_row_flops(const TextConfig& text);
double lm_head_row_flops(const TextConfig& text, int64_t vocab);

// Whether `answer` matches `expected`: case-insensitive, surrounding whitespace and a final
// full stop ignored.
bool answer_matches(const std::string& answer, const std::string& expected);

}  // namespace cachelens

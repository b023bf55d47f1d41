// SPDX-License-Identifier: MIT
// Speed and accuracy measures of a run (cache-strategies.md §8).
#include "cachelens/metrics.h"

#include <algorithm>
#include <cctype>

namespace cachelens {

std::vector<int32_t> answer_tokens(const std::vector<int32_t>& region, int32_t mask_id,
                                   int32_t stop_id) {
  std::vector<int32_t> out;
  for (const int32_t id : region) {
    if (stop_id >= 0 && id == stop_id) break;
    if (id != mask_id) out.push_back(id);
  }
  return out;
}

AnswerAgreement compare_answers(const std::vector<int32_t>& run,
                                const std::vector<int32_t>& baseline) {
  AnswerAgreement out;
  const size_t common = std::min(run.size(), baseline.size());
  for (size_t i = 0; i < common; ++i) out.matching += run[i] == baseline[i] ? 1 : 0;
  out.compared = static_cast<int64_t>(std::max(run.size(), baseline.size()));
  out.token_agreement = out.compared == 0
                            ? 1.0
                            : static_cast<double>(out.matching) / static_cast<double>(out.compared);
  out.exact = run == baseline;
  return out;
}

void compare_with_baseline(RunSummary& run, const RunSummary& baseline) {
  const AnswerAgreement agreement = compare_answers(run.token_ids, baseline.token_ids);
  BaselineComparison& b = run.baseline;
  b.present = true;
  b.speedup = run.wall_ms > 0 ? baseline.wall_ms / run.wall_ms : 0.0;
  b.token_agreement = agreement.token_agreement;
  b.exact_match = agreement.exact;
}

double layer_row_flops(const TextConfig& text, int64_t keys) {
  const double d = static_cast<double>(text.hidden_size);
  const double q_width = static_cast<double>(text.num_heads * text.head_dim);
  const double kv_width = static_cast<double>(text.num_kv_heads * text.head_dim);
  const double ffn = static_cast<double>(text.intermediate_size);
  const double projections = 2 * d * q_width         // q
                             + 2 * 2 * d * kv_width  // k, v
                             + 2 * q_width * d;      // o
  const double mlp = 3 * 2 * d * ffn;                // gate, up, down
  // Scores q.k and the weighted sum of values, over every key, for every query head.
  const double attention = 2 * 2 * static_cast<double>(keys) * q_width;
  return projections + mlp + attention;
}

double v_only_row_flops(const TextConfig& text) {
  return 2.0 * static_cast<double>(text.hidden_size) *
         static_cast<double>(text.num_kv_heads * text.head_dim);
}

double lm_head_row_flops(const TextConfig& text, int64_t vocab) {
  return 2.0 * static_cast<double>(text.hidden_size) * static_cast<double>(vocab);
}

namespace {

// Lower-cased, surrounding whitespace and one final full stop removed.
std::string normalized_answer(const std::string& text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  size_t begin = 0, end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  if (end > begin && text[end - 1] == '.') --end;
  while (end > begin && is_space(text[end - 1])) --end;  // "red ." -> "red"
  std::string out = text.substr(begin, end - begin);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool answer_matches(const std::string& answer, const std::string& expected) {
  return normalized_answer(answer) == normalized_answer(expected);
}

}  // namespace cachelens

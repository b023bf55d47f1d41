// SPDX-License-Identifier: MIT
// LLaDA's semi-autoregressive masked-diffusion decoding: settings and the exact selection rules
// (lladav-model.md §10, cache-strategies.md §2.5-2.6), as pure functions that tests can check on
// the specs' worked examples.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cachelens {

enum class UnmaskRule {
  Fixed,      // LLaDA low-confidence remasking, get_num_transfer_tokens tokens per step
  Threshold,  // Fast-dLLM: top-1 always, every other candidate with confidence >= tau
  Factor,     // Fast-dLLM: rank r (>= 2) accepted while confidence >= 1 - f/(r+1)
  Random,     // LLaDA random remasking: uniform scores instead of confidences
};

const char* unmask_rule_name(UnmaskRule rule);
UnmaskRule parse_unmask_rule(const std::string& text);  // error lists the allowed names

struct DecodeSettings {
  int64_t gen_length = 128;
  int64_t block_length = 128;
  int64_t steps = 128;
  UnmaskRule rule = UnmaskRule::Fixed;
  double threshold = 0.9;  // tau, for Threshold
  double factor = 1.0;     // f, for Factor
  double temperature = 0.0;
  uint64_t seed = 0;

  int64_t num_blocks() const { return gen_length / block_length; }
  int64_t steps_per_block() const { return steps / num_blocks(); }
  // Throws Error naming the field and what is allowed (divisibility, ranges).
  void validate() const;
};

// Tokens unmasked at each of `steps` steps for `masked` masked positions: an even split with the
// remainder on the earliest steps.
std::vector<int64_t> num_transfer_tokens(int64_t masked, int64_t steps);

// How many of the candidates (confidences sorted descending, all finite) a step unmasks.
int64_t threshold_count(const std::vector<double>& sorted_desc, double tau);
// Factor rule with the reference code's last-index quirk (a failing last candidate still counts).
int64_t factor_count(const std::vector<double>& sorted_desc, double factor);

}  // namespace cachelens

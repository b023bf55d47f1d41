// SPDX-License-Identifier: MIT
#include "cachelens/decode.h"

#include <cmath>

#include "cachelens/error.h"

namespace cachelens {

const char* unmask_rule_name(UnmaskRule rule) {
  switch (rule) {
    case UnmaskRule::Fixed:
      return "fixed";
    case UnmaskRule::Threshold:
      return "threshold";
    case UnmaskRule::Factor:
      return "factor";
    case UnmaskRule::Random:
      return "random";
  }
  return "?";
}

UnmaskRule parse_unmask_rule(const std::string& text) {
  for (auto rule :
       {UnmaskRule::Fixed, UnmaskRule::Threshold, UnmaskRule::Factor, UnmaskRule::Random}) {
    if (text == unmask_rule_name(rule)) return rule;
  }
  fail("unknown unmasking rule '", text, "' (allowed: fixed, threshold, factor, random)");
}

void DecodeSettings::validate() const {
  if (gen_length <= 0) fail("gen length must be positive (got ", gen_length, ")");
  if (block_length <= 0) fail("block length must be positive (got ", block_length, ")");
  if (steps <= 0) fail("steps must be positive (got ", steps, ")");
  if (gen_length % block_length != 0) {
    fail("gen length ", gen_length, " is not divisible by block length ", block_length);
  }
  if (steps % num_blocks() != 0) {
    fail("steps ", steps, " is not divisible by the number of blocks ", num_blocks(),
         " (gen length ", gen_length, " / block length ", block_length, ")");
  }
  if (!(threshold > 0.0 && threshold <= 1.0))
    fail("threshold must be in (0, 1] (got ", threshold, ")");
  if (!(factor > 0.0) || !std::isfinite(factor)) fail("factor must be positive (got ", factor, ")");
  if (!(temperature >= 0.0) || !std::isfinite(temperature)) {
    fail("temperature must be >= 0 (got ", temperature, ")");
  }
}

std::vector<int64_t> num_transfer_tokens(int64_t masked, int64_t steps) {
  std::vector<int64_t> counts(static_cast<size_t>(std::max<int64_t>(steps, 0)), 0);
  if (steps <= 0) return counts;
  const int64_t base = masked / steps, rem = masked % steps;
  for (int64_t i = 0; i < steps; ++i) counts[static_cast<size_t>(i)] = base + (i < rem ? 1 : 0);
  return counts;
}

int64_t threshold_count(const std::vector<double>& sorted_desc, double tau) {
  if (sorted_desc.empty()) return 0;
  int64_t count = 1;  // the most confident candidate is always taken
  // Equality keeps a candidate: the reference drops only c < tau.
  for (size_t i = 1; i < sorted_desc.size() && sorted_desc[i] >= tau; ++i) ++count;
  return count;
}

int64_t factor_count(const std::vector<double>& sorted_desc, double factor) {
  const int64_t n = static_cast<int64_t>(sorted_desc.size());
  if (n == 0) return 0;
  int64_t stop = n - 1;  // the scan's final index when nothing fails
  for (int64_t i = 0; i < n; ++i) {
    const double thr = i == 0 ? -1.0 : 1.0 - factor / static_cast<double>(i + 2);
    if (sorted_desc[static_cast<size_t>(i)] < thr) {
      stop = i;
      break;
    }
  }
  // Reference quirk: stopping at (or running to) the last index accepts every candidate, and
  // stopping at index 0 still accepts one.
  if (stop == n - 1) return n;
  return std::max<int64_t>(stop, 1);
}

}  // namespace cachelens

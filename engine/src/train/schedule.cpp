// SPDX-License-Identifier: MIT
// The learning-rate schedule, the batch order (and the family oversampling it walks) and the
// answer padding of the trainer.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "cachelens/error.h"
#include "train/train_internal.h"

namespace cachelens::train {

double learning_rate_at(int64_t step, int64_t total, int64_t warmup, double peak, double floor) {
  if (warmup > 0 && step < warmup) {
    return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
  }
  const double span = static_cast<double>(std::max<int64_t>(1, total - warmup));
  const double progress = std::clamp(static_cast<double>(step - warmup) / span, 0.0, 1.0);
  return floor + 0.5 * (peak - floor) * (1.0 + std::cos(M_PI * progress));
}

int64_t item_for(int64_t step, int64_t b, int64_t batch_size, int64_t items, uint64_t seed) {
  if (items <= 0) fail("the training set is empty");
  const int64_t global = step * batch_size + b;
  const int64_t epoch = global / items;
  // One permutation per epoch, cached for the epoch in use (the trainer walks epochs in order).
  thread_local int64_t cached_epoch = -1;
  thread_local uint64_t cached_seed = 0;
  thread_local std::vector<int64_t> order;
  if (epoch != cached_epoch || seed != cached_seed || static_cast<int64_t>(order.size()) != items) {
    order.resize(static_cast<size_t>(items));
    std::iota(order.begin(), order.end(), 0);
    // A Fisher-Yates shuffle on mt19937_64 words (not std::shuffle, whose use of the engine is
    // implementation-defined), so the order is the same with every standard library.
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch) + 1);
    for (int64_t i = items - 1; i > 0; --i) {
      const auto j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
      std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    cached_epoch = epoch;
    cached_seed = seed;
  }
  return order[static_cast<size_t>(global % items)];
}

std::vector<VqaItem> repeat_families(const std::vector<VqaItem>& items,
                                     const std::map<std::string, int64_t>& repeats) {
  const auto& families = vqa_families();
  for (const auto& [family, count] : repeats) {
    if (std::find(families.begin(), families.end(), family) == families.end()) {
      fail("training: family_repeats names '", family, "', which is not a question family (",
           join_names(families), ")");
    }
    // The list holds every copy, so a runaway count would exhaust memory before the first step.
    if (count < 1 || count > kMaxFamilyRepeats) {
      fail("training: family_repeats gives '", family, "' ", count, " (1 to ", kMaxFamilyRepeats,
           ")");
    }
  }
  std::vector<VqaItem> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    const auto it = repeats.find(item.family);
    const int64_t count = it == repeats.end() ? 1 : it->second;
    for (int64_t k = 0; k < count; ++k) out.push_back(item);
  }
  return out;
}

std::vector<int32_t> padded_answer(const std::vector<int32_t>& answer, int32_t eot, int64_t length,
                                   const std::string& what) {
  if (static_cast<int64_t>(answer.size()) + 1 > length) {
    fail(what, ": the answer is ", answer.size(), " tokens, which with <|eot_id|> does not fit in ",
         "gen_length ", length);
  }
  std::vector<int32_t> out = answer;
  out.resize(static_cast<size_t>(length), eot);
  return out;
}

}  // namespace cachelens::train

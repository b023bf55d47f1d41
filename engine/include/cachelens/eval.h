// SPDX-License-Identifier: MIT
// Accuracy and speed of cache strategies on a VQA set (the dataset.h JSONL format): every item
// through every strategy, each answer judged by its item's scoring rule, with tokens/s, speedup
// and token agreement against `none` on the same items.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cachelens/dataset.h"
#include "cachelens/decode.h"
#include "cachelens/strategy.h"

namespace cachelens {

class Session;

struct EvalOptions {
  // The strategies to run, in order; `none` is run as the baseline (first) whenever another
  // strategy is asked for without it, and reported only if asked for.
  std::vector<StrategySettings> strategies = {StrategySettings{}};
  // Unmasking rule, threshold, factor, temperature and seed apply to every item. With
  // `item_lengths`, gen_length = block_length = steps = the item's gen_length (one token per
  // step, LLaDA's standard setting); otherwise these lengths are used for every item.
  DecodeSettings decode;
  bool item_lengths = true;
  int64_t limit = 0;  // 0 = every item
  // Progress after each item and strategy: done and total runs, and the strategy name. Returning
  // false cancels (throws Cancelled).
  std::function<bool(int64_t done, int64_t total, const std::string& strategy)> on_progress;
};

struct FamilyScore {
  std::string family;
  int64_t items = 0, correct = 0;
  double accuracy() const { return items ? double(correct) / double(items) : 0.0; }
};

struct StrategyEval {
  std::string strategy;                         // registry name
  std::map<std::string, std::string> settings;  // resolved parameter values
  std::string unmask;  // the rule it ran with (its first allowed one if not the asked-for rule)
  int64_t items = 0, correct = 0;
  double accuracy = 0.0;
  std::vector<FamilyScore> families;  // sorted by family name
  int64_t answer_tokens = 0, steps = 0, nfe = 0;
  double wall_ms = 0.0, denoise_ms = 0.0;
  double tokens_per_s = 0.0;        // all answer tokens / all wall time
  double ms_per_step = 0.0;         // all denoise time / all steps
  double recompute_fraction = 0.0;  // over all layer-rows of all items
  // Against `none` on the same items: none's total wall time / this one's, mean token agreement,
  // and the share of items with exactly none's answer. Negative without a baseline.
  double speedup = -1.0, agreement = -1.0, exact_with_none = -1.0;
};

struct ItemOutcome {
  int64_t index = 0;  // into the evaluated items
  std::string strategy, response;
  bool correct = false;
};

struct EvalReport {
  std::string model, set;
  int64_t items = 0;
  std::vector<StrategyEval> results;  // in the order asked for
  std::vector<ItemOutcome> outcomes;  // every item of every reported strategy
};

EvalReport evaluate(Session& session, const std::vector<VqaItem>& items,
                    const EvalOptions& options);

// A fixed-width table: one row per strategy (accuracy, tokens/s, ms/step, speedup, agreement,
// rows recomputed), then accuracy per family and strategy.
std::string eval_report_table(const EvalReport& report);
// Everything in the report, per-item outcomes included.
std::string eval_report_json(const EvalReport& report);

}  // namespace cachelens

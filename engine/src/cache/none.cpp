// SPDX-License-Identifier: MIT
// `none`: vanilla LLaDA, every row through every layer at every step.
#include "cache/cache_strategy.h"
#include "cache/param_helpers.h"
#include "cache/strategies.h"

namespace cachelens::cache {
namespace {

class NoCache : public CacheStrategy {
 public:
  StepPlan begin_step(const DecodeState&) override {
    StepPlan plan;
    plan.refresh = true;
    return plan;
  }
};

}  // namespace

StrategyInfo none_info() {
  StrategyInfo info;
  info.name = "none";
  info.title = "No cache";
  info.description =
      "Vanilla LLaDA: every position is recomputed through every layer at every step. The "
      "baseline every cache is measured against.";
  info.rules = all_rules();
  return info;
}

std::unique_ptr<CacheStrategy> make_none(const StrategySettings&) {
  return std::make_unique<NoCache>();
}

}  // namespace cachelens::cache

// SPDX-License-Identifier: MIT
// dKV-Cache Decode (cache-strategies.md §3.3): delayed caching. A token decoded at step t is still
// computed at t+1 (now with its real identity) and reused from t+2 on; masks are never cached.
// Full forwards at steps 0 and 1 of each block and every `refresh_interval` steps.
#include "cache/cache_strategy.h"
#include "cache/param_helpers.h"
#include "cache/strategies.h"

namespace cachelens::cache {
namespace {

class DkvDecode : public CacheStrategy {
 public:
  explicit DkvDecode(int64_t interval) : interval_(interval) {}

  StepPlan begin_step(const DecodeState& state) override {
    StepPlan plan;
    const int64_t i = state.step_in_block;
    // The reference's cache is empty after step 0 of a block (nothing stored), hence step 1.
    if (i == 0 || i == 1 || i % interval_ == 0) {
      plan.refresh = true;
      return plan;
    }
    // Active: every mask (future blocks too: their K/V feed attention) and the tokens decoded
    // at the previous step, whose K/V changes from MASK to the real token.
    std::vector<int64_t> rows = state.decoded_last_step;
    for (int64_t p = state.prompt_length; p < state.length; ++p) {
      if (state.is_masked(p)) rows.push_back(p);
    }
    plan.rows = RowSet::of(std::move(rows));
    return plan;
  }

 private:
  int64_t interval_;
};

}  // namespace

StrategyInfo dkv_decode_info() {
  StrategyInfo info;
  info.name = "dkv-decode";
  info.title = "dKV-Cache Decode";
  info.description =
      "Delayed caching: a decoded token's K/V enters the cache one step after it is decoded; "
      "masks are recomputed every step. Full forwards at steps 0 and 1 of each block and every "
      "refresh_interval steps.";
  info.params = {int_param("refresh_interval", 8, 1, 1 << 30,
                           "steps between full forwards (the paper's cache refresh step r)")};
  info.rules = all_rules();
  info.exact_setting = {{"refresh_interval", "1"}};
  return info;
}

std::unique_ptr<CacheStrategy> make_dkv_decode(const StrategySettings& settings) {
  return std::make_unique<DkvDecode>(settings.get_int("refresh_interval"));
}

}  // namespace cachelens::cache

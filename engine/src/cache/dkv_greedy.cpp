// SPDX-License-Identifier: MIT
// dKV-Cache Greedy (cache-strategies.md §3.4): every position is cached; a cached step recomputes
// only the tokens scheduled for it, those decoded at the previous step, and a small window of
// still-masked neighbours of the scheduled tokens. It needs the decoding order in advance, so it
// is defined for `random` unmasking only.
#include <set>

#include "cache/cache_strategy.h"
#include "cache/param_helpers.h"
#include "cache/strategies.h"

namespace cachelens::cache {
namespace {

class DkvGreedy : public CacheStrategy {
 public:
  DkvGreedy(int64_t interval, int64_t window) : interval_(interval), window_(window) {}

  StepPlan begin_step(const DecodeState& state) override {
    StepPlan plan;
    plan.decode_rows = state.scheduled;
    if (state.step_in_block % interval_ == 0) {
      plan.refresh = true;
      return plan;
    }
    std::set<int64_t> active(state.scheduled.begin(), state.scheduled.end());
    active.insert(state.decoded_last_step.begin(), state.decoded_last_step.end());
    // The reference picks the window with the mask state from the start of the previous step:
    // today's masks plus what that step decoded.
    std::set<int64_t> was_masked(state.decoded_last_step.begin(), state.decoded_last_step.end());
    const auto masked_before = [&](int64_t p) {
      return p >= state.prompt_length && p < state.length &&
             (state.is_masked(p) || was_masked.count(p) != 0);
    };
    for (int64_t s : state.scheduled) {
      // Up to `window` masked neighbours, alternating left and right, nearest first.
      int64_t added = 0;
      for (int64_t d = 1; added < window_; ++d) {
        const bool left_in = s - d >= state.prompt_length, right_in = s + d < state.length;
        if (!left_in && !right_in) break;
        for (int64_t p : {s - d, s + d}) {
          if (added < window_ && masked_before(p) && active.insert(p).second) ++added;
        }
      }
    }
    plan.rows = RowSet::of(std::vector<int64_t>(active.begin(), active.end()));
    return plan;
  }

 private:
  int64_t interval_, window_;
};

}  // namespace

StrategyInfo dkv_greedy_info() {
  StrategyInfo info;
  info.name = "dkv-greedy";
  info.title = "dKV-Cache Greedy";
  info.description =
      "Caches every position; cached steps recompute only the scheduled tokens, the tokens "
      "decoded at the previous step and a window of masked neighbours. Needs random unmasking.";
  info.params = {int_param("refresh_interval", 2, 1, 1 << 30, "steps between full forwards"),
                 int_param("window", 4, 0, 1 << 20,
                           "masked neighbours recomputed around each scheduled token (0 = none)")};
  info.rules = {UnmaskRule::Random};
  info.exact_setting = {{"refresh_interval", "1"}};
  return info;
}

std::unique_ptr<CacheStrategy> make_dkv_greedy(const StrategySettings& settings) {
  return std::make_unique<DkvGreedy>(settings.get_int("refresh_interval"),
                                     settings.get_int("window"));
}

}  // namespace cachelens::cache

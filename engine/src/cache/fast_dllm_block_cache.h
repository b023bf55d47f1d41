// SPDX-License-Identifier: MIT
// The step plan both Fast-dLLM caches share (cache-strategies.md §2.2-2.3, §2.8): a full forward
// at each block start and every `interval` steps within the block; in between, the prefix cache
// recomputes the block and the whole suffix, the dual cache only the block.
#pragma once

#include "cache/cache_strategy.h"
#include "cache/param_helpers.h"

namespace cachelens::cache {

class FastDllmBlockCache : public CacheStrategy {
 public:
  FastDllmBlockCache(int64_t interval, bool dual) : interval_(interval), dual_(dual) {}

  StepPlan begin_step(const DecodeState& state) override {
    StepPlan plan;
    const int64_t i = state.step_in_block;
    if (i == 0 || (interval_ > 0 && i % interval_ == 0)) {
      plan.refresh = true;
    } else {
      plan.rows =
          RowSet::of(position_range(state.block_begin, dual_ ? state.block_end : state.length));
    }
    return plan;
  }

 private:
  int64_t interval_;
  bool dual_;
};

}  // namespace cachelens::cache

// SPDX-License-Identifier: MIT
// One info/factory pair per strategy file; registry.cpp lists them.
#pragma once

#include <memory>

#include "cache/cache_strategy.h"

namespace cachelens::cache {

#define CACHELENS_STRATEGY(id) \
  StrategyInfo id##_info();    \
  std::unique_ptr<CacheStrategy> make_##id(const StrategySettings& settings);

CACHELENS_STRATEGY(none)
CACHELENS_STRATEGY(fast_dllm_prefix)
CACHELENS_STRATEGY(fast_dllm_dual)
CACHELENS_STRATEGY(dkv_decode)
CACHELENS_STRATEGY(dkv_greedy)
CACHELENS_STRATEGY(dllm_cache)
CACHELENS_STRATEGY(elastic_cache)

#undef CACHELENS_STRATEGY

}  // namespace cachelens::cache

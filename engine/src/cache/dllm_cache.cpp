// SPDX-License-Identifier: MIT
// dLLM-Cache (cache-strategies.md §4), with LLaDA-V's own integration's defaults: per layer the
// K/V, attention output and MLP output of the prompt and of the response are cached separately.
// The prompt is refreshed every `prompt_interval` steps, the response every `gen_interval`
// steps; in between, the response's V is recomputed and the `transfer_ratio` least-similar rows
// are recomputed in full (V-verify). Steps count over the whole run, as the hook's counter does.
#include "cache/cache_strategy.h"
#include "cache/param_helpers.h"
#include "cache/strategies.h"

namespace cachelens::cache {
namespace {

class DllmCache : public CacheStrategy {
 public:
  DllmCache(int64_t prompt_interval, int64_t gen_interval, double ratio)
      : prompt_interval_(prompt_interval), gen_interval_(gen_interval), ratio_(ratio) {}

  CacheNeeds needs() const override { return {false, false, true}; }

  StepPlan begin_step(const DecodeState& state) override {
    StepPlan plan;
    plan.feature_reuse = true;
    const bool prompt = state.step % prompt_interval_ == 0;
    const bool gen = state.step % gen_interval_ == 0;
    if (prompt && gen) {
      plan.refresh = true;
      return plan;
    }
    std::vector<int64_t> computed;
    if (prompt) computed = position_range(0, state.prompt_length);
    if (gen) {
      const auto response = position_range(state.prompt_length, state.length);
      computed.insert(computed.end(), response.begin(), response.end());
    } else if (ratio_ > 0.0) {
      plan.probe = position_range(state.prompt_length, state.length);
      // int(gen_len * ratio) as the reference's refresh_index.
      plan.probe_select = static_cast<int64_t>(static_cast<double>(plan.probe.size()) * ratio_);
    }
    plan.computed = RowSet::of(std::move(computed));
    return plan;
  }

 private:
  int64_t prompt_interval_, gen_interval_;
  double ratio_;
};

}  // namespace

StrategyInfo dllm_cache_info() {
  StrategyInfo info;
  info.name = "dllm-cache";
  info.title = "dLLM-Cache";
  info.description =
      "Caches K/V, attention and MLP outputs of the prompt and the response separately, "
      "refreshed every prompt_interval / gen_interval steps; in between the response's V is "
      "recomputed and the least-similar transfer_ratio of it recomputed in full.";
  info.params = {
      int_param("prompt_interval", 25, 1, 1 << 30, "steps between prompt refreshes (K_p)"),
      int_param("gen_interval", 7, 1, 1 << 30, "steps between response refreshes (K_r)"),
      double_param("transfer_ratio", "0.25", 0.0, 1.0,
                   "share of response rows recomputed by V-verify on other steps (rho)")};
  info.rules = all_rules();
  info.exact_setting = {{"prompt_interval", "1"}, {"gen_interval", "1"}};
  return info;
}

std::unique_ptr<CacheStrategy> make_dllm_cache(const StrategySettings& settings) {
  return std::make_unique<DllmCache>(settings.get_int("prompt_interval"),
                                     settings.get_int("gen_interval"),
                                     settings.get_double("transfer_ratio"));
}

}  // namespace cachelens::cache

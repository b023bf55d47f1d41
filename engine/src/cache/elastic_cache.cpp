// SPDX-License-Identifier: MIT
// Elastic-Cache (cache-strategies.md §5, following the reference code where it differs from the
// paper): only the first `window` masks are decodable; each step queries the tracked tokens, the
// tokens decoded at the previous step and the window. Every layer tracks its most-attended
// prompt/decoded token; at reuse layers the tracked tokens' attention is compared with the
// previous step's, and the first layer whose similarity falls below gamma makes every deeper
// layer recompute all rows (from the cached layer inputs). Stops at the first stop token like the
// other strategies (the denoiser's rule), which matches its EOS early stop.
// Two choices where LLaDA-V's semi-AR blocks meet a method that has none: the window is the first
// masks of the current block (with block length = gen length, the default, it is the paper's
// window), and the unmasking rule is the run's: `threshold` keeps c >= tau plus the top-1, which
// equals the reference's c >= min(eps, max c) except for ties at the max.
#include <algorithm>
#include <cmath>

#include "cache/cache_strategy.h"
#include "cache/param_helpers.h"
#include "cache/strategies.h"

namespace cachelens::cache {
namespace {

class ElasticCache : public CacheStrategy {
 public:
  ElasticCache(double gamma, int64_t window, int64_t track_num, bool over_keys,
               bool full_every_step)
      : gamma_(gamma),
        window_(window),
        track_num_(track_num),
        over_keys_(over_keys),
        full_every_step_(full_every_step) {}

  CacheNeeds needs() const override { return {true, true, false}; }

  StepPlan begin_step(const DecodeState& state) override {
    StepPlan plan;
    const auto& c = state.candidates;
    plan.decode_rows.assign(c.begin(), c.begin() + std::min<int64_t>(window_, c.size()));
    plan.observe = true;
    plan.track_num = track_num_;
    plan.drift_over_keys = over_keys_;
    next_tracked_.clear();
    if (state.step == 0 || full_every_step_) {
      // The seed step (and the matched full-recompute reference) runs every layer in full.
      boundary_ = 0;
      plan.refresh = true;
      step_tracked_.clear();
      return plan;
    }
    boundary_ = -1;
    step_tracked_ = tracked_;
    plan.tracked = tracked_;
    std::vector<int64_t> rows = tracked_;
    rows.insert(rows.end(), state.decoded_last_step.begin(), state.decoded_last_step.end());
    rows.insert(rows.end(), plan.decode_rows.begin(), plan.decode_rows.end());
    plan.rows = RowSet::of(std::move(rows));
    return plan;
  }

  void attended(int64_t, const std::vector<int64_t>& top) override {
    for (int64_t p : top) {
      if (std::find(next_tracked_.begin(), next_tracked_.end(), p) == next_tracked_.end()) {
        next_tracked_.push_back(p);
      }
    }
  }

  std::optional<RowSet> after_layer(const LayerObservation& obs) override {
    // The test runs only at reuse layers; the first trigger makes the next layer the boundary.
    if (!obs.full && !std::isnan(obs.drift) && obs.drift < gamma_ && boundary_ < 0) {
      boundary_ = obs.layer + 1;
      return RowSet::everything();
    }
    return std::nullopt;
  }

  void end_step(const StepOutcome&) override { tracked_ = next_tracked_; }

  int64_t boundary_layer() const override { return boundary_; }
  std::vector<int64_t> tracked() const override { return step_tracked_; }

 private:
  double gamma_;
  int64_t window_, track_num_;
  bool over_keys_, full_every_step_;
  std::vector<int64_t> tracked_, next_tracked_, step_tracked_;
  int64_t boundary_ = -1;
};

}  // namespace

StrategyInfo elastic_cache_info() {
  StrategyInfo info;
  info.name = "elastic";
  info.title = "Elastic-Cache";
  info.description =
      "Sliding window of the first masks; per layer the most-attended token is tracked and its "
      "attention compared with the previous step's. From the layer after the first drift below "
      "gamma, every row is recomputed; shallower layers recompute only the query rows.";
  info.params = {
      double_param("gamma", "0.9", 0.0, 1.0, "drift-test threshold on the attention cosine"),
      int_param("window", 16, 1, 1 << 20, "masks decodable per step (beta)"),
      int_param("track_num", 1, 1, 64, "most-attended tokens tracked per layer"),
      choice_param("drift_measure", "heads", {"heads", "keys"},
                   "heads: cosine across heads per key, averaged (the reference code); keys: "
                   "cosine over the key axis (the paper's formula)"),
      bool_param("full_every_step", false,
                 "recompute every layer at every step (the matched full-recompute reference)")};
  info.rules = all_rules();
  info.exact_setting = {{"full_every_step", "true"}, {"window", "1048576"}};
  return info;
}

std::unique_ptr<CacheStrategy> make_elastic_cache(const StrategySettings& settings) {
  return std::make_unique<ElasticCache>(
      settings.get_double("gamma"), settings.get_int("window"), settings.get_int("track_num"),
      settings.get("drift_measure") == "keys", settings.get_bool("full_every_step"));
}

}  // namespace cachelens::cache

// SPDX-License-Identifier: MIT
// The interface every cache strategy implements (DESIGN.md): per step it chooses which rows the
// executor computes at each layer; everything else is read from caches. Strategies see positions
// and observations, never tensors; the denoiser turns their plans into executor plans.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "cachelens/decode.h"
#include "cachelens/strategy.h"

namespace cachelens::cache {

// A set of positions, or every position.
struct RowSet {
  bool all = true;
  std::vector<int64_t> rows;  // ascending, when !all

  static RowSet everything() { return {}; }
  static RowSet of(std::vector<int64_t> rows);  // sorts and removes duplicates
  bool contains(int64_t position) const;
  int64_t size(int64_t length) const { return all ? length : static_cast<int64_t>(rows.size()); }
};

// The decoding state a strategy plans from. Positions are absolute (prompt rows first).
struct DecodeState {
  int64_t step = 0;  // over the run
  int64_t block = 0, step_in_block = 0;
  int64_t prompt_length = 0, length = 0, num_layers = 0;
  int64_t block_begin = 0, block_end = 0;
  UnmaskRule rule = UnmaskRule::Fixed;
  const std::vector<uint8_t>* masked = nullptr;  // [length]: 1 where the position is a mask
  std::vector<int64_t> candidates;  // masks the rule may decode now (the block, before any stop)
  std::vector<int64_t> decoded_last_step;
  // Under `random` the order is drawn at block start, so the positions this step commits are
  // known before the forward (dKV-Cache Greedy needs them).
  std::vector<int64_t> scheduled;

  bool is_masked(int64_t position) const { return (*masked)[static_cast<size_t>(position)] != 0; }
};

struct StepPlan {
  RowSet rows;                       // computed at layer 0 (and on, unless after_layer widens)
  std::vector<int64_t> decode_rows;  // a subset of the candidates; empty = all candidates
  bool refresh = false;              // every cache is rebuilt this step
  // Elastic-Cache: observe attention (drift of `tracked`, most-attended keys of the decode rows).
  bool observe = false;
  std::vector<int64_t> tracked;
  int64_t track_num = 1;         // most-attended keys picked per layer
  bool drift_over_keys = false;  // the paper's cosine instead of the reference code's
  // dLLM-Cache: every row flows; `computed` rows get attention and MLP, `probe` rows a fresh V,
  // and the probe_select least-similar probe rows are recomputed too.
  bool feature_reuse = false;
  RowSet computed;
  std::vector<int64_t> probe;
  int64_t probe_select = 0;
};

struct LayerObservation {
  int64_t layer = 0;
  bool full = false;  // every row was computed at this layer
  double drift = std::numeric_limits<double>::quiet_NaN();
};

// Which optional per-layer caches the executor must keep (see LayerCache).
struct CacheNeeds {
  bool hidden = false;   // layer inputs: rows may join at a deeper layer
  bool queries = false;  // post-RoPE queries: the drift test
  bool outputs = false;  // attention and MLP outputs: feature reuse
};

struct StepOutcome {
  std::vector<int64_t> decoded;  // positions committed this step
};

class CacheStrategy {
 public:
  virtual ~CacheStrategy() = default;
  virtual CacheNeeds needs() const { return {}; }
  virtual StepPlan begin_step(const DecodeState& state) = 0;
  // After each layer, when the plan observes: the rows from the next layer on (nullopt keeps
  // them; ignored after the last layer).
  virtual std::optional<RowSet> after_layer(const LayerObservation&) { return std::nullopt; }
  // After the forward, when the plan observes: each layer's most-attended keys, in layer order.
  // (Read back once per step rather than per layer: on a GPU every read-back is a sync.)
  virtual void attended(int64_t /*layer*/, const std::vector<int64_t>& /*top*/) {}
  virtual void end_step(const StepOutcome&) {}
  // Elastic-Cache's first full layer of this step (-1: none), and its tracked positions.
  virtual int64_t boundary_layer() const { return -1; }
  virtual std::vector<int64_t> tracked() const { return {}; }
};

// Builds the strategy `settings` names (validated against `rule` first).
std::unique_ptr<CacheStrategy> make_strategy(const StrategySettings& settings, UnmaskRule rule);

// The registry: one entry per strategy file.
struct StrategyEntry {
  StrategyInfo (*info)();
  std::unique_ptr<CacheStrategy> (*make)(const StrategySettings&);
};
const std::vector<StrategyEntry>& strategy_registry();

}  // namespace cachelens::cache

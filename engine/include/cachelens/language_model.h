// SPDX-License-Identifier: MIT
// The LLaDA language tower as the row-subset executor (DESIGN.md): per layer, only the planned
// rows are computed; their K/V are written into that layer's cache at their positions; their
// queries attend over every key of the cache (bidirectional); logits come only for decode rows.
// Full recompute is the plan with every row at every layer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "cachelens/config.h"
#include "cachelens/ops.h"

namespace cachelens {

class SafetensorsArchive;

struct LanguageWeights {
  struct Layer {
    torch::Tensor q_proj, k_proj, v_proj, o_proj;  // [out, in]
    torch::Tensor gate_proj, up_proj, down_proj;
    torch::Tensor input_norm, post_norm;  // [D]
  };
  torch::Tensor embed_tokens;  // [vocab_size, D]
  std::vector<Layer> layers;
  torch::Tensor norm;  // [D]
  torch::Tensor
      lm_head;  // [len(tokenizer), D]: sliced like the reference's resize_token_embeddings

  // Reads every tensor (already checked by Checkpoint::open) onto `options`' device and dtype.
  // `on_tensor` is called after each tensor (progress; it may throw Cancelled).
  static LanguageWeights load(const SafetensorsArchive& archive, const TextConfig& text,
                              int64_t used_vocab, const torch::TensorOptions& options,
                              const std::function<void()>& on_tensor = {});
  // Every tensor with its checkpoint name, in checkpoint order (`layers` is sized first). Loading,
  // saving and training walk this one list, so the names can never disagree.
  void visit(const TextConfig& text,
             const std::function<void(const std::string&, torch::Tensor&)>& fn);
};

// Per-layer caches of the executor. k/v hold every position, post-RoPE ([kv_heads, N, head_dim]).
// Optional features, as a strategy needs them: hidden_in ([N, D], each layer's input, so a row can
// join the computation at a deeper layer without recomputing the shallower ones), q (post-RoPE
// queries [heads, N, head_dim], for Elastic-Cache's drift test) and attn_out/mlp_out ([N, D], the
// layer's two residual contributions, for dLLM-Cache's feature reuse).
struct LayerCache {
  torch::Tensor k, v, hidden_in, q, attn_out, mlp_out;
};
struct CacheFeatures {
  bool hidden = false;
  bool queries = false;
  bool outputs = false;
};
struct KVCache {
  std::vector<LayerCache> layers;
  int64_t length = 0;
  CacheFeatures features;
  // Empties the cache for a sequence of `length` positions. Nothing is allocated: the first
  // forward of a run computes every row and fills it (every strategy starts with a full step).
  void reset(const TextConfig& text, int64_t length, CacheFeatures features);
  bool empty() const { return layers.empty(); }
};

// Elastic-Cache's observation of each layer's attention (cache-strategies.md §5.4).
struct AttentionObservation {
  // Positions whose attention rows are compared with the previous step's (must be computed rows
  // at every layer that tests); the drift is measured only at partial-row layers.
  torch::Tensor tracked;
  // Positions (computed rows) whose attention, summed over heads and rows, picks the most-attended
  // eligible keys.
  torch::Tensor window;
  torch::Tensor eligible;  // float [N]: 1 where a key may be picked
  int64_t top_k = 1;
  // The reference code takes the cosine across heads per (row, key) and averages; the paper's
  // formula is the cosine over the key axis. Both are offered.
  bool drift_over_keys = false;
};

// dLLM-Cache's feature reuse (cache-strategies.md §4): every row flows through every layer, but
// only `computed` rows (plus the least-similar probe rows) get attention and MLP; the others add
// the layer's cached attention and MLP outputs. Requires CacheFeatures::outputs.
struct FeatureReuse {
  torch::Tensor computed;    // rows recomputed in full; undefined = every row (a full refresh)
  torch::Tensor probe;       // rows whose V is recomputed and compared with the cached V
  int64_t probe_select = 0;  // that many least-similar probe rows are recomputed in full
};

// What a strategy may look at after a layer: the rows just computed and their post-RoPE queries,
// the layer's cache, and the attention observation when one was asked for.
struct LayerView {
  int layer = 0;
  const torch::Tensor& rows;  // undefined = all positions
  const torch::Tensor& q;     // [heads, n, head_dim]
  const LayerCache& cache;
  bool full;                   // every position was computed at this layer
  double drift;                // NaN where not measured
  torch::Tensor top_attended;  // int64 positions; undefined without an observation
};

struct ForwardPlan {
  torch::Tensor rows;         // int64 ascending positions for layer 0; undefined = all positions
  torch::Tensor decode_rows;  // int64 ascending positions whose logits are wanted
  // After each layer: the rows for the next layers (undefined = unchanged; ignored after the last
  // layer). Rows that were not computed at the previous layer need CacheFeatures::hidden.
  std::function<torch::Tensor(const LayerView&)> after_layer;
  std::function<bool()> should_stop;  // polled before every layer; true throws Cancelled
  const AttentionObservation* observe = nullptr;
  const FeatureReuse* features = nullptr;  // with rows undefined
  // Run every layer with the current rows and call after_layer for them only after the pass,
  // with all drifts read back at once; when it changes the rows at layer l, the layers after l
  // run again with the new rows (their inputs were stored in the hidden cache on the way). The
  // result equals per-layer decisions; on a GPU it saves a sync per layer, at the price of
  // recomputing the deeper layers' few rows when the rows change.
  bool defer_observations = false;
  // bool [N, N]: true where position i may attend to position j; undefined = everywhere. Packed
  // training batches (several sequences in one) keep their sequences apart with it.
  torch::Tensor attention_mask;
};

struct ForwardStats {
  std::vector<int64_t> rows_per_layer;       // rows computed in full at each layer
  std::vector<torch::Tensor> computed_rows;  // per layer; undefined = all positions
  std::vector<torch::Tensor> partial_rows;   // per layer: V-only rows (dLLM-Cache)
  std::vector<double> drift;                 // per layer; NaN where not measured
};

class LanguageModel {
 public:
  LanguageModel(LanguageWeights weights, TextConfig text);

  const TextConfig& config() const { return text_; }
  const LanguageWeights& weights() const { return weights_; }
  torch::TensorOptions options() const { return weights_.norm.options(); }
  int64_t used_vocab() const { return weights_.lm_head.size(0); }

  torch::Tensor embed(const torch::Tensor& ids) const;  // [n] -> [n, D]
  // Prompt ids with kImageTokenIndex placeholders -> [n, D] embeddings with `image_rows` spliced
  // in, truncated to `max_length` (0 = none) as the reference truncates to
  // tokenizer_model_max_length.
  torch::Tensor splice_prompt(const std::vector<int32_t>& ids, const torch::Tensor& image_rows,
                              int64_t max_length) const;
  ops::RopeTable rope_for_length(int64_t length) const;

  // inputs [N, D]: the current input embedding of every position. Returns fp32 logits
  // [decode_rows, used_vocab]. `rope` covers positions 0..N-1.
  torch::Tensor forward(const torch::Tensor& inputs, const ops::RopeTable& rope,
                        const ForwardPlan& plan, KVCache& cache, ForwardStats* stats) const;

 private:
  struct LayerResult {
    torch::Tensor h, q;
    bool full;
    double drift;
    torch::Tensor drift_tensor;  // the drift, unread, when observations are deferred
    torch::Tensor top_attended;
  };
  LayerResult row_layer(int64_t layer, torch::Tensor h, const torch::Tensor& rows,
                        const ops::RopeTable& rows_rope, const ForwardPlan& plan, KVCache& cache,
                        bool hidden_stored) const;
  torch::Tensor feature_layer(int64_t layer, torch::Tensor h, const ops::RopeTable& rope,
                              const FeatureReuse& reuse, KVCache& cache, ForwardStats* stats) const;

  LanguageWeights weights_;
  TextConfig text_;
};

}  // namespace cachelens

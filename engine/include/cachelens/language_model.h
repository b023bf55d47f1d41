// SPDX-License-Identifier: MIT
// The LLaDA language tower as the row-subset executor (DESIGN.md): per layer, only the planned
// rows are computed; their K/V are written into that layer's cache at their positions; their
// queries attend over every key of the cache (bidirectional); logits come only for decode rows.
// Full recompute is the plan with every row at every layer.
#pragma once

#include <cstdint>
#include <functional>
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
};

// Per-layer caches of the executor. k/v hold every position, post-RoPE ([kv_heads, N, head_dim]);
// hidden_in (only with keep_hidden) holds each layer's input, so a strategy can bring a row back
// into the computation at a deeper layer without recomputing the shallower ones.
struct LayerCache {
  torch::Tensor k, v, hidden_in;
};
struct KVCache {
  std::vector<LayerCache> layers;
  int64_t length = 0;
  bool keep_hidden = false;
  // Empties the cache for a sequence of `length` positions. Nothing is allocated: the first
  // forward of a run computes every row and fills it (every strategy starts with a full step).
  void reset(const TextConfig& text, int64_t length, bool keep_hidden);
  bool empty() const { return layers.empty(); }
};

// What a strategy may look at after a layer: the rows just computed and their post-RoPE queries,
// with the layer's cache (for attention observations such as Elastic-Cache's drift test).
struct LayerView {
  int layer = 0;
  const torch::Tensor& rows;  // undefined = all positions
  const torch::Tensor& q;     // [heads, n, head_dim]
  const LayerCache& cache;
};

struct ForwardPlan {
  torch::Tensor rows;         // int64 ascending positions for layer 0; undefined = all positions
  torch::Tensor decode_rows;  // int64 ascending positions whose logits are wanted
  // After each layer but the last: the rows for the next layers (undefined = unchanged). Rows
  // that were not computed at the previous layer need keep_hidden in the cache.
  std::function<torch::Tensor(const LayerView&)> after_layer;
  std::function<bool()> should_stop;  // polled before every layer; true throws Cancelled
};

struct ForwardStats {
  std::vector<int64_t> rows_per_layer;  // rows computed at each layer
};

class LanguageModel {
 public:
  LanguageModel(LanguageWeights weights, TextConfig text);

  const TextConfig& config() const { return text_; }
  const LanguageWeights& weights() const { return weights_; }
  torch::TensorOptions options() const { return weights_.norm.options(); }
  int64_t used_vocab() const { return weights_.lm_head.size(0); }

  torch::Tensor embed(const torch::Tensor& ids) const;  // [n] -> [n, D]
  ops::RopeTable rope_for_length(int64_t length) const;

  // inputs [N, D]: the current input embedding of every position. Returns fp32 logits
  // [decode_rows, used_vocab]. `rope` covers positions 0..N-1.
  torch::Tensor forward(const torch::Tensor& inputs, const ops::RopeTable& rope,
                        const ForwardPlan& plan, KVCache& cache, ForwardStats* stats) const;

 private:
  LanguageWeights weights_;
  TextConfig text_;
};

}  // namespace cachelens

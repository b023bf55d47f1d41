// SPDX-License-Identifier: MIT
#include "cachelens/language_model.h"

#include <torch/torch.h>

#include "cachelens/error.h"
#include "cachelens/safetensors.h"

namespace cachelens {
namespace {

// Rows of `tensor` ([N, ...] along `dim`) at `rows`, or all of it when rows is undefined.
torch::Tensor select_rows(const torch::Tensor& tensor, const torch::Tensor& rows, int64_t dim) {
  return rows.defined() ? tensor.index_select(dim, rows) : tensor;
}

// Writes `values` at `rows` along `dim`, replacing the whole cache on a full-rows pass (no copy,
// and autograd-friendly for training).
void write_rows(torch::Tensor& cache, const torch::Tensor& rows, const torch::Tensor& values,
                int64_t dim) {
  if (!rows.defined()) {
    cache = values;
  } else if (!cache.defined()) {
    fail(
        "forward: a partial-rows pass found an empty cache (the first step must compute all rows)");
  } else {
    cache.index_copy_(dim, rows, values);
  }
}

// [kv_heads, N, d] -> [heads, N, d] for grouped-query attention (LLaDA has none: a no-op there).
torch::Tensor expand_kv(const torch::Tensor& kv, int64_t heads) {
  const int64_t kv_heads = kv.size(0);
  return kv_heads == heads ? kv : kv.repeat_interleave(heads / kv_heads, 0);
}

}  // namespace

LanguageWeights LanguageWeights::load(const SafetensorsArchive& archive, const TextConfig& text,
                                      int64_t used_vocab, const torch::TensorOptions& options,
                                      const std::function<void()>& on_tensor) {
  const auto load_tensor = [&](const SafetensorsArchive& a, const std::string& name,
                               const torch::TensorOptions& o) {
    auto t = a.tensor(name).to(o);
    if (on_tensor) on_tensor();
    return t;
  };
  LanguageWeights w;
  w.embed_tokens = load_tensor(archive, "model.embed_tokens.weight", options);
  for (int64_t l = 0; l < text.num_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    Layer layer;
    layer.q_proj = load_tensor(archive, p + "self_attn.q_proj.weight", options);
    layer.k_proj = load_tensor(archive, p + "self_attn.k_proj.weight", options);
    layer.v_proj = load_tensor(archive, p + "self_attn.v_proj.weight", options);
    layer.o_proj = load_tensor(archive, p + "self_attn.o_proj.weight", options);
    layer.gate_proj = load_tensor(archive, p + "mlp.gate_proj.weight", options);
    layer.up_proj = load_tensor(archive, p + "mlp.up_proj.weight", options);
    layer.down_proj = load_tensor(archive, p + "mlp.down_proj.weight", options);
    layer.input_norm = load_tensor(archive, p + "input_layernorm.weight", options);
    layer.post_norm = load_tensor(archive, p + "post_attention_layernorm.weight", options);
    w.layers.push_back(std::move(layer));
  }
  w.norm = load_tensor(archive, "model.norm.weight", options);
  // The reference truncates lm_head to len(tokenizer): the extra rows never take part in the
  // softmax that gives confidences.
  w.lm_head = archive.tensor("lm_head.weight").narrow(0, 0, used_vocab).to(options);
  return w;
}

void KVCache::reset(const TextConfig& text, int64_t n, bool keep) {
  layers.assign(static_cast<size_t>(text.num_layers), LayerCache{});
  length = n;
  keep_hidden = keep;
}

LanguageModel::LanguageModel(LanguageWeights weights, TextConfig text)
    : weights_(std::move(weights)), text_(std::move(text)) {}

torch::Tensor LanguageModel::embed(const torch::Tensor& ids) const {
  return weights_.embed_tokens.index_select(0, ids.to(weights_.embed_tokens.device()));
}

ops::RopeTable LanguageModel::rope_for_length(int64_t length) const {
  const auto positions =
      torch::arange(length, torch::TensorOptions().dtype(torch::kInt64).device(options().device()));
  return ops::rope_table(positions, text_.head_dim, text_.rope_theta,
                         options().dtype().toScalarType());
}

torch::Tensor LanguageModel::forward(const torch::Tensor& inputs, const ops::RopeTable& rope,
                                     const ForwardPlan& plan, KVCache& cache,
                                     ForwardStats* stats) const {
  const int64_t n_total = inputs.size(0);
  const int64_t heads = text_.num_heads, kv_heads = text_.num_kv_heads, hd = text_.head_dim;
  if (cache.empty() || cache.length != n_total) {
    fail("forward: the cache holds ", cache.length, " positions but the input has ", n_total);
  }
  torch::Tensor rows = plan.rows;
  torch::Tensor h = select_rows(inputs, rows, 0);
  ops::RopeTable rows_rope{select_rows(rope.cos, rows, 0), select_rows(rope.sin, rows, 0)};
  bool hidden_stored = false;  // true when this layer's input was written by a row transition
  if (stats) stats->rows_per_layer.assign(weights_.layers.size(), 0);

  const int64_t num_layers = static_cast<int64_t>(weights_.layers.size());
  for (int64_t l = 0; l < num_layers; ++l) {
    if (plan.should_stop && plan.should_stop()) throw Cancelled();
    const auto& w = weights_.layers[static_cast<size_t>(l)];
    auto& layer_cache = cache.layers[static_cast<size_t>(l)];
    const int64_t n = h.size(0);
    if (stats) stats->rows_per_layer[static_cast<size_t>(l)] = n;
    if (cache.keep_hidden && !hidden_stored) write_rows(layer_cache.hidden_in, rows, h, 0);

    // x [n, D] -> q [heads, n, hd], k/v [kv_heads, n, hd]
    const auto x = ops::rms_norm(h, w.input_norm, text_.rms_norm_eps);
    auto q = torch::linear(x, w.q_proj).view({n, heads, hd}).transpose(0, 1);
    auto k = torch::linear(x, w.k_proj).view({n, kv_heads, hd}).transpose(0, 1);
    auto v = torch::linear(x, w.v_proj).view({n, kv_heads, hd}).transpose(0, 1);
    q = ops::apply_rope(q, rows_rope);
    k = ops::apply_rope(k, rows_rope);
    write_rows(layer_cache.k, rows, k, 1);
    write_rows(layer_cache.v, rows, v.contiguous(), 1);

    const auto attended =
        ops::attention(q, expand_kv(layer_cache.k, heads), expand_kv(layer_cache.v, heads));
    h = h + torch::linear(attended.transpose(0, 1).reshape({n, heads * hd}), w.o_proj);
    const auto y = ops::rms_norm(h, w.post_norm, text_.rms_norm_eps);
    h = h + ops::swiglu_mlp(y, w.gate_proj, w.up_proj, w.down_proj);

    hidden_stored = false;
    if (l + 1 < num_layers && plan.after_layer) {
      torch::Tensor next = plan.after_layer(LayerView{static_cast<int>(l), rows, q, layer_cache});
      // An undefined answer keeps the rows; a strategy asks for every row with a full arange.
      if (next.defined() && !(rows.defined() && next.size(0) == rows.size(0) && next.equal(rows))) {
        // Rows entering at layer l+1 take their input from that layer's hidden cache.
        auto& next_cache = cache.layers[static_cast<size_t>(l + 1)];
        if (!cache.keep_hidden) {
          fail("forward: the plan changed rows at layer ", l + 1,
               " but the cache keeps no hidden states");
        }
        write_rows(next_cache.hidden_in, rows, h, 0);
        h = select_rows(next_cache.hidden_in, next, 0);
        hidden_stored = true;
        rows = next;
        rows_rope = {select_rows(rope.cos, rows, 0), select_rows(rope.sin, rows, 0)};
      }
    }
  }

  // Logits only for the decode rows: never an [N x vocab] tensor.
  torch::Tensor final_rows = h;
  if (plan.decode_rows.defined()) {
    const auto index =
        rows.defined() ? torch::searchsorted(rows, plan.decode_rows) : plan.decode_rows;
    final_rows = h.index_select(0, index);
  }
  const auto normed = ops::rms_norm(final_rows, weights_.norm, text_.rms_norm_eps);
  return torch::linear(normed, weights_.lm_head).to(torch::kFloat32);
}

}  // namespace cachelens

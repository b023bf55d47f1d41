// SPDX-License-Identifier: MIT
#include "cachelens/language_model.h"

#include <limits>

#include <torch/torch.h>

#include "cachelens/chat_template.h"
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
    // On a GPU a full pass writes into the existing buffers: captured graphs hold their addresses.
    if (cache.defined() && cache.is_cuda() && cache.sizes() == values.sizes() &&
        !values.requires_grad()) {
      cache.copy_(values);
    } else {
      cache = values;
    }
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

// Where each of `positions` sits in the ascending `rows` (rows undefined = every position).
torch::Tensor index_within(const torch::Tensor& rows, const torch::Tensor& positions,
                           const char* what) {
  if (!rows.defined()) return positions;
  const auto index = torch::searchsorted(rows, positions).clamp_max(rows.size(0) - 1);
  // The check reads the result back, a device sync per call (and impossible inside a CUDA graph):
  // on a GPU the plans are trusted, as the CPU runs of the same plans check them.
  if (rows.is_cuda()) return index;
  if (!rows.index_select(0, index).equal(positions)) {
    fail("forward: every ", what, " position must be among the computed rows");
  }
  return index;
}

}  // namespace

void LanguageWeights::visit(const TextConfig& text,
                            const std::function<void(const std::string&, torch::Tensor&)>& fn) {
  layers.resize(static_cast<size_t>(text.num_layers));
  fn("model.embed_tokens.weight", embed_tokens);
  for (int64_t l = 0; l < text.num_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    auto& layer = layers[static_cast<size_t>(l)];
    fn(p + "self_attn.q_proj.weight", layer.q_proj);
    fn(p + "self_attn.k_proj.weight", layer.k_proj);
    fn(p + "self_attn.v_proj.weight", layer.v_proj);
    fn(p + "self_attn.o_proj.weight", layer.o_proj);
    fn(p + "mlp.gate_proj.weight", layer.gate_proj);
    fn(p + "mlp.up_proj.weight", layer.up_proj);
    fn(p + "mlp.down_proj.weight", layer.down_proj);
    fn(p + "input_layernorm.weight", layer.input_norm);
    fn(p + "post_attention_layernorm.weight", layer.post_norm);
  }
  fn("model.norm.weight", norm);
  fn("lm_head.weight", lm_head);
}

LanguageWeights LanguageWeights::load(const SafetensorsArchive& archive, const TextConfig& text,
                                      int64_t used_vocab, const torch::TensorOptions& options,
                                      const std::function<void()>& on_tensor) {
  LanguageWeights w;
  w.visit(text, [&](const std::string& name, torch::Tensor& t) {
    t = archive.tensor(name);
    // The reference truncates lm_head to len(tokenizer): the extra rows never take part in the
    // softmax that gives confidences.
    if (name == "lm_head.weight") t = t.narrow(0, 0, used_vocab);
    t = t.to(options);
    if (on_tensor && name != "lm_head.weight") on_tensor();
  });
  return w;
}

torch::Tensor LanguageModel::splice_prompt(const std::vector<int32_t>& ids,
                                           const torch::Tensor& image_rows,
                                           int64_t max_length) const {
  const auto index_options = torch::TensorOptions().dtype(torch::kInt64).device(options().device());
  std::vector<torch::Tensor> parts;
  std::vector<int64_t> text;
  const auto flush = [&] {
    if (text.empty()) return;
    parts.push_back(embed(torch::tensor(text, index_options)));
    text.clear();
  };
  for (int32_t id : ids) {
    if (id == kImageTokenIndex) {
      flush();
      if (!image_rows.defined()) fail("the prompt holds <image> but no image was given");
      parts.push_back(image_rows.to(options()));
    } else {
      text.push_back(id);
    }
  }
  flush();
  auto embeddings = torch::cat(parts, 0);
  // The reference truncates the spliced sequence to tokenizer_model_max_length.
  if (max_length > 0 && embeddings.size(0) > max_length) {
    embeddings = embeddings.narrow(0, 0, max_length);
  }
  return embeddings;
}

void KVCache::reset(const TextConfig& text, int64_t n, CacheFeatures wanted) {
  layers.assign(static_cast<size_t>(text.num_layers), LayerCache{});
  length = n;
  features = wanted;
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

LanguageModel::LayerResult LanguageModel::row_layer(int64_t l, torch::Tensor h,
                                                    const torch::Tensor& rows,
                                                    const ops::RopeTable& rows_rope,
                                                    const ForwardPlan& plan, KVCache& cache,
                                                    bool hidden_stored) const {
  const int64_t heads = text_.num_heads, kv_heads = text_.num_kv_heads, hd = text_.head_dim;
  const auto& w = weights_.layers[static_cast<size_t>(l)];
  auto& lc = cache.layers[static_cast<size_t>(l)];
  const int64_t n = h.size(0);
  if (cache.features.hidden && !hidden_stored) write_rows(lc.hidden_in, rows, h, 0);

  // x [n, D] -> q [heads, n, hd], k/v [kv_heads, n, hd]
  const auto x = ops::rms_norm(h, w.input_norm, text_.rms_norm_eps);
  auto q = torch::linear(x, w.q_proj).view({n, heads, hd}).transpose(0, 1);
  auto k = torch::linear(x, w.k_proj).view({n, kv_heads, hd}).transpose(0, 1);
  auto v = torch::linear(x, w.v_proj).view({n, kv_heads, hd}).transpose(0, 1);
  q = ops::apply_rope(q, rows_rope);
  k = ops::apply_rope(k, rows_rope);

  // The drift test compares with the previous step's attention: its queries and keys are read
  // before this step overwrites them (reuse layers only: a full layer has nothing to compare).
  const AttentionObservation* observe = plan.observe;
  const bool full = !rows.defined() || rows.size(0) == cache.length;
  torch::Tensor previous;
  if (observe && !full && observe->tracked.defined() && observe->tracked.numel() > 0 &&
      lc.q.defined()) {
    previous = ops::attention_probs(lc.q.index_select(1, observe->tracked), expand_kv(lc.k, heads));
  }
  if (cache.features.queries) write_rows(lc.q, rows, q.contiguous(), 1);
  write_rows(lc.k, rows, k.contiguous(), 1);
  write_rows(lc.v, rows, v.contiguous(), 1);

  const auto keys = expand_kv(lc.k, heads);
  const auto mask =
      plan.attention_mask.defined() ? select_rows(plan.attention_mask, rows, 0) : torch::Tensor();
  const auto attended = ops::attention(q, keys, expand_kv(lc.v, heads), mask);
  h = h + torch::linear(attended.transpose(0, 1).reshape({n, heads * hd}), w.o_proj);
  const auto y = ops::rms_norm(h, w.post_norm, text_.rms_norm_eps);
  h = h + ops::swiglu_mlp(y, w.gate_proj, w.up_proj, w.down_proj);

  LayerResult result{h, q, full, std::numeric_limits<double>::quiet_NaN(), {}, {}};
  if (observe) {
    if (previous.defined()) {
      const auto now = ops::attention_probs(
          q.index_select(1, index_within(rows, observe->tracked, "tracked")), keys);
      // [heads, tracked, N]: across heads per (row, key), or over the keys per (head, row).
      const int64_t dim = observe->drift_over_keys ? 2 : 0;
      const auto drift = torch::cosine_similarity(previous, now, dim, 1e-8).mean();
      if (plan.defer_observations) {
        result.drift_tensor = drift;
      } else {
        result.drift = drift.item<double>();
      }
    }
    if (observe->window.defined() && observe->window.numel() > 0) {
      const auto probs = ops::attention_probs(
          q.index_select(1, index_within(rows, observe->window, "window")), keys);
      const auto score =
          probs.sum(std::vector<int64_t>{0, 1}) * observe->eligible.to(probs.dtype());
      const int64_t top = std::min<int64_t>(observe->top_k, score.size(0));
      result.top_attended = std::get<1>(score.topk(top));
    }
  }
  return result;
}

torch::Tensor LanguageModel::feature_layer(int64_t l, torch::Tensor h, const ops::RopeTable& rope,
                                           const FeatureReuse& reuse, KVCache& cache,
                                           ForwardStats* stats) const {
  const int64_t heads = text_.num_heads, kv_heads = text_.num_kv_heads, hd = text_.head_dim;
  const auto& w = weights_.layers[static_cast<size_t>(l)];
  auto& lc = cache.layers[static_cast<size_t>(l)];
  const auto x = ops::rms_norm(h, w.input_norm, text_.rms_norm_eps);

  // V-verify: the probe rows' fresh V replaces the cached V; the least similar rows (cosine of
  // the flattened V) are recomputed in full.
  torch::Tensor computed = reuse.computed;
  if (computed.defined() && reuse.probe.defined() && reuse.probe.numel() > 0) {
    if (!lc.v.defined()) fail("forward: V-verify found an empty cache at layer ", l);
    const int64_t np = reuse.probe.size(0);
    const auto fresh = torch::linear(x.index_select(0, reuse.probe), w.v_proj);  // [np, kv*hd]
    const auto cached = lc.v.index_select(1, reuse.probe).transpose(0, 1).reshape({np, -1});
    // Rows whose V did not change have a similarity of 1 up to rounding, which differs between
    // devices: ranking rounded values with a stable sort picks the same rows on CPU and CUDA (ties
    // go to the earlier position) where a raw topk would pick by rounding noise.
    const auto similarity =
        (torch::cosine_similarity(fresh, cached, 1, 1e-8).to(torch::kFloat64) * 1e5).round();
    const int64_t select = std::min(reuse.probe_select, np);
    const auto order = std::get<1>(similarity.sort(/*stable=*/true, 0, /*descending=*/false));
    const auto chosen = reuse.probe.index_select(0, order.narrow(0, 0, select));
    lc.v.index_copy_(1, reuse.probe, fresh.view({np, kv_heads, hd}).transpose(0, 1).contiguous());
    computed = std::get<0>(torch::cat({computed, chosen}).sort());
    if (stats) stats->partial_rows[static_cast<size_t>(l)] = reuse.probe;
  }
  if (stats) {
    stats->computed_rows[static_cast<size_t>(l)] = computed;
    stats->rows_per_layer[static_cast<size_t>(l)] =
        computed.defined() ? computed.size(0) : h.size(0);
  }

  if (!computed.defined() || computed.numel() > 0) {
    const auto xc = select_rows(x, computed, 0);
    const int64_t n = xc.size(0);
    const ops::RopeTable rows_rope{select_rows(rope.cos, computed, 0),
                                   select_rows(rope.sin, computed, 0)};
    auto q = ops::apply_rope(torch::linear(xc, w.q_proj).view({n, heads, hd}).transpose(0, 1),
                             rows_rope);
    auto k = ops::apply_rope(torch::linear(xc, w.k_proj).view({n, kv_heads, hd}).transpose(0, 1),
                             rows_rope);
    auto v = torch::linear(xc, w.v_proj).view({n, kv_heads, hd}).transpose(0, 1);
    write_rows(lc.k, computed, k.contiguous(), 1);
    write_rows(lc.v, computed, v.contiguous(), 1);
    const auto attended = ops::attention(q, expand_kv(lc.k, heads), expand_kv(lc.v, heads));
    write_rows(lc.attn_out, computed,
               torch::linear(attended.transpose(0, 1).reshape({n, heads * hd}), w.o_proj), 0);
  } else if (!lc.attn_out.defined()) {
    fail("forward: feature reuse found an empty cache at layer ", l);
  }
  h = h + lc.attn_out;
  if (!computed.defined() || computed.numel() > 0) {
    const auto y = ops::rms_norm(select_rows(h, computed, 0), w.post_norm, text_.rms_norm_eps);
    write_rows(lc.mlp_out, computed, ops::swiglu_mlp(y, w.gate_proj, w.up_proj, w.down_proj), 0);
  }
  return h + lc.mlp_out;
}

torch::Tensor LanguageModel::forward(const torch::Tensor& inputs, const ops::RopeTable& rope,
                                     const ForwardPlan& plan, KVCache& cache,
                                     ForwardStats* stats) const {
  const int64_t n_total = inputs.size(0);
  if (cache.empty() || cache.length != n_total) {
    fail("forward: the cache holds ", cache.length, " positions but the input has ", n_total);
  }
  const int64_t num_layers = static_cast<int64_t>(weights_.layers.size());
  if (stats) {
    stats->rows_per_layer.assign(static_cast<size_t>(num_layers), 0);
    stats->computed_rows.assign(static_cast<size_t>(num_layers), torch::Tensor());
    stats->partial_rows.assign(static_cast<size_t>(num_layers), torch::Tensor());
    stats->drift.assign(static_cast<size_t>(num_layers), std::numeric_limits<double>::quiet_NaN());
  }
  if (plan.features && !cache.features.outputs) {
    fail("forward: feature reuse needs a cache that keeps layer outputs");
  }
  if (plan.features && (plan.rows.defined() || plan.after_layer)) {
    fail("forward: feature reuse runs every row through every layer");
  }
  if (plan.attention_mask.defined() &&
      (plan.features || plan.observe ||
       plan.attention_mask.sizes() != torch::IntArrayRef({n_total, n_total}))) {
    fail("forward: an attention mask must be [", n_total, ", ", n_total,
         "] and is not combined with feature reuse or observations");
  }
  if (plan.observe && !cache.features.queries) {
    fail("forward: an attention observation needs a cache that keeps queries");
  }

  torch::Tensor rows = plan.rows;
  torch::Tensor h = select_rows(inputs, rows, 0);
  ops::RopeTable rows_rope{select_rows(rope.cos, rows, 0), select_rows(rope.sin, rows, 0)};
  bool hidden_stored = false;  // true when this layer's input was written by a row transition
  // An undefined answer keeps the rows; a strategy asks for every row with a full arange.
  const auto changes_rows = [&](const torch::Tensor& next) {
    return next.defined() && !(rows.defined() && next.size(0) == rows.size(0) && next.equal(rows));
  };
  // Rows entering at layer `l` take their input from that layer's hidden cache; `h` (the output
  // of layer l-1 for the current rows) is stored there first unless the pass already did.
  const auto enter = [&](int64_t l, const torch::Tensor& next, bool store_h) {
    auto& next_cache = cache.layers[static_cast<size_t>(l)];
    if (!cache.features.hidden) {
      fail("forward: the plan changed rows at layer ", l, " but the cache keeps no hidden states");
    }
    if (store_h) write_rows(next_cache.hidden_in, rows, h, 0);
    h = select_rows(next_cache.hidden_in, next, 0);
    hidden_stored = true;
    rows = next;
    rows_rope = {select_rows(rope.cos, rows, 0), select_rows(rope.sin, rows, 0)};
  };
  struct Deferred {
    int64_t layer;
    torch::Tensor q;
    bool full;
    torch::Tensor drift, top_attended;
  };
  const bool defer = plan.defer_observations && plan.after_layer;
  int64_t l = 0;
  while (l < num_layers) {
    std::vector<Deferred> deferred;
    for (; l < num_layers; ++l) {
      if (plan.should_stop && plan.should_stop()) throw Cancelled();
      if (plan.features) {
        h = feature_layer(l, h, rope, *plan.features, cache, stats);
        continue;
      }
      if (stats) {
        stats->rows_per_layer[static_cast<size_t>(l)] = h.size(0);
        stats->computed_rows[static_cast<size_t>(l)] = rows;
      }
      auto layer = row_layer(l, h, rows, rows_rope, plan, cache, hidden_stored);
      h = layer.h;
      if (stats) stats->drift[static_cast<size_t>(l)] = layer.drift;
      hidden_stored = false;
      if (!plan.after_layer) continue;
      if (defer) {
        deferred.push_back({l, layer.q, layer.full, layer.drift_tensor, layer.top_attended});
        continue;
      }
      torch::Tensor next = plan.after_layer(LayerView{static_cast<int>(l), rows, layer.q,
                                                      cache.layers[static_cast<size_t>(l)],
                                                      layer.full, layer.drift, layer.top_attended});
      if (l + 1 < num_layers && changes_rows(next)) enter(l + 1, next, /*store_h=*/true);
    }
    if (deferred.empty()) break;

    // Every measured drift in one read-back, then the observations in layer order.
    std::vector<torch::Tensor> measured;
    for (const auto& d : deferred) {
      if (d.drift.defined()) measured.push_back(d.drift.to(torch::kFloat64).view({1}));
    }
    std::vector<double> values;
    if (!measured.empty()) {
      const auto cpu = torch::cat(measured).to(torch::kCPU).contiguous();
      values.assign(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
    }
    size_t next_value = 0;
    for (const auto& d : deferred) {
      const double drift =
          d.drift.defined() ? values[next_value++] : std::numeric_limits<double>::quiet_NaN();
      if (stats) stats->drift[static_cast<size_t>(d.layer)] = drift;
      torch::Tensor next = plan.after_layer(LayerView{static_cast<int>(d.layer), rows, d.q,
                                                      cache.layers[static_cast<size_t>(d.layer)],
                                                      d.full, drift, d.top_attended});
      if (d.layer + 1 < num_layers && changes_rows(next)) {
        // The deeper layers ran with the old rows: run them again with the new ones. The pass
        // stored their inputs for the old rows in the hidden cache on the way.
        enter(d.layer + 1, next, /*store_h=*/false);
        l = d.layer + 1;
        break;
      }
    }
  }

  // Logits only for the decode rows: never an [N x vocab] tensor.
  torch::Tensor final_rows = h;
  if (plan.decode_rows.defined()) {
    final_rows = h.index_select(0, index_within(rows, plan.decode_rows, "decode"));
  }
  const auto normed = ops::rms_norm(final_rows, weights_.norm, text_.rms_norm_eps);
  return torch::linear(normed, weights_.lm_head).to(torch::kFloat32);
}

}  // namespace cachelens

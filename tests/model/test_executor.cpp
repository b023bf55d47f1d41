// SPDX-License-Identifier: MIT
// The row-subset executor: full recompute against a naive reference forward, and partial-row
// passes against full recompute where the maths says they must agree.
#include <iomanip>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "cache/cache_strategy.h"
#include "cachelens/error.h"
#include "cachelens/language_model.h"

using namespace cachelens;

namespace {

TextConfig tiny_text() {
  TextConfig t;
  t.hidden_size = 32;
  t.intermediate_size = 48;
  t.num_layers = 3;
  t.num_heads = 4;
  t.num_kv_heads = 4;
  t.head_dim = 8;
  t.vocab_size = 50;
  t.rope_theta = 10000.0;
  return t;
}

LanguageWeights random_weights(const TextConfig& t, uint64_t seed) {
  torch::manual_seed(seed);
  const auto r = [](std::vector<int64_t> shape, double std) { return torch::randn(shape) * std; };
  LanguageWeights w;
  w.embed_tokens = r({t.vocab_size, t.hidden_size}, 1.0);
  for (int64_t l = 0; l < t.num_layers; ++l) {
    LanguageWeights::Layer layer;
    const double s = 1.0 / std::sqrt(static_cast<double>(t.hidden_size));
    layer.q_proj = r({t.hidden_size, t.hidden_size}, s);
    layer.k_proj = r({t.hidden_size, t.hidden_size}, s);
    layer.v_proj = r({t.hidden_size, t.hidden_size}, s);
    layer.o_proj = r({t.hidden_size, t.hidden_size}, s);
    layer.gate_proj = r({t.intermediate_size, t.hidden_size}, s);
    layer.up_proj = r({t.intermediate_size, t.hidden_size}, s);
    layer.down_proj = r({t.hidden_size, t.intermediate_size}, 1.0 / std::sqrt(48.0));
    layer.input_norm = 1.0 + r({t.hidden_size}, 0.1);
    layer.post_norm = 1.0 + r({t.hidden_size}, 0.1);
    w.layers.push_back(layer);
  }
  w.norm = 1.0 + r({t.hidden_size}, 0.1);
  w.lm_head = r({t.vocab_size - 5, t.hidden_size}, 0.3);  // sliced like len(tokenizer) < vocab
  return w;
}

// lladav-model.md §4 written out per position, in double precision.
torch::Tensor reference_logits(const LanguageWeights& w, const TextConfig& t,
                               const torch::Tensor& x) {
  const auto rms = [&](const torch::Tensor& h, const torch::Tensor& g) {
    return h / torch::sqrt(h.pow(2).mean(-1, true) + t.rms_norm_eps) * g.to(torch::kFloat64);
  };
  auto h = x.to(torch::kFloat64);
  const int64_t n = h.size(0), d = t.head_dim, heads = t.num_heads;
  auto cos = torch::zeros({n, d}, torch::kFloat64), sin = torch::zeros({n, d}, torch::kFloat64);
  for (int64_t p = 0; p < n; ++p) {
    for (int64_t i = 0; i < d / 2; ++i) {
      const double a = p * std::pow(t.rope_theta, -2.0 * i / d);
      cos[p][i] = cos[p][i + d / 2] = std::cos(a);
      sin[p][i] = sin[p][i + d / 2] = std::sin(a);
    }
  }
  const auto rope = [&](const torch::Tensor& v) {  // [n, heads, d]
    const auto rot = torch::cat({-v.narrow(-1, d / 2, d / 2), v.narrow(-1, 0, d / 2)}, -1);
    return v * cos.unsqueeze(1) + rot * sin.unsqueeze(1);
  };
  for (const auto& l : w.layers) {
    const auto y = rms(h, l.input_norm);
    const auto q = rope(torch::matmul(y, l.q_proj.to(torch::kFloat64).t()).view({n, heads, d}));
    const auto k = rope(torch::matmul(y, l.k_proj.to(torch::kFloat64).t()).view({n, heads, d}));
    const auto v = torch::matmul(y, l.v_proj.to(torch::kFloat64).t()).view({n, heads, d});
    const auto scores = torch::einsum("ihd,jhd->hij", {q, k}) / std::sqrt(static_cast<double>(d));
    const auto att =
        torch::einsum("hij,jhd->ihd", {torch::softmax(scores, -1), v}).reshape({n, heads * d});
    h = h + torch::matmul(att, l.o_proj.to(torch::kFloat64).t());
    const auto z = rms(h, l.post_norm);
    const auto gate = torch::matmul(z, l.gate_proj.to(torch::kFloat64).t());
    const auto up = torch::matmul(z, l.up_proj.to(torch::kFloat64).t());
    h = h + torch::matmul(gate * torch::sigmoid(gate) * up, l.down_proj.to(torch::kFloat64).t());
  }
  return torch::matmul(rms(h, w.norm), w.lm_head.to(torch::kFloat64).t());
}

torch::Tensor idx(std::vector<int64_t> v) {
  return torch::tensor(v, torch::kInt64);
}

}  // namespace

TEST(Executor, FullRecomputeMatchesNaiveReference) {
  const auto t = tiny_text();
  const LanguageModel model(random_weights(t, 7), t);
  const int64_t n = 12;
  const auto inputs = model.embed(torch::randint(0, t.vocab_size, {n}, torch::kInt64));
  KVCache cache;
  cache.reset(t, n, {});
  ForwardPlan plan;
  plan.decode_rows = idx({4, 5, 11});
  ForwardStats stats;
  const auto logits = model.forward(inputs, model.rope_for_length(n), plan, cache, &stats);
  const auto expected =
      reference_logits(model.weights(), t, inputs).index_select(0, plan.decode_rows);
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{3, t.vocab_size - 5}));
  EXPECT_TRUE(torch::allclose(logits.to(torch::kFloat64), expected, 1e-4, 1e-4));
  EXPECT_EQ(stats.rows_per_layer, (std::vector<int64_t>{n, n, n}));
}

TEST(Executor, PartialRowsWithAFreshCacheEqualFullRecompute) {
  // With the other rows' K/V fresh, recomputing only a block gives the block's full-recompute
  // logits: the equivalence every cache strategy rests on.
  const auto t = tiny_text();
  const LanguageModel model(random_weights(t, 8), t);
  const int64_t n = 16;
  const auto inputs = model.embed(torch::randint(0, t.vocab_size, {n}, torch::kInt64));
  const auto rope = model.rope_for_length(n);
  KVCache cache;
  cache.reset(t, n, {});
  ForwardPlan full;
  full.decode_rows = idx({8, 9, 10, 11});
  const auto full_logits = model.forward(inputs, rope, full, cache, nullptr);

  ForwardPlan block;
  block.rows = idx({8, 9, 10, 11});
  block.decode_rows = block.rows;
  ForwardStats stats;
  const auto block_logits = model.forward(inputs, rope, block, cache, &stats);
  EXPECT_TRUE(torch::allclose(block_logits, full_logits, 1e-5, 1e-5));
  EXPECT_EQ(stats.rows_per_layer, (std::vector<int64_t>{4, 4, 4}));
}

TEST(Executor, StaleCacheRowsChangeTheAnswerUntilRecomputed) {
  // One layer: a row's K/V depend on its own input only, so refreshing exactly the changed row
  // restores full-recompute logits. (With more layers every row's deeper K/V would be stale.)
  auto t = tiny_text();
  t.num_layers = 1;
  const LanguageModel model(random_weights(t, 9), t);
  const int64_t n = 10;
  auto inputs = model.embed(torch::randint(0, t.vocab_size, {n}, torch::kInt64));
  const auto rope = model.rope_for_length(n);
  KVCache cache;
  cache.reset(t, n, {});
  ForwardPlan full;
  full.decode_rows = idx({6, 7});
  model.forward(inputs, rope, full, cache, nullptr);
  // Change position 2's input but recompute only rows 6..7: its K/V stay stale.
  inputs.index_copy_(0, idx({2}), model.embed(idx({1})));
  ForwardPlan partial;
  partial.rows = idx({6, 7});
  partial.decode_rows = partial.rows;
  const auto stale = model.forward(inputs, rope, partial, cache, nullptr);
  KVCache fresh;
  fresh.reset(t, n, {});
  const auto truth = model.forward(inputs, rope, full, fresh, nullptr);
  EXPECT_FALSE(torch::allclose(stale, truth, 1e-4, 1e-4));
  // Recomputing row 2 as well (refreshing its K/V) restores agreement.
  partial.rows = idx({2, 6, 7});
  EXPECT_TRUE(
      torch::allclose(model.forward(inputs, rope, partial, cache, nullptr), truth, 1e-5, 1e-5));
}

TEST(Executor, WideningRowsAtDepthUsesTheHiddenCache) {
  // Rows {5} at layer 0, then {1, 5} from layer 1 on: row 1 enters from the hidden cache, so with
  // nothing changed since the full pass the logits equal full recompute.
  const auto t = tiny_text();
  const LanguageModel model(random_weights(t, 10), t);
  const int64_t n = 8;
  const auto inputs = model.embed(torch::randint(0, t.vocab_size, {n}, torch::kInt64));
  const auto rope = model.rope_for_length(n);
  KVCache cache;
  cache.reset(t, n, {/*hidden=*/true});
  ForwardPlan full;
  full.decode_rows = idx({1, 5});
  const auto truth = model.forward(inputs, rope, full, cache, nullptr);
  ForwardPlan widen;
  widen.rows = idx({5});
  widen.decode_rows = idx({1, 5});
  widen.after_layer = [](const LayerView& view) {
    return view.layer == 0 ? idx({1, 5}) : torch::Tensor();
  };
  ForwardStats stats;
  const auto got = model.forward(inputs, rope, widen, cache, &stats);
  EXPECT_TRUE(torch::allclose(got, truth, 1e-5, 1e-5));
  EXPECT_EQ(stats.rows_per_layer, (std::vector<int64_t>{1, 2, 2}));
}

TEST(Executor, ClearErrorsForMisuse) {
  const auto t = tiny_text();
  const LanguageModel model(random_weights(t, 11), t);
  const auto inputs = model.embed(torch::randint(0, t.vocab_size, {6}, torch::kInt64));
  KVCache cache;
  cache.reset(t, 6, {});
  ForwardPlan partial;
  partial.rows = idx({3});
  partial.decode_rows = partial.rows;
  EXPECT_THROW(model.forward(inputs, model.rope_for_length(6), partial, cache, nullptr), Error);
  ForwardPlan stop;
  stop.should_stop = [] { return true; };
  EXPECT_THROW(model.forward(inputs, model.rope_for_length(6), stop, cache, nullptr), Cancelled);
}

// Fast-dLLM dual cache: with a fresh cache (a full forward on the same sequence), the block rows
// the strategy plans give the attention outputs, K/V and logits of a full recompute.
TEST(Executor, DualCacheBlockRowsEqualFullRecomputeWithFreshCache) {
  const auto t = tiny_text();
  const LanguageModel model(random_weights(t, 12), t);
  const int64_t n = 16;
  const auto inputs = model.embed(torch::randint(0, t.vocab_size, {n}, torch::kInt64));
  const auto rope = model.rope_for_length(n);

  auto strategy = cache::make_strategy({"fast-dllm-dual", {}}, UnmaskRule::Fixed);
  std::vector<uint8_t> masked(n, 0);
  cache::DecodeState state;
  state.step = state.step_in_block = 1;
  state.prompt_length = 4;
  state.length = n;
  state.block_begin = 8;
  state.block_end = 12;
  state.masked = &masked;
  const auto plan = strategy->begin_step(state);
  ASSERT_FALSE(plan.rows.all);
  ASSERT_EQ(plan.rows.rows, (std::vector<int64_t>{8, 9, 10, 11}));

  KVCache full_cache, cached;
  full_cache.reset(t, n, {});
  cached.reset(t, n, {});
  ForwardPlan full;
  full.decode_rows = idx({8, 9, 10, 11});
  const auto truth = model.forward(inputs, rope, full, full_cache, nullptr);
  model.forward(inputs, rope, full, cached, nullptr);  // the block-start refresh
  ForwardPlan block;
  block.rows = idx(plan.rows.rows);
  block.decode_rows = block.rows;
  const auto got = model.forward(inputs, rope, block, cached, nullptr);
  EXPECT_TRUE(torch::allclose(got, truth, 1e-5, 1e-5));
  for (int64_t l = 0; l < t.num_layers; ++l) {
    EXPECT_TRUE(torch::allclose(cached.layers[l].k, full_cache.layers[l].k, 1e-5, 1e-6)) << l;
    EXPECT_TRUE(torch::allclose(cached.layers[l].v, full_cache.layers[l].v, 1e-5, 1e-6)) << l;
  }
}

// Elastic-Cache's observation on a hand-made step: the drift is the cosine across heads between
// the tracked row's attention before (previous queries, previous keys) and after this step,
// averaged over keys (or over the key axis in the paper's variant); the most-attended eligible
// key is the argmax of the window rows' attention summed over heads.
TEST(Executor, ElasticObservationDriftAndMostAttendedToken) {
  const auto t = tiny_text();
  const LanguageModel model(random_weights(t, 13), t);
  const int64_t n = 10;
  auto inputs = model.embed(torch::randint(0, t.vocab_size, {n}, torch::kInt64));
  const auto rope = model.rope_for_length(n);
  const double scale = 1.0 / std::sqrt(static_cast<double>(t.head_dim));
  const auto probs = [&](const torch::Tensor& q, const torch::Tensor& k) {  // [h,d],[h,N,d]
    return torch::softmax(torch::einsum("hd,hjd->hj", {q, k}) * scale, -1);
  };
  for (bool over_keys : {false, true}) {
    KVCache cache;
    cache.reset(t, n, {/*hidden=*/true, /*queries=*/true});
    ForwardPlan full;
    full.decode_rows = idx({7, 8});
    model.forward(inputs, rope, full, cache, nullptr);
    const auto q_before = cache.layers[0].q.select(1, 2).clone();  // tracked position 2
    const auto k_before = cache.layers[0].k.clone();

    inputs[7] = model.embed(idx({3}))[0];  // position 7 is decoded
    AttentionObservation observe;
    observe.tracked = idx({2});
    observe.window = idx({8});
    observe.eligible = torch::ones({n});
    observe.eligible[8] = observe.eligible[9] = 0.0;  // still masked
    observe.drift_over_keys = over_keys;
    ForwardPlan step;
    step.rows = idx({2, 7, 8});
    step.decode_rows = idx({8});
    step.observe = &observe;
    std::vector<double> drift;
    std::vector<torch::Tensor> top;
    step.after_layer = [&](const LayerView& view) {
      drift.push_back(view.drift);
      top.push_back(view.top_attended);
      return torch::Tensor();
    };
    model.forward(inputs, rope, step, cache, nullptr);
    ASSERT_EQ(drift.size(), static_cast<size_t>(t.num_layers));

    const auto before = probs(q_before, k_before);                                // [h, N]
    const auto after = probs(cache.layers[0].q.select(1, 2), cache.layers[0].k);  // [h, N]
    const double expected =
        torch::cosine_similarity(before, after, over_keys ? 1 : 0, 1e-8).mean().item<double>();
    EXPECT_NEAR(drift[0], expected, 1e-5) << (over_keys ? "keys" : "heads");
    EXPECT_LT(drift[0], 1.0);
    auto window = probs(cache.layers[0].q.select(1, 8), cache.layers[0].k).sum(0);
    window.narrow(0, 8, 2).zero_();
    EXPECT_EQ(top[0].item<int64_t>(), window.argmax().item<int64_t>());
  }
}

// dLLM-Cache's feature reuse: with every row computed it is a full recompute; with nothing
// computed it reproduces the cached residual contributions exactly.
TEST(Executor, FeatureReuseMatchesFullRecomputeAndReusesOutputs) {
  const auto t = tiny_text();
  const LanguageModel model(random_weights(t, 14), t);
  const int64_t n = 9;
  const auto inputs = model.embed(torch::randint(0, t.vocab_size, {n}, torch::kInt64));
  const auto rope = model.rope_for_length(n);
  KVCache plain, features;
  plain.reset(t, n, {});
  features.reset(t, n, {false, false, /*outputs=*/true});
  ForwardPlan full;
  full.decode_rows = idx({5, 6});
  const auto truth = model.forward(inputs, rope, full, plain, nullptr);
  FeatureReuse everything;
  ForwardPlan refresh = full;
  refresh.features = &everything;
  EXPECT_TRUE(torch::equal(model.forward(inputs, rope, refresh, features, nullptr), truth));

  FeatureReuse verify;
  verify.computed = idx({});
  verify.probe = idx({5, 6, 7, 8});
  verify.probe_select = 1;
  ForwardPlan partial = full;
  partial.features = &verify;
  ForwardStats stats;
  // Same inputs: every V is unchanged, so any selected row recomputes to the same output.
  EXPECT_TRUE(
      torch::allclose(model.forward(inputs, rope, partial, features, &stats), truth, 1e-5, 1e-5));
  ASSERT_EQ(stats.rows_per_layer, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_TRUE(torch::equal(stats.partial_rows[0], verify.probe));
}

// Deferred observations (the GPU's way: every drift read back once after the pass) give what
// per-layer decisions give: the same after_layer calls with the same drifts, the same rows per
// layer, logits and caches, also when the rows widen at a middle layer (the deeper layers then
// run twice, and the second run must leave exactly what a single run would).
TEST(Executor, DeferredObservationsEqualPerLayerDecisions) {
  auto t = tiny_text();
  t.num_layers = 4;
  const LanguageModel model(random_weights(t, 14), t);
  const int64_t n = 10;
  auto inputs = model.embed(torch::randint(0, t.vocab_size, {n}, torch::kInt64));
  const auto rope = model.rope_for_length(n);
  const auto run = [&](bool defer, int64_t widen_at, std::vector<std::string>* calls,
                       ForwardStats* stats) {
    auto step_inputs = inputs.clone();
    KVCache cache;
    cache.reset(t, n, {/*hidden=*/true, /*queries=*/true});
    ForwardPlan full;
    full.decode_rows = idx({7, 8});
    model.forward(step_inputs, rope, full, cache, nullptr);
    step_inputs[7] = model.embed(idx({3}))[0];  // position 7 is decoded
    AttentionObservation observe;
    observe.tracked = idx({2});
    observe.window = idx({8});
    observe.eligible = torch::ones({n});
    observe.eligible[8] = observe.eligible[9] = 0.0;
    ForwardPlan step;
    step.rows = idx({2, 7, 8});
    step.decode_rows = idx({8});
    step.observe = &observe;
    step.defer_observations = defer;
    step.after_layer = [&](const LayerView& view) {
      std::ostringstream line;
      line << view.layer << (view.full ? " full " : " partial ") << std::setprecision(12)
           << view.drift << " top " << view.top_attended.item<int64_t>();
      calls->push_back(line.str());
      return view.layer == widen_at ? torch::arange(n, torch::kInt64) : torch::Tensor();
    };
    const auto logits = model.forward(step_inputs, rope, step, cache, stats);
    return std::make_pair(logits, std::move(cache));
  };
  for (int64_t widen_at : {-1, 1}) {
    SCOPED_TRACE(widen_at);
    std::vector<std::string> now_calls, later_calls;
    ForwardStats now_stats, later_stats;
    const auto [now, now_cache] = run(false, widen_at, &now_calls, &now_stats);
    const auto [later, later_cache] = run(true, widen_at, &later_calls, &later_stats);
    EXPECT_EQ(later_calls, now_calls);
    ASSERT_EQ(now_calls.size(), 4u);
    EXPECT_EQ(later_stats.rows_per_layer, now_stats.rows_per_layer);
    // NaN (not measured) compares unequal to itself: compare the printed values.
    const auto printed = [](const std::vector<double>& v) {
      std::ostringstream out;
      for (double d : v) out << std::setprecision(12) << d << " ";
      return out.str();
    };
    EXPECT_EQ(printed(later_stats.drift), printed(now_stats.drift));
    EXPECT_TRUE(torch::equal(later, now));
    for (int64_t l = 0; l < t.num_layers; ++l) {
      const auto& a = later_cache.layers[static_cast<size_t>(l)];
      const auto& b = now_cache.layers[static_cast<size_t>(l)];
      EXPECT_TRUE(torch::equal(a.k, b.k)) << l;
      EXPECT_TRUE(torch::equal(a.v, b.v)) << l;
      EXPECT_TRUE(torch::equal(a.q, b.q)) << l;
      EXPECT_TRUE(torch::equal(a.hidden_in, b.hidden_in)) << l;
    }
  }
  std::vector<std::string> calls;
  ForwardStats stats;
  run(true, 1, &calls, &stats);
  EXPECT_EQ(stats.rows_per_layer, (std::vector<int64_t>{3, 3, 10, 10}));
}

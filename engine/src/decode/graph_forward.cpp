// SPDX-License-Identifier: MIT
#include "decode/graph_forward.h"

#include <limits>
#include <map>
#include <utility>

#include <torch/torch.h>

#ifdef CACHELENS_HAVE_TORCH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace cachelens {

bool cuda_graphs_built() {
#ifdef CACHELENS_HAVE_TORCH_CUDA
  return true;
#else
  return false;
#endif
}

#ifdef CACHELENS_HAVE_TORCH_CUDA

namespace {

// The stats the plain forward gives for a plan whose rows never change.
void fill_static_stats(const torch::Tensor& rows, int64_t layers, ForwardStats& stats) {
  stats.rows_per_layer.assign(static_cast<size_t>(layers), rows.size(0));
  stats.computed_rows.assign(static_cast<size_t>(layers), rows);
  stats.partial_rows.assign(static_cast<size_t>(layers), torch::Tensor());
  stats.drift.assign(static_cast<size_t>(layers), std::numeric_limits<double>::quiet_NaN());
}

}  // namespace

struct GraphedForward::Impl {
  bool enabled = false;
  // One graph per (rows, block rows) shape; the index buffers are what a replay reads.
  struct Captured {
    torch::Tensor rows, block;  // int64 on the device
    torch::Tensor logits;       // the graph's output
    std::unique_ptr<at::cuda::CUDAGraph> graph;
  };
  std::map<std::pair<int64_t, int64_t>, Captured> graphs;
  const KVCache* cache = nullptr;  // graphs hold this cache's buffers
};

GraphedForward::GraphedForward(bool enabled) : impl_(std::make_unique<Impl>()) {
  impl_->enabled = enabled;
}
GraphedForward::~GraphedForward() = default;

std::optional<torch::Tensor> GraphedForward::block_logits(const LanguageModel& model,
                                                          const torch::Tensor& inputs,
                                                          const ops::RopeTable& rope,
                                                          const ForwardPlan& plan,
                                                          int64_t block_begin, int64_t block_end,
                                                          KVCache& cache, ForwardStats& stats) {
  auto& m = *impl_;
  if (!m.enabled || !inputs.is_cuda() || !plan.rows.defined() || plan.after_layer || plan.observe ||
      plan.features || block_end <= block_begin) {
    return std::nullopt;
  }
  if (m.cache != &cache) {
    m.graphs.clear();
    m.cache = &cache;
  }
  const int64_t layers = model.config().num_layers;
  const auto key = std::make_pair(plan.rows.size(0), block_end - block_begin);
  auto it = m.graphs.find(key);
  if (it != m.graphs.end()) {
    auto& g = it->second;
    g.rows.copy_(plan.rows, /*non_blocking=*/true);
    g.block.copy_(torch::arange(block_begin, block_end, g.block.options()), true);
    g.graph->replay();
    fill_static_stats(g.rows, layers, stats);
    return g.logits;
  }

  // First use of this shape: run it eagerly on a side stream (that also initialises the
  // libraries' per-stream state, which a capture cannot do), then capture it there. A capture
  // runs nothing, so the eager run's logits are this step's.
  Impl::Captured g;
  g.rows = plan.rows.clone();
  g.block = torch::arange(block_begin, block_end, plan.rows.options());
  ForwardPlan graph_plan;
  graph_plan.rows = g.rows;
  graph_plan.decode_rows = g.block;
  torch::cuda::synchronize(inputs.device().index());
  auto stream = c10::cuda::getStreamFromPool(false, inputs.device().index());
  torch::Tensor logits;
  {
    c10::cuda::CUDAStreamGuard guard(stream);
    logits = model.forward(inputs, rope, graph_plan, cache, nullptr);
    stream.synchronize();
    g.graph = std::make_unique<at::cuda::CUDAGraph>();
    g.graph->capture_begin();
    g.logits = model.forward(inputs, rope, graph_plan, cache, nullptr);
    g.graph->capture_end();
  }
  stream.synchronize();
  fill_static_stats(g.rows, layers, stats);
  m.graphs.emplace(key, std::move(g));
  return logits;
}

#else

struct GraphedForward::Impl {};
GraphedForward::GraphedForward(bool) : impl_(std::make_unique<Impl>()) {}
GraphedForward::~GraphedForward() = default;
std::optional<torch::Tensor> GraphedForward::block_logits(const LanguageModel&,
                                                          const torch::Tensor&,
                                                          const ops::RopeTable&, const ForwardPlan&,
                                                          int64_t, int64_t, KVCache&,
                                                          ForwardStats&) {
  return std::nullopt;
}

#endif

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// CUDA graphs for the executor's reuse steps. A step of the 8B model launches about 1,500 small
// kernels; on a GPU their launch cost, not the maths, sets the step time of a cached step. A plan
// whose rows stay the same through every layer and hold the whole current block (Fast-dLLM's
// prefix and dual caches) has the same shapes at every reuse step of a run, so its forward is
// captured once and replayed with new row indices. Logits come for every row of the block; the
// caller picks its decode rows from them. Everything else runs the plain forward.
#pragma once

#include <memory>
#include <optional>

#include <torch/types.h>

#include "cachelens/language_model.h"

namespace cachelens {

// Whether this build can capture CUDA graphs (LibTorch with CUDA).
bool cuda_graphs_built();

class GraphedForward {
 public:
  explicit GraphedForward(bool enabled);
  ~GraphedForward();

  // fp32 logits [block_end - block_begin, vocab] for the block's rows, or nullopt when the plan
  // does not suit a graph (then nothing was run). `plan.rows` must be defined and hold the block.
  // `stats` is filled as the plain forward would fill it.
  std::optional<torch::Tensor> block_logits(const LanguageModel& model, const torch::Tensor& inputs,
                                            const ops::RopeTable& rope, const ForwardPlan& plan,
                                            int64_t block_begin, int64_t block_end, KVCache& cache,
                                            ForwardStats& stats);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// The denoising loop of lladav-model.md §10.2 over the row-subset executor, driven by a cache
// strategy: the strategy plans the rows of each step, the loop decodes and records the trace.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/types.h>

#include <memory>

#include "cachelens/decode.h"
#include "cachelens/language_model.h"
#include "cachelens/strategy.h"
#include "cachelens/trace.h"

namespace cachelens {

// Token ids the loop needs, looked up by text in the tokenizer (-1 where absent).
struct SpecialIds {
  int32_t mask = -1;            // <|mdm_mask|>
  int32_t stop = -1;            // <|eot_id|>
  std::vector<int32_t> banned;  // never emitted at masked positions
};

struct DenoiseRequest {
  torch::Tensor prompt_embeddings;  // [Lp, D]
  DecodeSettings settings;
  StrategySettings strategy;
  SpecialIds special;
  std::function<void(const StepEvent&)> on_step;
  std::function<bool()> should_stop;
  // Replay CUDA graphs for reuse steps whose rows stay fixed (decode/graph_forward.h); on the GPU
  // only, and only in builds with LibTorch CUDA.
  bool cuda_graphs = true;
};

struct DenoiseResult {
  std::vector<int32_t> answer_region;  // all gen_length ids, mask id where still masked
  int64_t stop_offset = -1;            // offset of the first stop token in the region, or -1
  int64_t steps = 0;
  int64_t nfe = 0;
  std::vector<std::shared_ptr<const StepEvent>> events;
  int64_t recomputed_cells = 0, partial_cells = 0, total_cells = 0;
  double flops = 0.0, flops_full = 0.0;
  double denoise_ms = 0.0;
};

DenoiseResult run_denoising(const LanguageModel& model, const DenoiseRequest& request);

}  // namespace cachelens

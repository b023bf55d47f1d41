// SPDX-License-Identifier: MIT
// Greedy decoding's top-1 token and its softmax probability per row, by the fused kernel of
// kernels/ (one read of the logits, fp32 accumulation) instead of an fp64 softmax over the whole
// vocabulary. The GPU's confidences therefore carry fp32 rounding (about 1e-7 relative); the CPU
// keeps the spec's fp64 semantics. Ties in the argmax go to the lowest id on both.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <torch/types.h>

namespace cachelens {

struct Top1 {
  std::vector<int64_t> tokens;
  std::vector<double> confidences;
};

// nullopt where the logits are not fp32 on a GPU or the build has no kernels.
std::optional<Top1> top1_on_gpu(const torch::Tensor& logits);

}  // namespace cachelens

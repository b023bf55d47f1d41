// SPDX-License-Identifier: MIT
// The numeric building blocks of both towers, in the exact order of operations of the reference
// (lladav-model.md §4). Shared by inference and training so the two can never diverge.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace cachelens::ops {

// HF-Llama order: normalise in fp32, cast back to the input dtype, then scale by the weight.
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// cos/sin for absolute positions [n] -> two [n, head_dim] tensors in `dtype`: fp32 angles
// pos * inv_freq, duplicated to head_dim columns (half-split layout), cast after cos/sin.
struct RopeTable {
  torch::Tensor cos;
  torch::Tensor sin;
};
RopeTable rope_table(const torch::Tensor& positions, int64_t head_dim, double theta,
                     torch::ScalarType dtype);
// Half-split rotation of x [heads, n, head_dim] with cos/sin [n, head_dim]: x*cos +
// rotate_half(x)*sin where rotate_half(x) = cat(-x[..., d/2:], x[..., :d/2]).
torch::Tensor apply_rope(const torch::Tensor& x, const RopeTable& table);

// Bidirectional attention: q [heads, n, d], k/v [heads, N, d] -> [heads, n, d]. `mask` (optional,
// bool [n, N]) is true where a query may attend to a key. Uses fused SDPA where LibTorch has it
// (2.x) and a query-chunked softmax(q k^T) v otherwise.
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& mask = {});
// The same with explicit probabilities [heads, n, N] (fp32), for strategies that observe them.
torch::Tensor attention_probs(const torch::Tensor& q, const torch::Tensor& k);

torch::Tensor swiglu_mlp(const torch::Tensor& x, const torch::Tensor& gate, const torch::Tensor& up,
                         const torch::Tensor& down);

}  // namespace cachelens::ops

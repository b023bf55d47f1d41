// SPDX-License-Identifier: MIT
#include "cachelens/ops.h"

#include <torch/torch.h>

#include "model/torch_compat.h"

namespace cachelens::ops {

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  const auto x32 = x.to(torch::kFloat32);
  const auto normed = x32 * torch::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return normed.to(x.scalar_type()) * weight;
}

RopeTable rope_table(const torch::Tensor& positions, int64_t head_dim, double theta,
                     torch::ScalarType dtype) {
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(positions.device());
  // inv_freq[i] = 1 / theta^(2i/d), computed in fp32 as the reference does.
  const auto exponents = torch::arange(0, head_dim, 2, f32) / static_cast<double>(head_dim);
  const auto inv_freq = 1.0 / torch::pow(torch::scalar_tensor(theta, f32), exponents);
  const auto freqs = torch::outer(positions.to(torch::kFloat32), inv_freq);
  const auto angles = torch::cat({freqs, freqs}, -1);
  return {angles.cos().to(dtype), angles.sin().to(dtype)};
}

torch::Tensor apply_rope(const torch::Tensor& x, const RopeTable& table) {
  const int64_t half = x.size(-1) / 2;
  const auto rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * table.cos + rotated * table.sin;
}

torch::Tensor attention_probs(const torch::Tensor& q, const torch::Tensor& k) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  return torch::softmax(torch::matmul(q, k.transpose(-2, -1)).to(torch::kFloat32) * scale, -1);
}

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& mask) {
  return compat::scaled_dot_product_attention(q, k, v, mask);
}

torch::Tensor swiglu_mlp(const torch::Tensor& x, const torch::Tensor& gate, const torch::Tensor& up,
                         const torch::Tensor& down) {
  return torch::linear(torch::silu(torch::linear(x, gate)) * torch::linear(x, up), down);
}

}  // namespace cachelens::ops

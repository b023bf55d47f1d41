// SPDX-License-Identifier: MIT
// Differences between LibTorch 1.13 (Debian) and 2.x (PyTorch wheels) live here and nowhere else.
#pragma once

#include <limits>

#include <cmath>

#include <torch/torch.h>
#include <torch/version.h>

namespace cachelens::compat {

inline constexpr bool kHasFusedSdpa = TORCH_VERSION_MAJOR >= 2;

// q [h, n, d], k/v [h, N, d], bidirectional. `mask` (optional, bool [n, N]): true where a query
// may attend to a key (packed training batches keep their sequences apart with it).
inline torch::Tensor scaled_dot_product_attention(const torch::Tensor& q, const torch::Tensor& k,
                                                  const torch::Tensor& v,
                                                  const torch::Tensor& mask = {}) {
#if TORCH_VERSION_MAJOR >= 2
  if (mask.defined()) {
    return at::scaled_dot_product_attention(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0),
                                            mask.unsqueeze(0).unsqueeze(0))
        .squeeze(0);
  }
  return at::scaled_dot_product_attention(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0))
      .squeeze(0);
#else
  // 1.13 has no fused kernel: chunk the queries so the [h, chunk, N] score block stays bounded
  // (a full 3.8k x 3.8k x 32-head fp32 score tensor would be 1.9 GB).
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  const int64_t n = q.size(1);
  const int64_t chunk =
      std::max<int64_t>(1, (int64_t{1} << 25) / std::max<int64_t>(1, q.size(0) * k.size(1)));
  const auto kt = k.transpose(-2, -1);
  const auto part = [&](int64_t start, int64_t count) {
    auto scores = torch::matmul(q.narrow(1, start, count), kt) * scale;
    if (mask.defined()) {
      scores = scores.masked_fill(mask.narrow(0, start, count).logical_not(),
                                  -std::numeric_limits<float>::infinity());
    }
    return torch::matmul(torch::softmax(scores, -1), v);
  };
  if (n <= chunk) return part(0, n);
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < n; start += chunk) {
    parts.push_back(part(start, std::min(chunk, n - start)));
  }
  return torch::cat(parts, 1);
#endif
}

}  // namespace cachelens::compat

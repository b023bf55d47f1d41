// SPDX-License-Identifier: MIT
// RoPE, RMSNorm and attention against naive element-by-element references.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "cachelens/ops.h"

namespace ops = cachelens::ops;

TEST(Rope, HalfSplitRotationMatchesNaiveLoop) {
  torch::manual_seed(1);
  const int64_t heads = 2, n = 5, d = 8;
  const double theta = 500000.0;
  const auto positions = torch::tensor({0, 3, 7, 100, 4095}, torch::kInt64);
  const auto x = torch::randn({heads, n, d});
  const auto table = ops::rope_table(positions, d, theta, torch::kFloat32);
  const auto got = ops::apply_rope(x, table);
  for (int64_t h = 0; h < heads; ++h) {
    for (int64_t t = 0; t < n; ++t) {
      const double pos = static_cast<double>(positions[t].item<int64_t>());
      for (int64_t i = 0; i < d / 2; ++i) {
        // Dimension i pairs with i + d/2 (NeoX / HF layout), frequency theta^(-2i/d).
        const double angle = pos * std::pow(theta, -2.0 * i / d);
        const double a = x[h][t][i].item<float>(), b = x[h][t][i + d / 2].item<float>();
        EXPECT_NEAR(got[h][t][i].item<float>(), a * std::cos(angle) - b * std::sin(angle), 2e-3);
        EXPECT_NEAR(got[h][t][i + d / 2].item<float>(), b * std::cos(angle) + a * std::sin(angle),
                    2e-3);
      }
    }
  }
}

TEST(Rope, PositionZeroIsIdentity) {
  const auto x = torch::randn({1, 1, 16});
  const auto table =
      ops::rope_table(torch::zeros({1}, torch::kInt64), 16, 10000.0, torch::kFloat32);
  EXPECT_TRUE(torch::allclose(ops::apply_rope(x, table), x));
}

TEST(RmsNorm, NormalisesInFp32ThenScales) {
  const auto x = torch::tensor({{3.0f, 4.0f}});
  const auto w = torch::tensor({2.0f, 0.5f});
  // rms = sqrt((9 + 16) / 2) = 3.5355
  const auto got = ops::rms_norm(x, w, 0.0);
  EXPECT_NEAR(got[0][0].item<float>(), 2.0 * 3.0 / std::sqrt(12.5), 1e-5);
  EXPECT_NEAR(got[0][1].item<float>(), 0.5 * 4.0 / std::sqrt(12.5), 1e-5);
  // bf16 input: the result is cast back before the weight multiply, and keeps the input dtype.
  EXPECT_EQ(ops::rms_norm(x.to(torch::kBFloat16), w.to(torch::kBFloat16), 1e-5).scalar_type(),
            torch::kBFloat16);
}

namespace {
torch::Tensor naive_attention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v) {
  auto out = torch::zeros_like(q);
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  for (int64_t h = 0; h < q.size(0); ++h) {
    for (int64_t i = 0; i < q.size(1); ++i) {
      std::vector<double> scores;
      double max_score = -1e300;
      for (int64_t j = 0; j < k.size(1); ++j) {
        const double s = (q[h][i] * k[h][j]).sum().item<double>() * scale;
        scores.push_back(s);
        max_score = std::max(max_score, s);
      }
      double total = 0;
      for (auto& s : scores) total += (s = std::exp(s - max_score));
      for (int64_t j = 0; j < k.size(1); ++j) out[h][i] += v[h][j] * (scores[j] / total);
    }
  }
  return out;
}
}  // namespace

TEST(Attention, BidirectionalSoftmaxMatchesNaive) {
  torch::manual_seed(2);
  const auto q = torch::randn({2, 3, 8}), k = torch::randn({2, 6, 8}), v = torch::randn({2, 6, 8});
  EXPECT_TRUE(torch::allclose(ops::attention(q, k, v), naive_attention(q, k, v), 1e-4, 1e-5));
  const auto probs = ops::attention_probs(q, k);
  EXPECT_TRUE(torch::allclose(probs.sum(-1), torch::ones({2, 3}), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(torch::matmul(probs, v), ops::attention(q, k, v), 1e-4, 1e-5));
}

TEST(Attention, LargeQueryCountsAgreeWithTheSmallPath) {
  // Enough queries x keys that LibTorch 1.13's chunked path splits the queries.
  torch::manual_seed(3);
  const auto q = torch::randn({4, 3000, 16}), k = torch::randn({4, 3000, 16}),
             v = torch::randn({4, 3000, 16});
  const auto full = ops::attention(q, k, v);
  const auto part = ops::attention(q.narrow(1, 2900, 100), k, v);
  EXPECT_TRUE(torch::allclose(full.narrow(1, 2900, 100), part, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(torch::matmul(ops::attention_probs(q.narrow(1, 0, 50), k), v),
                              full.narrow(1, 0, 50), 1e-4, 1e-5));
}

// SPDX-License-Identifier: MIT
// The kernels' CPU references against torch and the engine: top-1 confidence against an fp64
// softmax, RoPE on gathered rows against ops::rope_table / ops::apply_rope.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "cachelens/ops.h"
#include "cachelens_kernels/rope_rows.h"
#include "cachelens_kernels/top1_confidence.h"

namespace k = cachelens::kernels;
namespace ops = cachelens::ops;

namespace {

struct Top1 {
  std::vector<int32_t> argmax;
  std::vector<double> prob;
};

Top1 run_top1(const torch::Tensor& logits) {
  const auto c = logits.to(torch::kFloat32).contiguous();
  const int64_t rows = c.size(0), vocab = c.size(1);
  Top1 out{std::vector<int32_t>(static_cast<size_t>(rows)),
           std::vector<double>(static_cast<size_t>(rows))};
  k::top1_confidence_ref(c.data_ptr<float>(), rows, vocab, out.argmax.data(), out.prob.data());
  return out;
}

}  // namespace

TEST(Top1ConfidenceRef, MatchesFp64SoftmaxMax) {
  torch::manual_seed(7);
  // Wide logits so some rows are confident and some are nearly flat.
  const auto logits = torch::randn({9, 1000}) * torch::linspace(0.1, 8.0, 9).unsqueeze(1);
  const auto got = run_top1(logits);
  const auto [prob, index] = torch::softmax(logits.to(torch::kDouble), -1).max(-1);
  for (int64_t r = 0; r < logits.size(0); ++r) {
    EXPECT_EQ(got.argmax[static_cast<size_t>(r)], index[r].item<int64_t>()) << "row " << r;
    EXPECT_NEAR(got.prob[static_cast<size_t>(r)], prob[r].item<double>(), 1e-12) << "row " << r;
  }
}

TEST(Top1ConfidenceRef, TiesGoToTheLowestIndex) {
  const auto logits =
      torch::tensor({{1.0f, 3.0f, 0.5f, 3.0f, 3.0f}, {2.0f, 2.0f, 2.0f, 2.0f, 2.0f}});
  const auto got = run_top1(logits);
  EXPECT_EQ(got.argmax[0], 1);
  EXPECT_EQ(got.argmax[0], logits[0].argmax().item<int64_t>());
  EXPECT_EQ(got.argmax[1], 0);
  EXPECT_NEAR(got.prob[1], 0.2, 1e-15);
}

TEST(Top1ConfidenceRef, HandWorkedThreeLogits) {
  // logits (0, 1, 2): max at 2, sum = e^-2 + e^-1 + 1, prob = 1 / sum = e^2 / (1 + e + e^2).
  const auto got = run_top1(torch::tensor({{0.0f, 1.0f, 2.0f}}));
  const double e = std::exp(1.0);
  EXPECT_EQ(got.argmax[0], 2);
  EXPECT_NEAR(got.prob[0], e * e / (1.0 + e + e * e), 1e-15);
  EXPECT_NEAR(got.prob[0], 0.6652409557748219, 1e-15);
}

TEST(RopeRowsRef, MatchesEngineRope) {
  torch::manual_seed(3);
  const int64_t rows = 6, heads = 3, d = 64;
  const double theta = 500000.0;
  // Gathered rows: arbitrary, unsorted absolute positions including large ones.
  const auto positions = torch::tensor({5, 0, 4095, 17, 1023, 2}, torch::kInt64);
  const auto x = torch::randn({rows, heads, d});
  const auto table = ops::rope_table(positions, d, theta, torch::kFloat32);
  // The engine rotates [heads, n, head_dim]; the kernel layout is [rows, heads, head_dim].
  const auto expected = ops::apply_rope(x.transpose(0, 1), table).transpose(0, 1);
  auto got = x.clone().contiguous();
  k::rope_rows_ref(got.data_ptr<float>(), positions.data_ptr<int64_t>(), rows, heads, d, theta);
  EXPECT_LT((got - expected).abs().max().item<float>(), 1e-5f);
}

TEST(RopeRowsRef, PositionZeroIsIdentity) {
  torch::manual_seed(4);
  const auto x = torch::randn({2, 4, 16});
  const auto positions = torch::zeros({2}, torch::kInt64);
  auto got = x.clone();
  k::rope_rows_ref(got.data_ptr<float>(), positions.data_ptr<int64_t>(), 2, 4, 16, 10000.0);
  EXPECT_TRUE(torch::equal(got, x));
}

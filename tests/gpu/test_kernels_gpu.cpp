// SPDX-License-Identifier: MIT
// Each CUDA kernel against its CPU reference on random data. Skipped, visibly, when no CUDA
// device is present (the kernels still compile on machines without one).
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include "cachelens_kernels/rope_rows.h"
#include "cachelens_kernels/top1_confidence.h"

namespace k = cachelens::kernels;

namespace {

bool have_device() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

#define CUDA_OK(expr) ASSERT_EQ((expr), cudaSuccess) << #expr

// A device buffer freed on scope exit, so a failed assertion does not leak.
template <typename T>
struct DeviceBuffer {
  T* ptr = nullptr;
  explicit DeviceBuffer(size_t n) {
    if (cudaMalloc(reinterpret_cast<void**>(&ptr), n * sizeof(T)) != cudaSuccess) ptr = nullptr;
  }
  ~DeviceBuffer() { cudaFree(ptr); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

}  // namespace

TEST(KernelsGpu, Top1ConfidenceMatchesReference) {
  if (!have_device()) GTEST_SKIP() << "no CUDA device";
  // A vocabulary of LLaDA's size (not a multiple of the block) and a few rows with planted ties.
  const int64_t rows = 12, vocab = 126464 + 37;
  std::mt19937 gen(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> logits(static_cast<size_t>(rows * vocab));
  for (int64_t r = 0; r < rows; ++r) {
    const float scale = 0.5f + static_cast<float>(r);
    for (int64_t j = 0; j < vocab; ++j)
      logits[static_cast<size_t>(r * vocab + j)] = scale * normal(gen);
  }
  for (int64_t r = 0; r < 3; ++r) {
    // Equal maxima far apart in the row: the lowest index must win across threads and warps.
    float* row = logits.data() + r * vocab;
    const int64_t a = 1000 + 5 * r, b = vocab - 3 - 100 * r;
    row[a] = row[b] = 100.0f;
  }
  std::vector<int32_t> ref_idx(rows), gpu_idx(rows);
  std::vector<double> ref_prob(rows);
  std::vector<float> gpu_prob(rows);
  k::top1_confidence_ref(logits.data(), rows, vocab, ref_idx.data(), ref_prob.data());

  DeviceBuffer<float> d_logits(logits.size()), d_prob(rows);
  DeviceBuffer<int32_t> d_idx(rows);
  ASSERT_TRUE(d_logits.ptr && d_prob.ptr && d_idx.ptr);
  CUDA_OK(cudaMemcpy(d_logits.ptr, logits.data(), logits.size() * sizeof(float),
                     cudaMemcpyHostToDevice));
  k::top1_confidence_cuda(d_logits.ptr, rows, vocab, d_idx.ptr, d_prob.ptr, nullptr);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaMemcpy(gpu_idx.data(), d_idx.ptr, rows * sizeof(int32_t), cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(gpu_prob.data(), d_prob.ptr, rows * sizeof(float), cudaMemcpyDeviceToHost));
  for (int64_t r = 0; r < rows; ++r) {
    EXPECT_EQ(gpu_idx[r], ref_idx[r]) << "row " << r;
    EXPECT_NEAR(gpu_prob[r], ref_prob[r], 1e-5 * ref_prob[r]) << "row " << r;
  }
  EXPECT_EQ(gpu_idx[0], 1000);
}

TEST(KernelsGpu, RopeRowsMatchesReference) {
  if (!have_device()) GTEST_SKIP() << "no CUDA device";
  const int64_t rows = 7, heads = 4, d = 128;
  const double theta = 500000.0;
  const std::vector<int64_t> positions = {3, 0, 4095, 17, 1023, 2, 250};
  std::mt19937 gen(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(rows * heads * d));
  for (auto& v : x) v = normal(gen);
  std::vector<float> ref = x, gpu(x.size());
  k::rope_rows_ref(ref.data(), positions.data(), rows, heads, d, theta);

  DeviceBuffer<float> d_x(x.size());
  DeviceBuffer<int64_t> d_pos(positions.size());
  ASSERT_TRUE(d_x.ptr && d_pos.ptr);
  CUDA_OK(cudaMemcpy(d_x.ptr, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice));
  CUDA_OK(cudaMemcpy(d_pos.ptr, positions.data(), positions.size() * sizeof(int64_t),
                     cudaMemcpyHostToDevice));
  k::rope_rows_cuda(d_x.ptr, d_pos.ptr, rows, heads, d, static_cast<float>(theta), nullptr);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaMemcpy(gpu.data(), d_x.ptr, x.size() * sizeof(float), cudaMemcpyDeviceToHost));
  double max_diff = 0.0;
  for (size_t i = 0; i < x.size(); ++i) max_diff = std::fmax(max_diff, std::fabs(gpu[i] - ref[i]));
  EXPECT_LT(max_diff, 1e-5);
}

// SPDX-License-Identifier: MIT
// CUDA RoPE on gathered rows: one block per (row, head), one thread per rotated pair, computing
// cos/sin on the fly instead of building a [rows, head_dim] table and chaining cat/mul/add.
#include "cachelens_kernels/rope_rows.h"

namespace cachelens::kernels {
namespace {

__global__ void rope_rows_kernel(float* __restrict__ x, const int64_t* __restrict__ positions,
                                 int64_t heads, int64_t head_dim, float theta) {
  const int64_t half = head_dim / 2;
  const int64_t row = blockIdx.x / heads;
  float* v = x + static_cast<int64_t>(blockIdx.x) * head_dim;
  const float pos = static_cast<float>(positions[row]);
  for (int64_t i = threadIdx.x; i < half; i += blockDim.x) {
    // The engine's fp32 arithmetic: exponent 2i/d, inv_freq = 1 / theta^exponent, pos * inv_freq.
    // The power goes through double and is rounded once, because CUDA's powf may be a few ulp off
    // the host's and pos (up to thousands) would magnify that past the test tolerance.
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    const float power =
        static_cast<float>(pow(static_cast<double>(theta), static_cast<double>(exponent)));
    const float angle = pos * (1.0f / power);
    // Accurate sincosf (not the __ intrinsic), whose error stays small at large angles.
    float s, c;
    sincosf(angle, &s, &c);
    const float a = v[i], b = v[i + half];
    v[i] = a * c - b * s;
    v[i + half] = b * c + a * s;
  }
}

}  // namespace

void rope_rows_cuda(float* x, const int64_t* positions, int64_t rows, int64_t heads,
                    int64_t head_dim, float theta, cudaStream_t stream) {
  if (rows <= 0 || heads <= 0 || head_dim < 2) return;
  // Enough threads for head_dim 128 in one pass, rounded to whole warps for small heads.
  const int64_t half = head_dim / 2;
  const int threads = static_cast<int>(half >= 128 ? 128 : ((half + 31) / 32) * 32);
  rope_rows_kernel<<<static_cast<unsigned>(rows * heads), threads, 0, stream>>>(x, positions, heads,
                                                                                head_dim, theta);
}

}  // namespace cachelens::kernels

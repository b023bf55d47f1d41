// SPDX-License-Identifier: MIT
// Rotary position embedding applied in place to gathered rows at their absolute positions, in
// the engine's convention (ops::rope_table / ops::apply_rope): half-split pairs (i, i + d/2),
// inv_freq[i] = 1 / theta^(2i/d) and angle = pos * inv_freq computed in fp32. A CPU reference
// and, where the kernels are built, the CUDA kernel it is tested against.
#pragma once

#include <cstdint>

#if defined(CACHELENS_HAVE_CUDA_KERNELS) || defined(__CUDACC__)
#include <cuda_runtime_api.h>
#endif

namespace cachelens::kernels {

// x [rows, heads, head_dim] row-major, rotated in place; positions [rows]; head_dim even.
void rope_rows_ref(float* x, const int64_t* positions, int64_t rows, int64_t heads,
                   int64_t head_dim, double theta);

#if defined(CACHELENS_HAVE_CUDA_KERNELS) || defined(__CUDACC__)
// The same on device pointers, asynchronous on `stream`.
void rope_rows_cuda(float* x, const int64_t* positions, int64_t rows, int64_t heads,
                    int64_t head_dim, float theta, cudaStream_t stream);
#endif

}  // namespace cachelens::kernels

// SPDX-License-Identifier: MIT
// Top-1 confidence over the vocabulary: per row the argmax token and its softmax probability,
// without materialising the softmax. A CPU reference (fp64 accumulation, the spec's semantics)
// and, where the kernels are built, the CUDA kernel (fp32 accumulation) it is tested against.
#pragma once

#include <cstdint>

#if defined(CACHELENS_HAVE_CUDA_KERNELS) || defined(__CUDACC__)
#include <cuda_runtime_api.h>
#endif

namespace cachelens::kernels {

// logits [rows, vocab] row-major. argmax[r] is the first index of the row maximum (lowest index
// wins ties, as torch.argmax); prob[r] = 1 / sum_j exp(l_j - l_max), accumulated in double.
void top1_confidence_ref(const float* logits, int64_t rows, int64_t vocab, int32_t* argmax,
                         double* prob);

#if defined(CACHELENS_HAVE_CUDA_KERNELS) || defined(__CUDACC__)
// The same on device pointers, one block per row, one pass with an online max/sum in fp32.
// Asynchronous on `stream`; the caller synchronises before reading argmax/prob.
void top1_confidence_cuda(const float* logits, int64_t rows, int64_t vocab, int32_t* argmax,
                          float* prob, cudaStream_t stream);
#endif

}  // namespace cachelens::kernels

// SPDX-License-Identifier: MIT
// CUDA top-1 confidence: one block per row reads the logits once, keeping a running
// (max, sum of exp(l - max), first argmax) per thread, then merges them across the block.
// Replaces softmax + max over the vocabulary, which writes and rereads a [rows, vocab] tensor.
#include <cfloat>
#include <climits>

#include "cachelens_kernels/top1_confidence.h"

namespace cachelens::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarp = 32;

// Online-softmax state of a subset of a row: its maximum, sum of exp(l - max) and the lowest
// index holding the maximum (INT_MAX while the subset is empty).
struct Top1State {
  float max;
  float sum;
  int index;
};

__device__ __forceinline__ Top1State merge(Top1State a, Top1State b) {
  if (b.index == INT_MAX) return a;
  if (a.index == INT_MAX) return b;
  Top1State out;
  // The lower index wins equal maxima, so the result does not depend on the merge order.
  const bool take_b = b.max > a.max || (b.max == a.max && b.index < a.index);
  out.max = take_b ? b.max : a.max;
  out.index = take_b ? b.index : a.index;
  out.sum = a.sum * expf(a.max - out.max) + b.sum * expf(b.max - out.max);
  return out;
}

__device__ __forceinline__ Top1State shuffle_down(Top1State s, int offset) {
  Top1State o;
  o.max = __shfl_down_sync(0xffffffffu, s.max, offset);
  o.sum = __shfl_down_sync(0xffffffffu, s.sum, offset);
  o.index = __shfl_down_sync(0xffffffffu, s.index, offset);
  return o;
}

__global__ void top1_confidence_kernel(const float* __restrict__ logits, int64_t vocab,
                                       int32_t* __restrict__ argmax, float* __restrict__ prob) {
  const float* row = logits + static_cast<int64_t>(blockIdx.x) * vocab;
  Top1State s{-FLT_MAX, 0.0f, INT_MAX};
  // Each thread walks its indices in increasing order, so strict '>' keeps its first maximum.
  for (int64_t j = threadIdx.x; j < vocab; j += blockDim.x) {
    const float v = row[j];
    if (s.index == INT_MAX || v > s.max) {
      s.sum = (s.index == INT_MAX ? 0.0f : s.sum * expf(s.max - v)) + 1.0f;
      s.max = v;
      s.index = static_cast<int>(j);
    } else {
      s.sum += expf(v - s.max);
    }
  }
  for (int offset = kWarp / 2; offset > 0; offset /= 2) s = merge(s, shuffle_down(s, offset));

  __shared__ Top1State warp_states[kThreads / kWarp];
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  if (lane == 0) warp_states[warp] = s;
  __syncthreads();
  if (warp == 0) {
    const int warps = blockDim.x / kWarp;
    s = lane < warps ? warp_states[lane] : Top1State{-FLT_MAX, 0.0f, INT_MAX};
    for (int offset = kWarp / 2; offset > 0; offset /= 2) s = merge(s, shuffle_down(s, offset));
    if (lane == 0) {
      argmax[blockIdx.x] = s.index == INT_MAX ? 0 : s.index;
      prob[blockIdx.x] = 1.0f / s.sum;
    }
  }
}

}  // namespace

void top1_confidence_cuda(const float* logits, int64_t rows, int64_t vocab, int32_t* argmax,
                          float* prob, cudaStream_t stream) {
  if (rows <= 0 || vocab <= 0) return;
  top1_confidence_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(logits, vocab,
                                                                               argmax, prob);
}

}  // namespace cachelens::kernels

// SPDX-License-Identifier: MIT
#include "decode/top1_gpu.h"

#include <torch/torch.h>

#if defined(CACHELENS_HAVE_KERNELS) && defined(CACHELENS_HAVE_TORCH_CUDA)
#include <c10/cuda/CUDAStream.h>

#include "cachelens_kernels/top1_confidence.h"
#define CACHELENS_TOP1_KERNEL 1
#endif

namespace cachelens {

std::optional<Top1> top1_on_gpu(const torch::Tensor& logits) {
#ifdef CACHELENS_TOP1_KERNEL
  if (!logits.is_cuda() || logits.scalar_type() != torch::kFloat32 || logits.dim() != 2) {
    return std::nullopt;
  }
  const auto l = logits.contiguous();
  const int64_t rows = l.size(0);
  auto argmax = torch::empty({rows}, l.options().dtype(torch::kInt32));
  auto prob = torch::empty({rows}, l.options());
  kernels::top1_confidence_cuda(l.data_ptr<float>(), rows, l.size(1), argmax.data_ptr<int32_t>(),
                                prob.data_ptr<float>(),
                                c10::cuda::getCurrentCUDAStream(l.device().index()).stream());
  // One read-back: the ids travel as doubles beside the probabilities (exact below 2^53).
  const auto both = torch::stack({argmax.to(torch::kFloat64), prob.to(torch::kFloat64)})
                        .to(torch::kCPU)
                        .contiguous();
  const double* data = both.data_ptr<double>();
  Top1 out;
  for (int64_t r = 0; r < rows; ++r) {
    out.tokens.push_back(static_cast<int64_t>(data[r]));
    out.confidences.push_back(data[rows + r]);
  }
  return out;
#else
  (void)logits;
  return std::nullopt;
#endif
}

}  // namespace cachelens

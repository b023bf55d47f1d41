// SPDX-License-Identifier: MIT
// CPU reference for top-1 confidence: the fp64 semantics the CUDA kernel is checked against.
#include "cachelens_kernels/top1_confidence.h"

#include <cmath>

namespace cachelens::kernels {

void top1_confidence_ref(const float* logits, int64_t rows, int64_t vocab, int32_t* argmax,
                         double* prob) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = logits + r * vocab;
    // Strict '>' keeps the first maximum, which is torch.argmax's tie rule.
    int64_t best = 0;
    for (int64_t j = 1; j < vocab; ++j) {
      if (row[j] > row[best]) best = j;
    }
    const double max = row[best];
    // Shifting by the maximum makes the winner's term exactly 1, so prob = 1 / sum.
    double sum = 0.0;
    for (int64_t j = 0; j < vocab; ++j) sum += std::exp(static_cast<double>(row[j]) - max);
    argmax[r] = static_cast<int32_t>(best);
    prob[r] = 1.0 / sum;
  }
}

}  // namespace cachelens::kernels

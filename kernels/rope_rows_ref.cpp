// SPDX-License-Identifier: MIT
// CPU reference for RoPE on gathered rows, reproducing the engine's fp32 table arithmetic.
#include "cachelens_kernels/rope_rows.h"

#include <cmath>
#include <vector>

namespace cachelens::kernels {

void rope_rows_ref(float* x, const int64_t* positions, int64_t rows, int64_t heads,
                   int64_t head_dim, double theta) {
  const int64_t half = head_dim / 2;
  // ops::rope_table works in fp32 throughout (exponent, power, product, cos/sin); doing the
  // same here keeps the reference bit-close to the engine at large positions.
  std::vector<float> inv_freq(static_cast<size_t>(half));
  const float theta_f = static_cast<float>(theta);
  for (int64_t i = 0; i < half; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    inv_freq[static_cast<size_t>(i)] = 1.0f / std::pow(theta_f, exponent);
  }
  std::vector<float> cos_v(static_cast<size_t>(half)), sin_v(static_cast<size_t>(half));
  for (int64_t r = 0; r < rows; ++r) {
    const float pos = static_cast<float>(positions[r]);
    for (int64_t i = 0; i < half; ++i) {
      const float angle = pos * inv_freq[static_cast<size_t>(i)];
      cos_v[static_cast<size_t>(i)] = std::cos(angle);
      sin_v[static_cast<size_t>(i)] = std::sin(angle);
    }
    for (int64_t h = 0; h < heads; ++h) {
      float* v = x + (r * heads + h) * head_dim;
      for (int64_t i = 0; i < half; ++i) {
        const float a = v[i], b = v[i + half];
        const float c = cos_v[static_cast<size_t>(i)], s = sin_v[static_cast<size_t>(i)];
        // x*cos + rotate_half(x)*sin with rotate_half(x) = cat(-x[d/2:], x[:d/2]).
        v[i] = a * c - b * s;
        v[i + half] = b * c + a * s;
      }
    }
  }
}

}  // namespace cachelens::kernels

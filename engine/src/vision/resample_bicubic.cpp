// SPDX-License-Identifier: MIT
// PIL's Image.resize(size, BICUBIC) on 8-bit RGB, reproduced bit for bit: the reference
// preprocessing is PIL's, and a different resampler shifts pixels by 1 LSB here and there.
//
// Pillow's algorithm (libImaging/Resample.c), restated: per output sample, a window of input
// samples weighted by the a = -0.5 cubic, stretched by the scale when shrinking (antialias);
// weights normalised to sum 1, then rounded to 22-bit fixed point; a horizontal pass, then a
// vertical one, each skipped when that axis keeps its size; results clipped to 0..255.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cachelens/error.h"
#include "cachelens/image.h"

namespace cachelens {

namespace {

// 8 result bits, 2 bits of headroom for the kernel's negative lobes, in a 32-bit accumulator.
constexpr int kPrecisionBits = 32 - 8 - 2;

double cubic(double x) {
  constexpr double a = -0.5;
  x = std::fabs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}

// For each output sample: the first input sample, how many are used, and their fixed-point weights.
struct Taps {
  int ksize = 0;  // stride of `weights`
  std::vector<int> first, count;
  std::vector<int32_t> weights;
};

Taps make_taps(int in_size, int out_size) {
  const double scale = double(in_size) / out_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 2.0 * filter_scale;  // bicubic support is 2 input samples at scale 1
  Taps taps;
  taps.ksize = int(std::ceil(support)) * 2 + 1;
  taps.first.resize(out_size);
  taps.count.resize(out_size);
  taps.weights.assign(size_t(out_size) * taps.ksize, 0);
  std::vector<double> w(taps.ksize);
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    // Truncating casts and this operation order are Pillow's; they decide the last bit.
    const int lo = std::max(int(center - support + 0.5), 0);
    const int hi = std::min(int(center + support + 0.5), in_size);
    const int n = hi - lo;
    double total = 0.0;
    for (int k = 0; k < n; ++k) {
      w[k] = cubic((k + lo - center + 0.5) * (1.0 / filter_scale));
      total += w[k];
    }
    int32_t* fixed = &taps.weights[size_t(i) * taps.ksize];
    for (int k = 0; k < n; ++k) {
      const double v = (total != 0.0 ? w[k] / total : w[k]) * (1 << kPrecisionBits);
      fixed[k] = int32_t(v < 0 ? v - 0.5 : v + 0.5);  // round half away from zero
    }
    taps.first[i] = lo;
    taps.count[i] = n;
  }
  return taps;
}

uint8_t clip8(int32_t acc) {
  if (acc < 0) return 0;
  return uint8_t(std::min<int32_t>(acc >> kPrecisionBits, 255));
}

// Resamples rows [row0, row0 + rows) of `in` horizontally into a width-`out_w` image.
Image horizontal_pass(const Image& in, int out_w, int row0, int rows) {
  const Taps taps = make_taps(in.width, out_w);
  Image out;
  out.width = out_w;
  out.height = rows;
  out.rgb.resize(size_t(out_w) * rows * 3);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* src = &in.rgb[size_t(row0 + y) * in.width * 3];
    uint8_t* dst = &out.rgb[size_t(y) * out_w * 3];
    for (int x = 0; x < out_w; ++x) {
      const int32_t* k = &taps.weights[size_t(x) * taps.ksize];
      const uint8_t* s = src + size_t(taps.first[x]) * 3;
      int32_t r = 1 << (kPrecisionBits - 1), g = r, b = r;  // +0.5 for rounding
      for (int t = 0; t < taps.count[x]; ++t) {
        r += s[3 * t + 0] * k[t];
        g += s[3 * t + 1] * k[t];
        b += s[3 * t + 2] * k[t];
      }
      dst[3 * x + 0] = clip8(r);
      dst[3 * x + 1] = clip8(g);
      dst[3 * x + 2] = clip8(b);
    }
  }
  return out;
}

// Resamples `in` vertically to `out_h` rows; `taps` index rows of `in` after subtracting `row0`.
Image vertical_pass(const Image& in, const Taps& taps, int out_h, int row0) {
  Image out;
  out.width = in.width;
  out.height = out_h;
  out.rgb.resize(size_t(in.width) * out_h * 3);
  const size_t stride = size_t(in.width) * 3;
  for (int y = 0; y < out_h; ++y) {
    const int32_t* k = &taps.weights[size_t(y) * taps.ksize];
    const uint8_t* src = &in.rgb[size_t(taps.first[y] - row0) * stride];
    uint8_t* dst = &out.rgb[size_t(y) * stride];
    for (size_t c = 0; c < stride; ++c) {
      int32_t acc = 1 << (kPrecisionBits - 1);
      for (int t = 0; t < taps.count[y]; ++t) acc += src[t * stride + c] * k[t];
      dst[c] = clip8(acc);
    }
  }
  return out;
}

}  // namespace

Image resize_bicubic(const Image& image, int width, int height) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgb.size() != size_t(image.width) * image.height * 3) {
    fail("resize_bicubic: the input image is empty or malformed (", image.width, " x ",
         image.height, ", ", image.rgb.size(), " bytes)");
  }
  if (width <= 0 || height <= 0) {
    fail("resize_bicubic: target size ", width, " x ", height, " is not positive");
  }
  const bool horizontal = width != image.width;
  const bool vertical = height != image.height;
  if (!horizontal && !vertical) return image;  // PIL returns a copy at equal size

  if (!vertical) return horizontal_pass(image, width, 0, image.height);
  const Taps vtaps = make_taps(image.height, height);
  if (!horizontal) return vertical_pass(image, vtaps, height, 0);
  // Only the rows the vertical pass reads need the horizontal pass.
  const int row0 = vtaps.first.front();
  const int row1 = vtaps.first.back() + vtaps.count.back();
  const Image stretched = horizontal_pass(image, width, row0, row1 - row0);
  return vertical_pass(stretched, vtaps, height, row0);
}

}  // namespace cachelens

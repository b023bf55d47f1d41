// SPDX-License-Identifier: MIT
// anyres_max_N arithmetic (spec §7.2 steps 1-2, §8 steps 3-7): which canvas, how the image sits
// on it, and how many image tokens the merged features make. Every float operation follows the
// reference Python in the same order, because int() truncation and `//` on floats turn a last-bit
// difference into a different token count.
#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include "cachelens/error.h"
#include "cachelens/image.h"

namespace cachelens {

namespace {

// Python's float `a // b` (CPython float_divmod): not always floor(a / b), because a / b can round
// up across an integer while the exact quotient stays below it.
double py_floordiv(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div == 0.0) return std::copysign(0.0, a / b);
  double floor_div = std::floor(div);
  if (div - floor_div > 0.5) floor_div += 1.0;
  return floor_div;
}

// Python's integer `a // b` for b > 0.
int64_t py_floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

// select_best_resolution: most of the image kept, then least canvas wasted, then list order.
std::pair<int64_t, int64_t> best_canvas(int64_t width, int64_t height,
                                        const std::vector<std::pair<int64_t, int64_t>>& pinpoints) {
  int64_t max_effective = 0;
  int64_t min_wasted = std::numeric_limits<int64_t>::max();  // float("inf") in the reference
  bool found = false;
  std::pair<int64_t, int64_t> best{0, 0};
  for (const auto& [w, h] : pinpoints) {
    const double scale = std::min(double(w) / double(width), double(h) / double(height));
    const auto down_w = int64_t(double(width) * scale);
    const auto down_h = int64_t(double(height) * scale);
    const int64_t effective = std::min(down_w * down_h, width * height);
    const int64_t wasted = w * h - effective;
    if (effective > max_effective ||
        (effective == max_effective && (!found || wasted < min_wasted))) {
      max_effective = effective;
      min_wasted = wasted;
      best = {w, h};
      found = true;
    }
  }
  return best;
}

}  // namespace

AnyresPlan plan_anyres(int64_t width, int64_t height, const VisionConfig& vision,
                       const MultimodalConfig& mm) {
  if (width <= 0 || height <= 0) fail("anyres: image size ", width, " x ", height, " is empty");
  const int64_t unit = vision.image_size;
  const int64_t side = vision.patches_per_side();
  if (unit <= 0 || side <= 0) {
    fail("anyres: vision image_size ", unit, " / patch_size ", vision.patch_size, " is invalid");
  }
  if (mm.grid_pinpoints.empty()) fail("anyres: the config has no image_grid_pinpoints");
  for (const auto& [w, h] : mm.grid_pinpoints) {
    if (w <= 0 || h <= 0 || w % unit != 0 || h % unit != 0) {
      fail("anyres: grid pinpoint ", w, " x ", h, " is not a positive multiple of image_size ",
           unit);
    }
  }
  if (mm.max_num_patches < 0) fail("anyres: max_num_patches ", mm.max_num_patches, " < 0");

  AnyresPlan plan;
  std::tie(plan.canvas_w, plan.canvas_h) = best_canvas(width, height, mm.grid_pinpoints);
  plan.grid_x = plan.canvas_w / unit;
  plan.grid_y = plan.canvas_h / unit;
  plan.num_crops = 1 + plan.grid_x * plan.grid_y;

  // resize_and_pad_image: fit the canvas along the tighter axis, centre on black.
  const double scale_w = double(plan.canvas_w) / double(width);
  const double scale_h = double(plan.canvas_h) / double(height);
  if (scale_w < scale_h) {
    plan.resized_w = plan.canvas_w;
    plan.resized_h = std::min(int64_t(std::ceil(double(height) * scale_w)), plan.canvas_h);
  } else {
    plan.resized_h = plan.canvas_h;
    plan.resized_w = std::min(int64_t(std::ceil(double(width) * scale_h)), plan.canvas_w);
  }
  plan.paste_x = py_floordiv(plan.canvas_w - plan.resized_w, int64_t(2));
  plan.paste_y = py_floordiv(plan.canvas_h - plan.resized_h, int64_t(2));

  // unpad_image on the stitched (grid_y * side) x (grid_x * side) feature map.
  plan.stitched_h = plan.grid_y * side;
  plan.stitched_w = plan.grid_x * side;
  const double image_aspect = double(width) / double(height);
  const double map_aspect = double(plan.stitched_w) / double(plan.stitched_h);
  plan.unpadded_h = plan.stitched_h;
  plan.unpadded_w = plan.stitched_w;
  if (image_aspect > map_aspect) {
    const double factor = double(plan.stitched_w) / double(width);
    const auto new_h = int64_t(double(height) * factor);
    const int64_t pad = py_floordiv(plan.stitched_h - new_h, int64_t(2));
    plan.unpad_top = pad;
    plan.unpadded_h = std::max<int64_t>(plan.stitched_h - 2 * pad, 0);  // slice pad : H - pad
  } else {
    const double factor = double(plan.stitched_h) / double(height);
    const auto new_w = int64_t(double(width) * factor);
    const int64_t pad = py_floordiv(plan.stitched_w - new_w, int64_t(2));
    plan.unpad_left = pad;
    plan.unpadded_w = std::max<int64_t>(plan.stitched_w - 2 * pad, 0);
  }

  // anyres_max_N: shrink maps larger than about N tiles' worth (plain "anyres" has N = 0: never).
  plan.final_h = plan.unpadded_h;
  plan.final_w = plan.unpadded_w;
  if (mm.max_num_patches > 0) {
    const int64_t h = plan.unpadded_h, w = plan.unpadded_w;
    plan.times = std::sqrt(double(h * w) / double(mm.max_num_patches * side * side));
    if (plan.times > 1.1) {
      plan.downsampled = true;
      plan.final_h = int64_t(py_floordiv(double(h), plan.times));
      plan.final_w = int64_t(py_floordiv(double(w), plan.times));
    }
  }
  if (plan.final_h <= 0 || plan.final_w <= 0) {
    fail("anyres: image ", width, " x ", height, " is too elongated: its feature map shrinks to ",
         plan.final_h, " x ", plan.final_w);
  }
  plan.image_tokens = side * side + plan.final_h * (plan.final_w + 1);
  return plan;
}

}  // namespace cachelens

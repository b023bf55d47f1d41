// SPDX-License-Identifier: MIT
// Images in: decoding (PNG, JPEG, BMP, GIF first frame, grayscale, RGBA, 16-bit), a PIL-compatible
// bicubic resampler, and the anyres_max_N tiling with its image-token arithmetic.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "cachelens/config.h"

namespace cachelens {

// 8-bit RGB, row-major, interleaved (r, g, b per pixel).
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
  uint8_t at(int x, int y, int c) const { return rgb[(size_t(y) * width + x) * 3 + c]; }
};

// Decodes any supported file into RGB8 (alpha dropped the way PIL's convert("RGB") does: the
// colour channels are kept as they are; 16-bit samples are scaled to 8 bits). Errors name the file
// and say what was wrong (missing, empty, not an image, unsupported, too large).
Image load_image(const std::filesystem::path& file);
Image decode_image(const uint8_t* data, size_t size, const std::string& origin);

// Writes an 8-bit RGB PNG atomically (temp file, then rename); errors name the file.
void save_png(const Image& image, const std::filesystem::path& file);

// PIL's Image.resize(BICUBIC): a = -0.5, support widened by the scale when shrinking (antialias),
// separable passes with 8-bit fixed-point coefficients as Pillow computes them.
Image resize_bicubic(const Image& image, int width, int height);

// The whole anyres_max_N computation for one image size, every intermediate kept for tests and UI.
struct AnyresPlan {
  int64_t canvas_w = 0, canvas_h = 0;  // best pinpoint
  int64_t grid_x = 0, grid_y = 0;      // tiles across, down
  int64_t resized_w = 0, resized_h = 0;
  int64_t paste_x = 0, paste_y = 0;
  int64_t num_crops = 0;               // 1 base + grid_x * grid_y
  int64_t stitched_h = 0, stitched_w = 0;  // grid_y * side, grid_x * side
  int64_t unpad_top = 0, unpad_left = 0;   // first kept row / column of the stitched map
  int64_t unpadded_h = 0, unpadded_w = 0;
  double times = 0.0;                      // sqrt(h*w / (max_num_patches * side^2))
  bool downsampled = false;                // times > 1.1
  int64_t final_h = 0, final_w = 0;
  int64_t image_tokens = 0;  // side^2 + final_h * (final_w + 1)
};

AnyresPlan plan_anyres(int64_t width, int64_t height, const VisionConfig& vision,
                       const MultimodalConfig& mm);

// Crops for the vision tower, [num_crops, 3, S, S] float32 in [-1, 1]; crop 0 is the whole image
// squashed to S x S, then the tiles of the padded canvas in row-major order.
torch::Tensor preprocess_anyres(const Image& image, const AnyresPlan& plan,
                                const VisionConfig& vision);

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// The vision tower's input for one image (spec §7.2 steps 2-5): the whole image squashed to S x S,
// then the S x S tiles of the black-padded canvas, each scaled to [-1, 1].
#include <array>
#include <cstring>

#include "cachelens/error.h"
#include "cachelens/image.h"

namespace cachelens {

namespace {

// SigLipImageProcessor's arithmetic: rescale in float64 (u * (1/255)) stored as float32, then
// (x - 0.5) / 0.5 in float32; a table keeps those exact values without redoing them per pixel.
std::array<float, 256> normalisation_table() {
  std::array<float, 256> table{};
  for (int u = 0; u < 256; ++u) {
    const auto x = static_cast<float>(double(u) * (1.0 / 255.0));
    table[u] = (x - 0.5f) / 0.5f;
  }
  return table;
}

// Writes the S x S region of `image` at (x0, y0) as CHW floats.
void write_crop(const Image& image, int64_t x0, int64_t y0, int64_t size,
                const std::array<float, 256>& table, float* out) {
  const int64_t plane = size * size;
  for (int64_t y = 0; y < size; ++y) {
    const uint8_t* src = &image.rgb[(size_t(y0 + y) * image.width + x0) * 3];
    for (int64_t x = 0; x < size; ++x) {
      for (int c = 0; c < 3; ++c) out[c * plane + y * size + x] = table[src[3 * x + c]];
    }
  }
}

}  // namespace

torch::Tensor preprocess_anyres(const Image& image, const AnyresPlan& plan,
                                const VisionConfig& vision) {
  const int64_t size = vision.image_size;
  if (image.width <= 0 || image.height <= 0) fail("preprocess_anyres: the image is empty");
  if (size <= 0 || plan.grid_x <= 0 || plan.grid_y <= 0 || plan.canvas_w != plan.grid_x * size ||
      plan.canvas_h != plan.grid_y * size || plan.num_crops != 1 + plan.grid_x * plan.grid_y ||
      plan.resized_w <= 0 || plan.resized_h <= 0 || plan.paste_x < 0 || plan.paste_y < 0 ||
      plan.paste_x + plan.resized_w > plan.canvas_w ||
      plan.paste_y + plan.resized_h > plan.canvas_h) {
    fail("preprocess_anyres: the plan (canvas ", plan.canvas_w, " x ", plan.canvas_h, ", grid ",
         plan.grid_x, " x ", plan.grid_y, ", resized ", plan.resized_w, " x ", plan.resized_h,
         ") does not fit image_size ", size);
  }
  static const std::array<float, 256> table = normalisation_table();
  auto crops = torch::empty({plan.num_crops, 3, size, size}, torch::kFloat32);
  float* out = crops.data_ptr<float>();
  const int64_t crop_floats = 3 * size * size;

  // Crop 0: the aspect ratio is not kept.
  write_crop(resize_bicubic(image, int(size), int(size)), 0, 0, size, table, out);

  Image canvas;
  canvas.width = int(plan.canvas_w);
  canvas.height = int(plan.canvas_h);
  canvas.rgb.assign(size_t(canvas.width) * canvas.height * 3, 0);
  const Image resized = resize_bicubic(image, int(plan.resized_w), int(plan.resized_h));
  for (int y = 0; y < resized.height; ++y) {
    std::memcpy(&canvas.rgb[(size_t(plan.paste_y + y) * canvas.width + plan.paste_x) * 3],
                &resized.rgb[size_t(y) * resized.width * 3], size_t(resized.width) * 3);
  }
  int64_t index = 1;
  for (int64_t ty = 0; ty < plan.grid_y; ++ty) {
    for (int64_t tx = 0; tx < plan.grid_x; ++tx, ++index) {
      write_crop(canvas, tx * size, ty * size, size, table, out + index * crop_floats);
    }
  }
  return crops;
}

}  // namespace cachelens

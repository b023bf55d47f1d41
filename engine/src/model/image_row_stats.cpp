// SPDX-License-Identifier: MIT
#include "cachelens/image_row_stats.h"

#include <torch/torch.h>

#include "cachelens/error.h"

namespace cachelens {

ImageRowStats measure_image_rows(const VisionModel& vision, const std::vector<Image>& images) {
  if (images.size() < 2) {
    fail("image row stats: need at least two pictures to compare, got ", images.size());
  }
  torch::NoGradGuard no_grad;
  const auto& config = vision.config();
  std::vector<torch::Tensor> crops;
  for (const auto& image : images) {
    const auto plan = plan_anyres(image.width, image.height, config.vision, config.mm);
    crops.push_back(preprocess_anyres(image, plan, config.vision).narrow(0, 0, 1));
  }
  const auto rows = vision.project(vision.encode_crops(torch::cat(crops))).to(torch::kFloat64);
  const auto normed = rows / rows.pow(2).mean(-1, true).sqrt().clamp_min(1e-30);
  ImageRowStats stats;
  stats.images = static_cast<int64_t>(images.size());
  stats.rms = rows.pow(2).mean().sqrt().item<double>();
  stats.picture_part = (normed - normed.mean(0, true)).pow(2).mean().sqrt().item<double>();
  return stats;
}

}  // namespace cachelens

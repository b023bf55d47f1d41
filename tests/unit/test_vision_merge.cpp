// SPDX-License-Identifier: MIT
// The spatial_unpad + anyres_max_4 merge on the real 8B geometry (lladav-model.md §8), with
// features that encode their own crop and patch so every output row can be traced back.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "cachelens/config.h"
#include "cachelens/image.h"
#include "cachelens/vision_model.h"

using namespace cachelens;

namespace {

ModelConfig real_config() {
  ModelConfig c;
  c.mm.grid_pinpoints = expand_grid_pinpoints("(1x1),...,(6x6)", 384);
  return c;
}

// Feature d of patch (row, col) in crop k: [k, row, col, 0...].
torch::Tensor traceable_features(int64_t crops, int64_t side, int64_t d) {
  auto f = torch::zeros({crops, side * side, d});
  for (int64_t k = 0; k < crops; ++k) {
    for (int64_t p = 0; p < side * side; ++p) {
      f[k][p][0] = k;
      f[k][p][1] = p / side;
      f[k][p][2] = p % side;
    }
  }
  return f;
}

}  // namespace

TEST(VisionMerge, RealConfig1024x768GivesThe3627RowsOfTheWorkedExample) {
  const auto config = real_config();
  VisionWeights w;
  w.image_newline = torch::full({4}, -7.0f);
  const VisionModel model(w, config);
  const auto plan = plan_anyres(1024, 768, config.vision, config.mm);
  ASSERT_EQ(plan.num_crops, 7);
  const auto rows = model.merge(traceable_features(7, 27, 4), plan);
  ASSERT_EQ(rows.size(0), 3627);
  // Base crop first, in patch order, no newline.
  EXPECT_EQ(rows[0][0].item<float>(), 0);
  EXPECT_EQ(rows[728][1].item<float>(), 26);
  EXPECT_EQ(rows[728][2].item<float>(), 26);
  // Then 46 grid rows of 62 features + 1 newline each.
  for (int64_t r = 0; r < 46; ++r) {
    EXPECT_EQ(rows[729 + r * 63 + 62][0].item<float>(), -7.0f) << "row " << r;
    EXPECT_NE(rows[729 + r * 63 + 61][0].item<float>(), -7.0f) << "row " << r;
  }
}

TEST(VisionMerge, UnpadWithoutDownsampleKeepsTilesInPlace) {
  // 500x375 -> canvas 768x384, 2x1 tiles, unpadded 27x36 with no downsample (times 0.577).
  const auto config = real_config();
  VisionWeights w;
  w.image_newline = torch::full({4}, -1.0f);
  const VisionModel model(w, config);
  const auto plan = plan_anyres(500, 375, config.vision, config.mm);
  ASSERT_FALSE(plan.downsampled);
  ASSERT_EQ(plan.unpadded_h, 27);
  ASSERT_EQ(plan.unpadded_w, 36);
  const auto rows = model.merge(traceable_features(3, 27, 4), plan);
  ASSERT_EQ(rows.size(0), 1728);
  // The first grid row starts at stitched column unpad_left of tile 1 (crop index 1).
  const auto first = rows[729];
  EXPECT_EQ(first[0].item<float>(), 1);
  EXPECT_EQ(first[1].item<float>(), 0);
  EXPECT_EQ(first[2].item<float>(), plan.unpad_left);
  // Column 27 - unpad_left of the grid is the first column of tile 2.
  const auto crossing = rows[729 + (27 - plan.unpad_left)];
  EXPECT_EQ(crossing[0].item<float>(), 2);
  EXPECT_EQ(crossing[2].item<float>(), 0);
}

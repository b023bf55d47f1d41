// SPDX-License-Identifier: MIT
// anyres_max_4 planning (spec §7.2, §8, the §8.2 table) and the crops preprocess_anyres makes.
// Reference values come from scripts/gen_image_reference.py (Pillow 9.4 and the spec's formulas).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cachelens/error.h"
#include "cachelens/image.h"
#include "test_support.h"

namespace cachelens {
namespace {

VisionConfig real_vision() {
  return VisionConfig{};
}  // 384 / 14: 27 patches a side

MultimodalConfig real_mm(int64_t max_num_patches = 4) {
  MultimodalConfig mm;
  for (int64_t i = 1; i <= 6; ++i) {
    for (int64_t j = 1; j <= 6; ++j) mm.grid_pinpoints.push_back({384 * i, 384 * j});
  }
  mm.max_num_patches = max_num_patches;
  return mm;
}

uint64_t fnv1a64(const uint8_t* data, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}

float normalised(uint8_t u) {
  const auto x = static_cast<float>(double(u) * (1.0 / 255.0));
  return (x - 0.5f) / 0.5f;
}

// A [3, S, S] crop back to interleaved 8-bit RGB; fails the test if a value is not a normalised
// byte, which also checks the normalisation arithmetic.
std::vector<uint8_t> crop_bytes(const torch::Tensor& crop) {
  const int64_t s = crop.size(1);
  const auto c = crop.contiguous();
  const float* v = c.data_ptr<float>();
  std::vector<uint8_t> out(size_t(s) * s * 3);
  int bad = 0;
  for (int64_t ch = 0; ch < 3; ++ch) {
    for (int64_t i = 0; i < s * s; ++i) {
      const float f = v[ch * s * s + i];
      const long u = std::lround((f * 0.5 + 0.5) * 255.0);
      if (u < 0 || u > 255 || normalised(uint8_t(u)) != f) ++bad;
      out[size_t(i) * 3 + ch] = uint8_t(std::clamp<long>(u, 0, 255));
    }
  }
  EXPECT_EQ(bad, 0) << "values that are not (u/255 - 0.5)/0.5 for a byte u";
  return out;
}

// --- the spec §8.2 table ------------------------------------------------------------------------

struct TableRow {
  int64_t w, h, canvas_w, canvas_h, grid_x, grid_y, crops, unpadded_h, unpadded_w;
  double times;
  int64_t final_h, final_w, tokens;
};

const TableRow kSpecTable[] = {
    {1024, 768, 1152, 768, 3, 2, 7, 54, 73, 1.163, 46, 62, 3627},
    {768, 1024, 768, 1152, 2, 3, 7, 73, 54, 1.163, 62, 46, 3643},
    {800, 600, 1152, 768, 3, 2, 7, 54, 73, 1.163, 46, 62, 3627},
    {640, 480, 768, 768, 2, 2, 5, 40, 54, 0.861, 40, 54, 2929},
    {500, 375, 768, 384, 2, 1, 3, 27, 36, 0.577, 27, 36, 1728},
    {384, 384, 384, 384, 1, 1, 2, 27, 27, 0.5, 27, 27, 1485},
    {1280, 720, 1536, 768, 4, 2, 9, 54, 96, 1.333, 40, 72, 3649},
    {1920, 1080, 1920, 1152, 5, 3, 16, 75, 135, 1.863, 40, 72, 3649},
    {2048, 1536, 2304, 1536, 6, 4, 25, 108, 144, 2.309, 46, 62, 3627},
};

TEST(Anyres, SpecTable) {
  for (const auto& r : kSpecTable) {
    SCOPED_TRACE(std::to_string(r.w) + "x" + std::to_string(r.h));
    const AnyresPlan p = plan_anyres(r.w, r.h, real_vision(), real_mm());
    EXPECT_EQ(p.canvas_w, r.canvas_w);
    EXPECT_EQ(p.canvas_h, r.canvas_h);
    EXPECT_EQ(p.grid_x, r.grid_x);
    EXPECT_EQ(p.grid_y, r.grid_y);
    EXPECT_EQ(p.num_crops, r.crops);
    EXPECT_EQ(p.stitched_h, r.grid_y * 27);
    EXPECT_EQ(p.stitched_w, r.grid_x * 27);
    EXPECT_EQ(p.unpadded_h, r.unpadded_h);
    EXPECT_EQ(p.unpadded_w, r.unpadded_w);
    EXPECT_NEAR(p.times, r.times, 0.0005);
    EXPECT_EQ(p.downsampled, r.times > 1.1);
    EXPECT_EQ(p.final_h, r.final_h);
    EXPECT_EQ(p.final_w, r.final_w);
    EXPECT_EQ(p.image_tokens, r.tokens);
    EXPECT_EQ(p.image_tokens, 729 + r.final_h * (r.final_w + 1));
  }
}

TEST(Anyres, WorkedExample1024x768) {  // spec §8.1, every intermediate
  const AnyresPlan p = plan_anyres(1024, 768, real_vision(), real_mm());
  EXPECT_EQ(p.resized_w, 1024);
  EXPECT_EQ(p.resized_h, 768);
  EXPECT_EQ(p.paste_x, 64);
  EXPECT_EQ(p.paste_y, 0);
  EXPECT_EQ(p.stitched_h, 54);
  EXPECT_EQ(p.stitched_w, 81);
  EXPECT_EQ(p.unpad_top, 0);
  EXPECT_EQ(p.unpad_left, 4);  // newW = 72, p = (81 - 72) // 2, slice 4 : 77
  EXPECT_NEAR(p.times, std::sqrt(54.0 * 73.0 / 2916.0), 1e-12);
  EXPECT_TRUE(p.downsampled);
}

TEST(Anyres, ResizeAndPasteRowBranch) {  // wide image: rows are padded
  const AnyresPlan p = plan_anyres(1280, 720, real_vision(), real_mm());
  // sw = 1.2 > sh = 1.0667: nh = 768, nw = min(ceil(1280 * 1.0667), 1536) = 1366
  EXPECT_EQ(p.resized_w, 1366);
  EXPECT_EQ(p.resized_h, 768);
  EXPECT_EQ(p.paste_x, 85);
  EXPECT_EQ(p.paste_y, 0);
  // W/H = 1.778 > 108/54 is false: columns; newW = int(1280 * 54/720) = 96, p = 6.
  EXPECT_EQ(p.unpad_left, 6);
  const AnyresPlan q = plan_anyres(2400, 300, real_vision(), real_mm());
  EXPECT_EQ(q.canvas_w, 2304);
  EXPECT_EQ(q.canvas_h, 384);
  EXPECT_EQ(q.resized_w, 2304);
  EXPECT_EQ(q.resized_h, 288);  // ceil(300 * 0.96)
  EXPECT_EQ(q.paste_y, 48);
  EXPECT_EQ(q.unpad_top, 3);  // newH = int(300 * 162/2400) = 20, p = (27 - 20) // 2
  EXPECT_EQ(q.unpadded_h, 21);
}

// --- a sweep against the Python formulas --------------------------------------------------------

struct SweepRow {
  int64_t w, h, canvas_w, canvas_h, unpadded_h, unpadded_w, final_h, final_w, tokens;
};

void expect_rows(const std::vector<SweepRow>& rows, const VisionConfig& vision,
                 const MultimodalConfig& mm) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::to_string(r.w) + "x" + std::to_string(r.h));
    const AnyresPlan p = plan_anyres(r.w, r.h, vision, mm);
    EXPECT_EQ(p.canvas_w, r.canvas_w);
    EXPECT_EQ(p.canvas_h, r.canvas_h);
    EXPECT_EQ(p.unpadded_h, r.unpadded_h);
    EXPECT_EQ(p.unpadded_w, r.unpadded_w);
    EXPECT_EQ(p.final_h, r.final_h);
    EXPECT_EQ(p.final_w, r.final_w);
    EXPECT_EQ(p.image_tokens, r.tokens);
  }
}

TEST(Anyres, SweepMatchesPythonFormulas) {
  expect_rows(
      {
          {1, 1, 384, 384, 27, 27, 27, 27, 1485},
          {2, 3, 384, 384, 27, 19, 27, 19, 1269},
          {383, 385, 384, 768, 28, 27, 28, 27, 1513},
          {385, 383, 768, 384, 27, 28, 27, 28, 1512},
          {1000, 1, 1152, 384, 1, 81, 1, 81, 811},
          {1, 1000, 384, 1152, 81, 1, 81, 1, 891},
          {4000, 3000, 2304, 1920, 121, 162, 46, 62, 3627},
          {3000, 4000, 1920, 2304, 162, 121, 62, 46, 3643},
          {2304, 2304, 2304, 2304, 162, 162, 54, 54, 3699},
          {2305, 2303, 2304, 2304, 162, 162, 54, 54, 3699},
          {1366, 768, 1536, 768, 54, 96, 40, 72, 3649},
          {768, 1366, 768, 1536, 96, 54, 72, 40, 3681},
          {1080, 1920, 1152, 1920, 135, 75, 72, 40, 3681},
          {720, 1280, 768, 1536, 96, 54, 72, 40, 3681},
          {1200, 800, 1536, 1152, 73, 108, 44, 65, 3633},
          {800, 1200, 1152, 1536, 108, 73, 65, 44, 3654},
          {333, 517, 384, 768, 42, 27, 42, 27, 1905},
          {517, 333, 768, 384, 27, 42, 27, 42, 1890},
          {1536, 384, 1536, 384, 27, 108, 27, 108, 3672},
          {384, 1536, 384, 1536, 108, 27, 108, 27, 3753},
          {2400, 300, 2304, 384, 21, 162, 21, 162, 4152},
          {300, 2400, 384, 2304, 162, 21, 162, 21, 4293},
          {999, 777, 1152, 1152, 63, 81, 47, 61, 3643},
          {777, 999, 1152, 1152, 81, 63, 61, 47, 3657},
          {1151, 767, 1152, 768, 54, 81, 44, 66, 3677},
          {1153, 769, 1536, 1152, 73, 108, 44, 65, 3633},
          {600, 600, 768, 768, 54, 54, 54, 54, 3699},
          {1700, 1100, 1920, 1152, 81, 125, 43, 67, 3653},
          {1100, 1700, 1152, 1920, 125, 81, 67, 43, 3677},
          {4096, 2160, 2304, 1536, 86, 162, 39, 74, 3654},
          {224, 224, 384, 384, 27, 27, 27, 27, 1485},
          {32768, 32768, 2304, 2304, 162, 162, 54, 54, 3699},
          {32768, 128, 2304, 384, 1, 162, 1, 162, 892},
          {5000, 97, 2304, 384, 3, 162, 3, 162, 1218},
      },
      real_vision(), real_mm());
}

TEST(Anyres, PlainAnyresNeverDownsamples) {  // max_num_patches 0
  expect_rows(
      {
          {1024, 768, 1152, 768, 54, 73, 54, 73, 4725},
          {2048, 1536, 2304, 1536, 108, 144, 108, 144, 16389},
          {500, 375, 768, 384, 27, 36, 27, 36, 1728},
      },
      real_vision(), real_mm(0));
  EXPECT_FALSE(plan_anyres(2048, 1536, real_vision(), real_mm(0)).downsampled);
}

TEST(Anyres, GeneralisedToOtherTowerSizes) {  // side = image_size / patch_size, unit = image_size
  VisionConfig vision;
  vision.image_size = 56;
  vision.patch_size = 14;
  MultimodalConfig mm;
  for (int64_t i = 1; i <= 3; ++i) {
    for (int64_t j = 1; j <= 3; ++j) mm.grid_pinpoints.push_back({56 * i, 56 * j});
  }
  mm.max_num_patches = 2;
  expect_rows(
      {
          {100, 50, 112, 56, 4, 8, 4, 8, 52},
          {50, 100, 56, 112, 8, 4, 8, 4, 56},
          {170, 30, 168, 56, 2, 12, 2, 12, 42},
          {56, 56, 56, 56, 4, 4, 4, 4, 36},
          {300, 200, 168, 112, 8, 12, 4, 6, 44},
          {123, 77, 168, 112, 8, 12, 4, 6, 44},
      },
      vision, mm);
}

TEST(Anyres, TiesGoToTheFirstPinpointInListOrder) {
  MultimodalConfig mm;
  mm.grid_pinpoints = {{768, 384}, {384, 768}};  // same eff and waste for a square image
  EXPECT_EQ(plan_anyres(384, 384, real_vision(), mm).canvas_w, 768);
  mm.grid_pinpoints = {{384, 768}, {768, 384}};
  EXPECT_EQ(plan_anyres(384, 384, real_vision(), mm).canvas_w, 384);
}

TEST(Anyres, RejectsBadInputs) {
  EXPECT_THROW(plan_anyres(0, 10, real_vision(), real_mm()), Error);
  MultimodalConfig empty;
  empty.grid_pinpoints.clear();
  EXPECT_THROW(plan_anyres(10, 10, real_vision(), empty), Error);
  MultimodalConfig odd;
  odd.grid_pinpoints = {{400, 384}};
  try {
    plan_anyres(10, 10, real_vision(), odd);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("400 x 384"), std::string::npos) << e.what();
  }
}

// --- preprocess_anyres --------------------------------------------------------------------------

TEST(Preprocess, ShapeRangeAndCrops1024x768) {
  const Image image = test::pattern_image(1024, 768);
  const AnyresPlan plan = plan_anyres(1024, 768, real_vision(), real_mm());
  const torch::Tensor crops = preprocess_anyres(image, plan, real_vision());
  ASSERT_EQ(crops.sizes(), (std::vector<int64_t>{7, 3, 384, 384}));
  EXPECT_EQ(crops.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(crops.is_contiguous());
  EXPECT_GE(crops.min().item<float>(), -1.0f);
  EXPECT_LE(crops.max().item<float>(), 1.0f);
  EXPECT_EQ(normalised(0), -1.0f);
  EXPECT_EQ(normalised(255), 1.0f);

  // Crop 0 is the whole image squashed to 384 x 384.
  const Image base = resize_bicubic(image, 384, 384);
  EXPECT_EQ(crop_bytes(crops[0]), base.rgb);

  // The canvas is the identity resize pasted at (64, 0) on black; tiles row-major.
  for (int64_t ty = 0; ty < 2; ++ty) {
    for (int64_t tx = 0; tx < 3; ++tx) {
      SCOPED_TRACE("tile " + std::to_string(ty) + "," + std::to_string(tx));
      const std::vector<uint8_t> tile = crop_bytes(crops[1 + ty * 3 + tx]);
      int mismatches = 0;
      for (int y = 0; y < 384; ++y) {
        for (int x = 0; x < 384; ++x) {
          const int64_t cx = tx * 384 + x - 64, cy = ty * 384 + y;
          for (int c = 0; c < 3; ++c) {
            const uint8_t want = (cx < 0 || cx >= 1024) ? 0 : image.at(int(cx), int(cy), c);
            mismatches += tile[(size_t(y) * 384 + x) * 3 + c] != want;
          }
        }
      }
      EXPECT_EQ(mismatches, 0);
    }
  }
  // Padding is black, i.e. -1: the left 64 columns of the first column of tiles, the right 64 of
  // the last.
  using torch::indexing::Slice;
  for (int64_t row = 0; row < 2; ++row) {
    EXPECT_TRUE(
        crops[1 + row * 3].index({Slice(), Slice(), Slice(0, 64)}).eq(-1.0f).all().item<bool>());
    EXPECT_TRUE(
        crops[3 + row * 3].index({Slice(), Slice(), Slice(320, 384)}).eq(-1.0f).all().item<bool>());
  }
}

TEST(Preprocess, PaddingRowsForAWideImage) {
  const Image image = test::pattern_image(500, 200);
  const AnyresPlan plan = plan_anyres(500, 200, real_vision(), real_mm());
  const torch::Tensor crops = preprocess_anyres(image, plan, real_vision());
  ASSERT_EQ(crops.size(0), plan.num_crops);
  ASSERT_GT(plan.paste_y, 0);
  using torch::indexing::Slice;
  // Rows above the pasted image in the first tile row are black.
  EXPECT_TRUE(
      crops[1].index({Slice(), Slice(0, plan.paste_y), Slice()}).eq(-1.0f).all().item<bool>());
}

struct PipelineRow {
  int w, h;
  std::vector<uint64_t> crop_hashes;
};

TEST(Preprocess, MatchesPillowProcessAnyresImage) {
  const PipelineRow rows[] = {
      {500, 375, {0x2ae569135528a6dbull, 0x52a8a60ea69df26cull, 0x5ca88ca5ca422e40ull}},
      {1024,
       768,
       {0x20bf49e73a83f9e9ull, 0x26e4dfeddd7f7225ull, 0x086fc3d02e30fc25ull, 0xa5abab038c7b7625ull,
        0x1b2f47a6acfa1025ull, 0x9b075fb721724425ull, 0x200a34e182282825ull}},
      {333, 517, {0x5564540ed75c723full, 0xe90948aa2a2991afull, 0xcb9f3314d9592753ull}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::to_string(r.w) + "x" + std::to_string(r.h));
    const AnyresPlan plan = plan_anyres(r.w, r.h, real_vision(), real_mm());
    const torch::Tensor crops =
        preprocess_anyres(test::pattern_image(r.w, r.h), plan, real_vision());
    ASSERT_EQ(crops.size(0), int64_t(r.crop_hashes.size()));
    for (size_t i = 0; i < r.crop_hashes.size(); ++i) {
      const std::vector<uint8_t> bytes = crop_bytes(crops[int64_t(i)]);
      EXPECT_EQ(fnv1a64(bytes.data(), bytes.size()), r.crop_hashes[i]) << "crop " << i;
    }
  }
}

TEST(Preprocess, RejectsAPlanForAnotherTower) {
  const AnyresPlan plan = plan_anyres(500, 375, real_vision(), real_mm());
  VisionConfig other;
  other.image_size = 224;
  EXPECT_THROW(preprocess_anyres(test::pattern_image(500, 375), plan, other), Error);
}

}  // namespace
}  // namespace cachelens

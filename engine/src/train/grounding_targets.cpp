// SPDX-License-Identifier: MIT
// What the grounding heads are taught about each patch cell of a scene (train_internal.h).
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "cachelens/error.h"
#include "dataset/scene_internal.h"
#include "train/train_internal.h"

namespace cachelens::train {
namespace {

int64_t index_in(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) fail("grounding: unknown scene name '", name, "'");
  return static_cast<int64_t>(it - names.begin());
}

constexpr int kSamples = 4;  // 4 x 4 points a cell
constexpr int kBins = 9;     // the x and y heads' ninths of the side
// Head columns, in grounding_heads() order.
enum Column : int64_t { kColour, kShape, kSize, kRow, kCol, kX, kY, kCentre, kBackground };

int64_t bin_of(double fraction) {
  return std::clamp<int64_t>(static_cast<int64_t>(fraction * kBins), 0, kBins - 1);
}

}  // namespace

const std::vector<GroundingHead>& grounding_heads() {
  static const std::vector<GroundingHead> heads = {
      {"colour", 1 + static_cast<int64_t>(scene_colours().size()), true},
      {"shape", 1 + static_cast<int64_t>(scene_shapes().size()), true},
      {"size", 3, true},
      {"row", 4, true},
      {"column", 4, true},
      {"x", 1 + kBins, true},
      {"y", 1 + kBins, true},
      {"centre", 2, false},
      {"background", static_cast<int64_t>(scene_backgrounds().size()), false},
  };
  return heads;
}

torch::Tensor grounding_targets(const Scene& scene, int64_t grid) {
  if (grid < 1) fail("grounding: the patch grid must be at least 1 x 1, got ", grid);
  const auto& heads = grounding_heads();
  const auto n_heads = static_cast<int64_t>(heads.size());
  auto targets = at::zeros({grid * grid, n_heads}, at::kLong);
  auto* t = targets.data_ptr<int64_t>();
  const int64_t background = index_in(scene_backgrounds(), scene.background);
  const double cell = 1.0 / static_cast<double>(grid);
  std::vector<int> hits(scene.objects.size());
  for (int64_t r = 0; r < grid; ++r) {
    for (int64_t c = 0; c < grid; ++c) {
      int64_t* row = t + (r * grid + c) * n_heads;
      row[kBackground] = background;
      std::fill(hits.begin(), hits.end(), 0);
      for (int sy = 0; sy < kSamples; ++sy) {
        for (int sx = 0; sx < kSamples; ++sx) {
          const double x = (static_cast<double>(c) + (sx + 0.5) / kSamples) * cell;
          const double y = (static_cast<double>(r) + (sy + 0.5) / kSamples) * cell;
          int top = -1;  // later objects are drawn on top
          for (size_t k = 0; k < scene.objects.size(); ++k) {
            if (scene_object_covers(scene.objects[k], x, y)) top = static_cast<int>(k);
          }
          if (top >= 0) ++hits[static_cast<size_t>(top)];
        }
      }
      for (const SceneObject& o : scene.objects) {
        if (std::floor(o.x / cell) == static_cast<double>(c) &&
            std::floor(o.y / cell) == static_cast<double>(r))
          row[kCentre] = 1;
      }
      const auto best = std::max_element(hits.begin(), hits.end());
      if (best == hits.end() || *best * 4 < kSamples * kSamples) continue;
      const SceneObject& o = scene.objects[static_cast<size_t>(best - hits.begin())];
      row[kColour] = 1 + index_in(scene_colours(), o.colour);
      row[kShape] = 1 + index_in(scene_shapes(), o.shape);
      row[kSize] = o.size == "large" ? 2 : 1;
      row[kRow] = 1 + dataset::region_row(o);
      row[kCol] = 1 + dataset::region_column(o);
      row[kX] = 1 + bin_of(o.x);
      row[kY] = 1 + bin_of(o.y);
    }
  }
  return targets;
}

}  // namespace cachelens::train

// SPDX-License-Identifier: MIT
// Random scenes, the portable random helpers they are drawn with, the 3x3 regions the questions
// name and the content key that keeps splits apart.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cachelens/error.h"
#include "dataset/scene_internal.h"

namespace cachelens {
namespace dataset {
namespace {

constexpr int kMaxObjects = 5;
constexpr double kLineMargin = 0.05;  // centres keep this far from the 1/3 and 2/3 lines
constexpr double kEdgeMargin = 0.02;  // and every object this far inside the image

bool near_region_line(double v) {
  return std::abs(v - 1.0 / 3.0) < kLineMargin || std::abs(v - 2.0 / 3.0) < kLineMargin;
}

double round_to(double v, double step) {
  return std::round(v / step) * step;
}

// A centre for an object of radius `r` that keeps `spacing` * (r1 + r2) from every placed one,
// or false when none was found in a bounded number of tries.
bool place(Rng& rng, const std::vector<SceneObject>& placed, double r, double spacing, double* x,
           double* y) {
  const double lo = r + kEdgeMargin, hi = 1.0 - r - kEdgeMargin;
  for (int attempt = 0; attempt < 200; ++attempt) {
    const double cx = round_to(lo + uniform01(rng) * (hi - lo), 0.001);
    const double cy = round_to(lo + uniform01(rng) * (hi - lo), 0.001);
    if (near_region_line(cx) || near_region_line(cy)) continue;
    bool clear = true;
    for (const SceneObject& other : placed) {
      const double dx = cx - other.x, dy = cy - other.y, gap = spacing * (r + other.radius);
      if (dx * dx + dy * dy < gap * gap) clear = false;
    }
    if (clear) {
      *x = cx;
      *y = cy;
      return true;
    }
  }
  return false;
}

// Colour and shape for the next object: often one already in the scene (so counting by colour
// or shape has answers above 1), never a (colour, shape) pair already used.
std::pair<std::string, std::string> pick_kind(Rng& rng, const std::vector<SceneObject>& placed) {
  const auto taken = [&](const std::string& colour, const std::string& shape) {
    for (const SceneObject& o : placed) {
      if (o.colour == colour && o.shape == shape) return true;
    }
    return false;
  };
  for (int attempt = 0; attempt < 100; ++attempt) {
    const bool reuse_colour = !placed.empty() && uniform01(rng) < 0.4;
    const bool reuse_shape = !placed.empty() && uniform01(rng) < 0.4;
    const std::string colour = reuse_colour ? pick(rng, placed).colour : pick(rng, scene_colours());
    const std::string shape = reuse_shape ? pick(rng, placed).shape : pick(rng, scene_shapes());
    if (!taken(colour, shape)) return {colour, shape};
  }
  fail("random_scene: no free (colour, shape) pair");  // unreachable with 5 of 24 pairs
}

}  // namespace

double uniform01(Rng& rng) {
  return double(rng() >> 11) * (1.0 / 9007199254740992.0);
}

int64_t uniform_int(Rng& rng, int64_t count) {
  if (count <= 0) fail("uniform_int: count must be positive, got ", count);
  // Rejection keeps it exactly uniform; the bound is the largest multiple of count.
  const uint64_t n = uint64_t(count), limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t v;
  do v = rng();
  while (v >= limit);
  return int64_t(v % n);
}

uint64_t mix_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Scene random_scene(Rng& rng, const std::string& id) {
  for (;;) {
    Scene scene;
    scene.id = id;
    scene.background = pick(rng, scene_backgrounds());
    const int64_t count = 1 + uniform_int(rng, kMaxObjects);
    // A quarter of the scenes let objects overlap a little; every object stays mostly visible.
    const double spacing = uniform01(rng) < 0.25 ? 0.8 : 1.1;
    bool ok = true;
    for (int64_t i = 0; i < count && ok; ++i) {
      SceneObject object;
      std::tie(object.colour, object.shape) = pick_kind(rng, scene.objects);
      const bool large = uniform01(rng) < 0.5;
      object.size = large ? "large" : "small";
      object.radius = large ? kLargeRadius : kSmallRadius;
      ok = place(rng, scene.objects, object.radius, spacing, &object.x, &object.y);
      if (ok) scene.objects.push_back(object);
    }
    if (ok) return scene;  // else a crowded draw: start the scene over
  }
}

int region_row(const SceneObject& object) {
  return object.y < 1.0 / 3.0 ? 0 : object.y < 2.0 / 3.0 ? 1 : 2;
}

int region_column(const SceneObject& object) {
  return object.x < 1.0 / 3.0 ? 0 : object.x < 2.0 / 3.0 ? 1 : 2;
}

std::string region_name(const SceneObject& object) {
  static const char* const kNames[3][3] = {{"top left", "top", "top right"},
                                           {"left", "centre", "right"},
                                           {"bottom left", "bottom", "bottom right"}};
  return kNames[region_row(object)][region_column(object)];
}

std::string region_phrase(const SceneObject& object) {
  const int row = region_row(object), column = region_column(object);
  const std::string name = region_name(object);
  if (row == 1 && column == 1) return "in the centre";
  if (row == 1) return "on the " + name;  // on the left, on the right
  return "at the " + name;                // at the top, at the bottom left, ...
}

}  // namespace dataset

std::string scene_content_key(const Scene& scene) {
  std::vector<std::string> objects;
  for (const SceneObject& o : scene.objects) {
    objects.push_back(o.colour + " " + o.shape + " " + o.size + " " +
                      std::to_string(std::llround(o.x * 100)) + " " +
                      std::to_string(std::llround(o.y * 100)));
  }
  std::sort(objects.begin(), objects.end());
  std::string key = scene.background;
  for (const std::string& o : objects) key += ";" + o;
  return key;
}

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// The scene vocabularies, their colours and the anti-aliased rasteriser. The palette keeps every
// object colour far from every other and from every background, so each stays recognisable at the
// embedded model's 56 px input.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "cachelens/dataset.h"
#include "cachelens/error.h"

namespace cachelens {
namespace {

using Rgb = std::array<uint8_t, 3>;

const std::vector<std::pair<std::string, Rgb>>& object_palette() {
  static const std::vector<std::pair<std::string, Rgb>> palette = {
      {"red", {220, 30, 30}},    {"green", {30, 160, 50}},   {"blue", {30, 80, 230}},
      {"yellow", {245, 215, 0}}, {"purple", {145, 45, 190}}, {"orange", {250, 130, 0}},
  };
  return palette;
}

const std::vector<std::pair<std::string, Rgb>>& background_palette() {
  static const std::vector<std::pair<std::string, Rgb>> palette = {
      {"white", {255, 255, 255}},     {"light grey", {200, 200, 200}}, {"cream", {245, 238, 215}},
      {"pale blue", {200, 225, 245}}, {"dark grey", {70, 70, 70}},     {"black", {0, 0, 0}},
  };
  return palette;
}

std::vector<std::string> names_of(const std::vector<std::pair<std::string, Rgb>>& palette) {
  std::vector<std::string> names;
  for (const auto& entry : palette) names.push_back(entry.first);
  return names;
}

enum class Shape { kCircle, kSquare, kTriangle, kCross };

Shape shape_of(const std::string& name) {
  if (name == "circle") return Shape::kCircle;
  if (name == "square") return Shape::kSquare;
  if (name == "triangle") return Shape::kTriangle;
  if (name == "cross") return Shape::kCross;
  fail("scene object has unknown shape '", name, "' (expected circle, square, triangle or cross)");
}

// Whether the point (dx, dy), relative to the object's centre in pixels, lies inside it.
bool inside(Shape shape, double dx, double dy, double r) {
  switch (shape) {
    case Shape::kCircle:
      return dx * dx + dy * dy <= r * r;
    case Shape::kSquare:
      return std::abs(dx) <= r && std::abs(dy) <= r;
    case Shape::kTriangle:
      // Apex at the top (y - r), base along y + r: the half width grows from 0 to r downwards.
      return dy >= -r && dy <= r && std::abs(dx) <= (dy + r) * 0.5;
    case Shape::kCross: {
      const double arm = 0.4 * r;  // arms 0.4 of the extent wide
      return (std::abs(dx) <= r && std::abs(dy) <= arm) ||
             (std::abs(dx) <= arm && std::abs(dy) <= r);
    }
  }
  return false;
}

struct Placed {
  Shape shape;
  Rgb rgb;
  double cx, cy, r;    // pixels
  int x0, y0, x1, y1;  // pixel bounding box, inclusive
};

}  // namespace

const std::vector<std::string>& scene_shapes() {
  static const std::vector<std::string> shapes = {"circle", "square", "triangle", "cross"};
  return shapes;
}

const std::vector<std::string>& scene_colours() {
  static const std::vector<std::string> colours = names_of(object_palette());
  return colours;
}

const std::vector<std::string>& scene_backgrounds() {
  static const std::vector<std::string> backgrounds = names_of(background_palette());
  return backgrounds;
}

std::array<uint8_t, 3> scene_rgb(const std::string& name) {
  for (const auto* palette : {&object_palette(), &background_palette()}) {
    for (const auto& entry : *palette) {
      if (entry.first == name) return entry.second;
    }
  }
  fail("unknown scene colour or background '", name, "'");
}

bool scene_object_covers(const SceneObject& object, double x, double y) {
  return inside(shape_of(object.shape), x - object.x, y - object.y, object.radius);
}

Image render_scene(const Scene& scene, int side) {
  if (side < 1 || side > 8192) fail("render_scene: side must be 1..8192 pixels, got ", side);
  const Rgb background = scene_rgb(scene.background);
  std::vector<Placed> placed;
  for (const SceneObject& object : scene.objects) {
    Placed p{shape_of(object.shape),
             scene_rgb(object.colour),
             object.x * side,
             object.y * side,
             object.radius * side,
             0,
             0,
             0,
             0};
    p.x0 = std::max(0, int(std::floor(p.cx - p.r)) - 1);
    p.y0 = std::max(0, int(std::floor(p.cy - p.r)) - 1);
    p.x1 = std::min(side - 1, int(std::ceil(p.cx + p.r)) + 1);
    p.y1 = std::min(side - 1, int(std::ceil(p.cy + p.r)) + 1);
    placed.push_back(p);
  }

  constexpr int kSub = 4;  // 4x4 samples a pixel
  Image image;
  image.width = side;
  image.height = side;
  image.rgb.resize(size_t(side) * side * 3);
  std::vector<const Placed*> near;
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      near.clear();
      for (const Placed& p : placed) {
        if (x >= p.x0 && x <= p.x1 && y >= p.y0 && y <= p.y1) near.push_back(&p);
      }
      uint8_t* out = &image.rgb[(size_t(y) * side + x) * 3];
      if (near.empty()) {
        std::copy(background.begin(), background.end(), out);
        continue;
      }
      int sum[3] = {0, 0, 0};
      for (int sy = 0; sy < kSub; ++sy) {
        for (int sx = 0; sx < kSub; ++sx) {
          const double px = x + (sx + 0.5) / kSub, py = y + (sy + 0.5) / kSub;
          const Rgb* colour = &background;
          for (const Placed* p : near) {  // later objects are drawn on top
            if (inside(p->shape, px - p->cx, py - p->cy, p->r)) colour = &p->rgb;
          }
          for (int c = 0; c < 3; ++c) sum[c] += (*colour)[c];
        }
      }
      for (int c = 0; c < 3; ++c) out[c] = uint8_t((sum[c] + kSub * kSub / 2) / (kSub * kSub));
    }
  }
  return image;
}

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// Pieces of the synthetic VQA generator shared between its files (and reachable from the unit
// tests): the portable random helpers, random scenes and the 3x3 regions.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cachelens/dataset.h"

namespace cachelens::dataset {

// std::uniform_*_distribution differ between standard libraries; these depend only on the
// engine's bits, which std::mt19937_64 fixes, so a seed gives the same set on every machine.
using Rng = std::mt19937_64;
double uniform01(Rng& rng);                    // [0, 1) with 53 random bits
int64_t uniform_int(Rng& rng, int64_t count);  // [0, count), count > 0
template <typename T>
const T& pick(Rng& rng, const std::vector<T>& values) {
  return values[size_t(uniform_int(rng, int64_t(values.size())))];
}
template <typename T>
void shuffle(Rng& rng, std::vector<T>& values) {  // Fisher-Yates, not std::shuffle (same reason)
  for (size_t i = values.size(); i > 1; --i)
    std::swap(values[i - 1], values[size_t(uniform_int(rng, int64_t(i)))]);
}
// A well-mixed seed for a sub-stream (splitmix64 of both parts).
uint64_t mix_seed(uint64_t seed, uint64_t stream);

constexpr double kSmallRadius = 0.09;
constexpr double kLargeRadius = 0.15;

// A scene of 1 to 5 objects, drawn from `rng`; `id` is stored as given.
Scene random_scene(Rng& rng, const std::string& id);

// 3x3 regions: row 0..2 (top, middle, bottom) and column 0..2 (left, centre, right).
int region_row(const SceneObject& object);
int region_column(const SceneObject& object);
std::string region_name(const SceneObject& object);    // "top left", "centre", "bottom", ...
std::string region_phrase(const SceneObject& object);  // "at the top left", "in the centre", ...

}  // namespace cachelens::dataset

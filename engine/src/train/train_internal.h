// SPDX-License-Identifier: MIT
// Pieces of the trainer that tests reach directly.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "cachelens/config.h"
#include "cachelens/dataset.h"
#include "cachelens/train.h"
#include "cachelens/vision_model.h"

namespace cachelens::train {

// Every tensor of a fresh checkpoint (the real names), initialised GPT-2 style: N(0, 0.02),
// residual outputs scaled by 1/sqrt(2 layers), norms 1, biases 0.
std::vector<std::pair<std::string, torch::Tensor>> initial_weights(const ModelConfig& config,
                                                                   uint64_t seed);

// Appends `added` layers (1 to kMaxAddedLayers) on top of a trained language tower held in
// `named` (the real tensor names) and counts them in `config`. The new layers are initialised as
// initial_weights does, except that their residual outputs (o_proj, down_proj) are zero: each
// starts as the identity, so the grown model's logits equal the given one's.
constexpr int64_t kMaxAddedLayers = 64;
void add_language_layers(std::map<std::string, torch::Tensor>& named, ModelConfig& config,
                         int64_t added, uint64_t seed);

// Linear warm-up over `warmup` steps, then a cosine from `peak` down to `floor` at `total`.
double learning_rate_at(int64_t step, int64_t total, int64_t warmup, double peak, double floor);

// The item index of sample `b` of batch `step`: epochs of a seeded permutation, so a resumed run
// sees exactly the batches it would have seen.
int64_t item_for(int64_t step, int64_t b, int64_t batch_size, int64_t items, uint64_t seed);

// `items` with every item of a family in `repeats` standing that many times in a row
// (TrainOptions::family_repeats). Throws, naming it, on a name that is not a question family or a
// count outside 1..kMaxFamilyRepeats.
constexpr int64_t kMaxFamilyRepeats = 100;
std::vector<VqaItem> repeat_families(const std::vector<VqaItem>& items,
                                     const std::map<std::string, int64_t>& repeats);

// The answer region a training example decodes: the answer, then <|eot_id|> repeated to `length`
// (the stop token is the padding: LLaDA-style, so the model learns to end an answer early and
// confidently, and the decoder stops at the first one). Throws when the answer does not fit.
std::vector<int32_t> padded_answer(const std::vector<int32_t>& answer, int32_t eot, int64_t length,
                                   const std::string& what);

// The mean of the last `window` values: the loss that progress lines and reports show (0 before
// the first value).
class RecentMean {
 public:
  explicit RecentMean(size_t window = 50) : window_(window) {}
  void add(double value) {
    values_.push_back(value);
    if (values_.size() > window_) values_.pop_front();
  }
  double mean() const {
    double sum = 0.0;
    for (double v : values_) sum += v;
    return values_.empty() ? 0.0 : sum / static_cast<double>(values_.size());
  }

 private:
  std::deque<double> values_;
  size_t window_;
};

// The image-side grounding stage (TrainOptions::ground_steps): linear heads on the projector's
// output rows of the base crop learn, for every patch cell, what the scene has there. It stands in
// for the pretrained SigLIP the real LLaDA-V starts from: a tower trained from scratch by the
// answer loss alone learns only what the first questions need (docs/benchmarks.md).
struct GroundingHead {
  std::string name;
  int64_t classes;  // class 0 is "nothing here" where the head has one
  bool object;      // scored on cells an object covers only
};
// colour, shape, size, row, column, x, y, centre, background (in that order)
const std::vector<GroundingHead>& grounding_heads();
// Per-cell targets of `scene` on a grid x grid cover of the picture, cells row-major (the tower's
// patch order): int64 [grid * grid, heads]. A cell belongs to the object that is on top at the
// most of its 4 x 4 sample points, if that is at least a quarter of them; it gets that object's
// colour, shape, size, 3x3 region row and column (the position questions' regions) and its
// centre's ninth of the side in x and y. `centre` marks the cell holding an object's centre (one
// cell an object, what counting needs); `background` is the scene's in every cell.
torch::Tensor grounding_targets(const Scene& scene, int64_t grid);

// The grounding stage itself (options.ground_*): trains `params` (the image side, which `vision`
// reads) with fresh heads on `base_crop(image path)` ([3, S, S] on `device`), reporting "ground"
// events, and returns the held-out accuracy per head ("ground-done" reports it too). Sets
// *stopped, and returns early, when `on_progress` asks to stop.
std::vector<std::pair<std::string, double>> ground_image_side(
    const VisionModel& vision, const std::vector<torch::Tensor>& params,
    const std::function<torch::Tensor(const std::string&)>& base_crop, const TrainOptions& options,
    const torch::Device& device, const std::function<bool(const TrainProgress&)>& on_progress,
    bool* stopped);

}  // namespace cachelens::train

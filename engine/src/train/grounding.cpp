// SPDX-License-Identifier: MIT
// The image-side grounding stage (TrainOptions::ground_steps): the vision tower and projector
// learn, through linear heads on the base crop's projected rows, what each patch cell of the scene
// holds.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "cachelens/error.h"
#include "train/train_internal.h"

namespace cachelens::train {
namespace {

struct Heads {
  torch::Tensor w, b;  // [sum of classes, D], [sum of classes]
  int64_t classes = 0;
};

// logits [cells, classes] and targets [cells, heads] -> the summed per-head cross-entropy.
torch::Tensor heads_loss(const torch::Tensor& logits, const torch::Tensor& targets) {
  torch::Tensor total;
  int64_t offset = 0, h = 0;
  for (const auto& head : grounding_heads()) {
    const auto loss = torch::nn::functional::cross_entropy(logits.narrow(1, offset, head.classes),
                                                           targets.select(1, h));
    total = total.defined() ? total + loss : loss;
    offset += head.classes;
    ++h;
  }
  return total;
}

}  // namespace

std::vector<std::pair<std::string, double>> ground_image_side(
    const VisionModel& vision, const std::vector<torch::Tensor>& params,
    const std::function<torch::Tensor(const std::string&)>& base_crop, const TrainOptions& options,
    const torch::Device& device, const std::function<bool(const TrainProgress&)>& on_progress,
    bool* stopped) {
  if (options.ground_scenes.empty())
    fail("training: grounding (ground_steps ", options.ground_steps,
         ") needs the training pictures' scenes (make-dataset's train-scenes.jsonl)");
  if (options.ground_batch < 1)
    fail("training: the grounding batch must be at least 1, got ", options.ground_batch);
  const auto records = load_scenes_jsonl(options.ground_scenes);
  if (records.size() < 2)
    fail("training: '", options.ground_scenes.string(), "' holds ", records.size(),
         " scenes; grounding needs at least 2 (one is held out)");
  const size_t held = std::clamp<size_t>(records.size() / 10, 1, 200);
  const auto n_train = static_cast<int64_t>(records.size() - held);

  const auto& config = vision.config();
  const int64_t grid = config.vision.image_size / config.vision.patch_size;
  const int64_t width = config.text.hidden_size;  // the projector's output
  const auto& heads = grounding_heads();
  Heads h;
  for (const auto& head : heads) h.classes += head.classes;
  auto gen = at::detail::createCPUGenerator(options.seed * 7919ull + 17ull);
  h.w = (torch::randn({h.classes, width}, gen) * 0.02).to(device).requires_grad_(true);
  h.b = torch::zeros({h.classes}, torch::TensorOptions().device(device)).requires_grad_(true);
  std::vector<torch::Tensor> all = params;
  all.push_back(h.w);
  all.push_back(h.b);
  torch::optim::AdamW optimizer(
      all, torch::optim::AdamWOptions(options.ground_lr).betas({0.9, 0.98}).weight_decay(0.0));

  std::vector<torch::Tensor> targets(records.size());  // by record, made on first use
  const auto batch_of = [&](const std::vector<size_t>& picks, torch::Tensor* crops,
                            torch::Tensor* labels) {
    std::vector<torch::Tensor> c, l;
    for (size_t i : picks) {
      c.push_back(base_crop(records[i].image));
      if (!targets[i].defined()) targets[i] = grounding_targets(records[i].scene, grid).to(device);
      l.push_back(targets[i]);
    }
    *crops = torch::stack(c);
    *labels = torch::cat(l);
  };
  const auto logits_of = [&](const torch::Tensor& crops) {
    const auto rows = vision.project(vision.encode_crops(crops));  // [B, patches, D]
    if (rows.size(1) != grid * grid)
      fail("training: grounding expects ", grid * grid, " patch rows a crop, the tower gives ",
           rows.size(1));
    return torch::addmm(h.b, rows.reshape({-1, width}), h.w.t());
  };

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const int64_t warmup = std::min<int64_t>(100, options.ground_steps / 10);
  RecentMean recent;
  for (int64_t s = 0; s < options.ground_steps; ++s) {
    const double lr = learning_rate_at(s, options.ground_steps, warmup, options.ground_lr,
                                       options.ground_lr / 20.0);
    for (auto& group : optimizer.param_groups())
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    std::vector<size_t> picks;
    for (int64_t b = 0; b < options.ground_batch; ++b)
      picks.push_back(
          static_cast<size_t>(item_for(s, b, options.ground_batch, n_train, options.seed + 1)));
    torch::Tensor crops, labels;
    batch_of(picks, &crops, &labels);
    optimizer.zero_grad();
    const auto loss = heads_loss(logits_of(crops), labels);
    loss.backward();
    torch::nn::utils::clip_grad_norm_(all, options.grad_clip);
    optimizer.step();
    recent.add(loss.item<double>());

    TrainProgress p;
    p.event = "ground";
    p.step = s + 1;
    p.total_steps = options.ground_steps;
    p.loss = recent.mean();
    p.learning_rate = lr;
    p.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    p.eta_s = p.elapsed_s / static_cast<double>(s + 1) *
              static_cast<double>(options.ground_steps - s - 1);
    if (on_progress && !on_progress(p)) {
      *stopped = true;
      return {};
    }
  }

  // Held-out accuracy per head; the object heads only where an object covers the cell.
  torch::NoGradGuard no_grad;
  std::vector<int64_t> right(heads.size(), 0), seen(heads.size(), 0);
  for (size_t first = records.size() - held; first < records.size(); first += 50) {
    std::vector<size_t> picks;
    for (size_t i = first; i < std::min(records.size(), first + 50); ++i) picks.push_back(i);
    torch::Tensor crops, labels;
    batch_of(picks, &crops, &labels);
    const auto logits = logits_of(crops);
    const auto covered = labels.select(1, 0) > 0;
    int64_t offset = 0;
    for (size_t k = 0; k < heads.size(); ++k) {
      const auto predicted = logits.narrow(1, offset, heads[k].classes).argmax(1);
      const auto target = labels.select(1, static_cast<int64_t>(k));
      auto ok = predicted == target;
      if (heads[k].object) ok = ok.masked_select(covered);
      right[k] += ok.sum().item<int64_t>();
      seen[k] += ok.numel();
      offset += heads[k].classes;
    }
  }
  std::vector<std::pair<std::string, double>> accuracy;
  for (size_t k = 0; k < heads.size(); ++k)
    accuracy.emplace_back(heads[k].name, seen[k] > 0 ? double(right[k]) / double(seen[k]) : 0.0);
  TrainProgress done;
  done.event = "ground-done";
  done.step = done.total_steps = options.ground_steps;
  done.loss = recent.mean();
  done.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  done.ground_accuracy = accuracy;
  if (on_progress && !on_progress(done)) *stopped = true;
  return accuracy;
}

}  // namespace cachelens::train

// SPDX-License-Identifier: MIT
// Training a small LLaDA-V on the synthetic VQA set (DESIGN.md, "The embedded default"): the
// same model code as inference, run with autograd; LLaDA's masked-diffusion instruction-tuning
// objective; AdamW with warm-up and a cosine schedule, gradient clipping, periodic validation
// accuracy, checkpoints in the real Hugging Face LLaDA-V folder format, and resume.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "cachelens/config.h"
#include "cachelens/dataset.h"
#include "cachelens/image_row_stats.h"

namespace cachelens {

struct TrainOptions {
  std::filesystem::path train_set;  // train.jsonl (make-dataset)
  std::filesystem::path val_set;    // val.jsonl; empty: no validation accuracy
  std::filesystem::path out;        // the checkpoint folder; also where a run resumes from
  // The set a fresh model's tokenizer is learned from; empty: train_set. A curriculum's first
  // stage (a subset) names the full set here so that every stage shares one tokenizer.
  std::filesystem::path tokenizer_set;
  std::string size = "embedded";  // embedded | tiny (tests)
  int64_t steps = 3000;
  // Ends this run at that step (validating and saving as at the end) while the learning-rate
  // schedule still spans `steps`, so a curriculum stage can hand over mid-cosine and the next
  // stage resumes on the same schedule; 0 = run to `steps`.
  int64_t stop_at = 0;
  int64_t batch_size = 16;
  double learning_rate = 2e-3;
  double min_learning_rate = 1e-4;  // the cosine schedule's floor
  int64_t warmup_steps = 150;
  double weight_decay = 0.05;  // on matrices only
  // The image side's (vision tower, projector, image_newline) learning rate relative to the
  // language tower's: 0 freezes it at its initial weights. An experiment knob for keeping the
  // picture in the image rows (docs/benchmarks.md, "Why the embedded model misses the target").
  double vision_lr_scale = 1.0;
  double beta1 = 0.9, beta2 = 0.98;
  double grad_clip = 1.0;
  // With this probability a training answer gets 32 or 64 more padding positions than its item's
  // gen_length, so the model also ends answers cleanly when asked for longer generations.
  double extra_padding_prob = 0.2;
  // How a sample's answer is masked (both are LLaDA's objective, with the same expectation):
  //   count  l ~ U{1..L} positions masked exactly, loss weight L / l (the LLaDA paper's Eq. 6,
  //          the form it uses for likelihoods because its variance is lower)
  //   ratio  t ~ U(0, 1), each position masked with p = (1 - 1e-3) t + 1e-3, weight 1 / p (the
  //          LLaDA SFT code). At batch 16 its weight of up to 1000 on one token made runs
  //          erratic: a 2-layer model copied the question's object into its answer 14-71% of the
  //          time after 1500 steps, depending on the seed (docs/benchmarks.md, "Embedded model").
  std::string masking = "count";
  int64_t save_every = 200;      // steps between checkpoints (and at the end)
  int64_t validate_every = 500;  // steps between validation runs; 0 = only at the end
  int64_t validate_items = 64;
  int tokenizer_merges = 400;
  uint64_t seed = 0;
  std::string device = "cpu";  // cpu | cuda | cuda:N
  // CPU workers, each taking part of the batch (0 = one per core). 1 makes a step bit-for-bit
  // reproducible (gradients then always add up in the same order).
  int threads = 0;
  // Sequences packed into one forward (an attention mask keeps them apart); 0 = the whole batch
  // on a GPU, 1 on the CPU.
  int64_t pack = 0;
  bool resume = true;  // continue from `out` when it holds a training state
  // A fresh run (nothing to resume in `out`) starts from this trained checkpoint's weights,
  // config and tokenizer instead of random ones, with a fresh optimizer at step 0 (fine-tuning;
  // `size` and the tokenizer options are then unused). Empty: from scratch.
  std::filesystem::path init_from;
  // With init_from: that many language layers added on top, each starting as the identity
  // (train::add_language_layers), so training continues from what the checkpoint computes with
  // more capacity. 0: the checkpoint's layers as they are.
  int64_t add_layers = 0;
  // Oversampling by question family: every training item of a named family stands that many
  // times in a row in the training list (1 = once, as in the file), so those families fill more
  // of each epoch. The tokenizer of a fresh model is still learnt from the list as written.
  std::map<std::string, int64_t> family_repeats;
  // The image-side grounding stage: before the first step of a fresh model, `ground_steps` steps
  // of `ground_batch` pictures teach the vision tower and projector what each patch cell of the
  // scene holds (colour, shape, size, region, centre, background; train_internal.h), through
  // linear heads that are then dropped. It stands in for the pretrained SigLIP tower the real
  // LLaDA-V starts from. The pictures are `ground_scenes` (make-dataset's train-scenes.jsonl)
  // less the last tenth (at most 200), which measures the heads. An interrupted grounding stage
  // starts over on resume: it takes minutes and keeps no state of its own.
  std::filesystem::path ground_scenes;
  int64_t ground_steps = 0;
  int64_t ground_batch = 32;
  double ground_lr = 2e-3;  // peak; warm-up then cosine to a twentieth of it
};

struct TrainProgress {
  int64_t step = 0, total_steps = 0;
  double loss = 0.0;  // mean of the recent steps
  double learning_rate = 0.0;
  double grad_norm = 0.0;
  double elapsed_s = 0.0, eta_s = 0.0;
  double val_accuracy = -1.0;  // the latest validation accuracy; < 0 before the first
  // The image rows of the validation items' pictures at the latest validation (images 0 before
  // the first, or with fewer than two pictures): a falling picture_part means training is
  // removing the picture from the image rows rather than learning to read it.
  ImageRowStats image_stats;
  // Per grounding head, the held-out accuracy (object heads on the cells an object covers),
  // filled at the end of the grounding stage.
  std::vector<std::pair<std::string, double>> ground_accuracy;
  // "ground" (step, total_steps, loss and learning_rate are the grounding stage's),
  // "ground-done", "step", "validate", "save"
  std::string event;
};

struct TrainReport {
  int64_t first_step = 0;  // > 0 when the run resumed
  int64_t steps_done = 0;
  double final_loss = 0.0;  // mean over the last 50 steps
  double val_accuracy = -1.0;
  ImageRowStats image_stats;                                    // at the latest validation
  std::vector<std::pair<std::string, double>> ground_accuracy;  // when this run grounded
  double seconds = 0.0;
  bool stopped = false;  // the progress callback asked to stop (a checkpoint was saved first)
};

// The architecture of a trainable size for a vocabulary of `vocab_size` tokens.
ModelConfig training_model_config(const std::string& size, int64_t vocab_size);

// The text a tokenizer for this data is trained on: every question and answer, plus the chat
// template's words.
std::string tokenizer_corpus(const std::vector<VqaItem>& items);

class Trainer {
 public:
  // Creates the model (a fresh tokenizer and random weights, written to `out` at once) or, with
  // `resume` and a training state in `out`, loads the latest checkpoint and optimizer state.
  explicit Trainer(TrainOptions options);
  ~Trainer();

  // The masked-diffusion loss on `batch` with masks drawn from `mask_seed` (no update).
  double loss_on(const std::vector<VqaItem>& batch, uint64_t mask_seed);
  // One optimizer step on `batch`; returns the loss before the update.
  double train_step(const std::vector<VqaItem>& batch, uint64_t mask_seed);
  // fp32 logits [gen_length, vocab] at every answer position of `item`, all answer positions
  // masked (the first denoising step's view).
  torch::Tensor answer_logits(const VqaItem& item);
  // measure_image_rows on the first 64 distinct pictures of `items` with the current weights
  // (images 0 when they hold fewer than two). Validation measures the validation set's.
  ImageRowStats image_row_stats(const std::vector<VqaItem>& items);
  // Writes the checkpoint folder and the training state (atomic per file).
  void save();
  int64_t step() const;
  const ModelConfig& config() const;

  // The whole loop from the current step to options.steps. `on_progress` returning false stops
  // after saving a checkpoint.
  TrainReport run(const std::function<bool(const TrainProgress&)>& on_progress = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cachelens

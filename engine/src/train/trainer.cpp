// SPDX-License-Identifier: MIT
// The trainer: the inference towers run with autograd on every position (a full-rows plan), LLaDA's
// masked-diffusion SFT loss on the answer region, AdamW, and checkpoints in the real folder format.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "cachelens/atomic_file.h"
#include "cachelens/chat_template.h"
#include "cachelens/checkpoint.h"
#include "cachelens/device.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "cachelens/eval.h"
#include "cachelens/image.h"
#include "cachelens/image_row_stats.h"
#include "cachelens/language_model.h"
#include "cachelens/safetensors.h"
#include "cachelens/tokenizer.h"
#include "cachelens/train.h"
#include "cachelens/vision_model.h"
#include "train/train_internal.h"

namespace cachelens {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// LLaDA's lower bound on the masking ratio, so every sample masks something in expectation.
constexpr double kMaskEps = 1e-3;

fs::path state_dir(const fs::path& out) {
  return out / "training_state";
}

struct ImageInput {
  torch::Tensor crops;  // [num_crops, 3, S, S] on the training device
  AnyresPlan plan;
};

}  // namespace

struct Trainer::Impl {
  TrainOptions options;
  DeviceChoice device;
  Tokenizer tokenizer;
  std::string tokenizer_json;
  ModelConfig config;
  LanguageWeights language_weights;
  VisionWeights vision_weights;
  torch::Tensor post_ln_w, post_ln_b;  // saved untouched: the real folder has them
  std::optional<LanguageModel> language;
  std::optional<VisionModel> vision;
  // The optimizer's parameter groups, in this order: language side with and without weight decay,
  // then the image side (vision tower, projector, image_newline) likewise, whose learning rate is
  // scaled by options.vision_lr_scale.
  std::vector<std::vector<torch::Tensor>> groups;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  int64_t step = 0;
  std::vector<VqaItem> train_items, val_items;
  std::unordered_map<std::string, ImageInput> images;
  std::unordered_map<std::string, std::vector<int32_t>> prompt_ids;  // by question text
  int32_t mask_id = -1, eot_id = -1;
  train::RecentMean recent_losses;
  double val_accuracy = -1.0;
  ImageRowStats image_stats;  // at the latest validation
  double last_grad_norm = 0.0;
  int threads = 1;
  int64_t grounded_steps = 0;  // the grounding stage's steps, once it has run (state.json)

  // Sequences per forward: the option, or by default the whole batch on a GPU (where launches,
  // not maths, bound small sequences) and one on the CPU (where workers share a batch instead).
  int64_t pack_size() const {
    if (options.pack > 0) return options.pack;
    return device.device.is_cuda() ? std::max<int64_t>(1, options.batch_size) : 1;
  }

  void create_fresh();
  // A trained folder's tokenizer and config (into the members) and its tensors by name.
  std::map<std::string, torch::Tensor> read_checkpoint(const fs::path& dir);
  void start_from(const fs::path& dir);  // options.init_from: its weights, a fresh optimizer
  void load_checkpoint(const fs::path& dir);
  void adopt_weights(const std::map<std::string, torch::Tensor>& named);
  void make_optimizer();
  const ImageInput& image_input(const std::string& path);
  const std::vector<int32_t>& prompt_for(const std::string& question);
  struct Draw {
    int64_t length = 0;
    double p = 1.0;
    torch::Tensor masked;            // bool [length] on the training device
    std::vector<int64_t> masked_at;  // the same positions, on the host
  };
  Draw draw(const VqaItem& item, at::Generator& gen);
  // The summed losses of `items` (each with its draw), packed into one forward: the sequences are
  // concatenated and an attention mask keeps them apart, so one pass replaces len(items) small
  // ones (on a GPU their launch cost dominates). One item gives the plain single-sequence pass.
  torch::Tensor packed_loss(const std::vector<const VqaItem*>& items,
                            const std::vector<const Draw*>& draws);
  torch::Tensor logits_for(const VqaItem& item, const torch::Tensor& masked,
                           const std::vector<int32_t>& answer);
  // One example's input embeddings: the prompt with `image_rows` spliced in, then the answer
  // with its `masked` positions (bool, on the device) replaced by the mask token. Also gives the
  // prompt's length.
  torch::Tensor sequence_for(const VqaItem& item, const torch::Tensor& image_rows,
                             const torch::Tensor& masked, const std::vector<int32_t>& answer,
                             int64_t* prompt_length);
  int64_t length_for(const VqaItem& item, at::Generator& gen) const;
  double validate();
  ImageRowStats measure_images(const std::vector<VqaItem>& items) const;
  void save() const;
};

void Trainer::Impl::adopt_weights(const std::map<std::string, torch::Tensor>& named) {
  const auto take = [&](const std::string& name, torch::Tensor& t) {
    const auto it = named.find(name);
    if (it == named.end()) fail("training: the checkpoint has no tensor '", name, "'");
    // Owned fp32 copies on the device: the optimizer updates them in place.
    t = it->second.detach().to(device.device, torch::kFloat32).clone().requires_grad_(true);
  };
  language_weights.visit(config.text, take);
  vision_weights.visit(config, take);
  const auto post = std::string(kVisionPrefix) + "post_layernorm.";
  const auto find_or = [&](const std::string& name, torch::Tensor fallback) {
    const auto it = named.find(name);
    return it == named.end() ? fallback : it->second.detach().to(torch::kFloat32).clone();
  };
  post_ln_w = find_or(post + "weight", torch::ones({config.vision.hidden_size}));
  post_ln_b = find_or(post + "bias", torch::zeros({config.vision.hidden_size}));
  language.emplace(language_weights, config.text);
  vision.emplace(vision_weights, config);
  groups.assign(4, {});
  const auto sort_into = [&](size_t first) {
    return [this, first](const std::string& name, torch::Tensor& t) {
      // Weight decay on matrices only: not on norms, biases, embeddings' newline or positions.
      const bool matrix = t.dim() >= 2 && name.find("position_embedding") == std::string::npos;
      groups[first + (matrix ? 0 : 1)].push_back(t);
    };
  };
  language_weights.visit(config.text, sort_into(0));
  vision_weights.visit(config, sort_into(2));
}

void Trainer::Impl::make_optimizer() {
  const auto group_options = [&](double wd) {
    auto o = std::make_unique<torch::optim::AdamWOptions>(options.learning_rate);
    o->betas({options.beta1, options.beta2}).eps(1e-8).weight_decay(wd);
    return o;
  };
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  for (size_t g = 0; g < groups.size(); ++g) {
    param_groups.emplace_back(groups[g], group_options(g % 2 == 0 ? options.weight_decay : 0.0));
  }
  optimizer = std::make_unique<torch::optim::AdamW>(
      param_groups, torch::optim::AdamWOptions(options.learning_rate));
}

void Trainer::Impl::create_fresh() {
  // A curriculum's first stage trains on part of the data but learns the tokenizer on all of
  // it, so later stages (which resume, keeping the tokenizer) see the same merges.
  const auto corpus_items =
      options.tokenizer_set.empty() ? train_items : load_vqa_jsonl(options.tokenizer_set);
  tokenizer_json =
      train_byte_level_bpe_json(tokenizer_corpus(corpus_items), options.tokenizer_merges);
  tokenizer = Tokenizer::from_json_text(tokenizer_json, "trained tokenizer.json");
  config = training_model_config(options.size, tokenizer.size());
  std::map<std::string, torch::Tensor> named;
  for (auto& [name, t] : train::initial_weights(config, options.seed)) named.emplace(name, t);
  adopt_weights(named);
  make_optimizer();
  step = 0;
}

std::map<std::string, torch::Tensor> Trainer::Impl::read_checkpoint(const fs::path& dir) {
  auto checkpoint = Checkpoint::open(dir);
  tokenizer = checkpoint.tokenizer;
  tokenizer_json = read_text_file(dir / "tokenizer.json");
  config = checkpoint.config;
  if (config.text.vocab_size != tokenizer.size()) {
    fail("training: '", (dir / "config.json").string(), "' has vocab_size ", config.text.vocab_size,
         " but its tokenizer has ", tokenizer.size(), " tokens (a trained model keeps them equal)");
  }
  std::map<std::string, torch::Tensor> named;
  for (const auto& name : checkpoint.archive.names())
    named.emplace(name, checkpoint.archive.tensor(name));
  return named;
}

void Trainer::Impl::start_from(const fs::path& dir) {
  auto named = read_checkpoint(dir);
  if (options.add_layers > 0)
    train::add_language_layers(named, config, options.add_layers, options.seed);
  adopt_weights(named);
  make_optimizer();
  step = 0;
}

void Trainer::Impl::load_checkpoint(const fs::path& dir) {
  adopt_weights(read_checkpoint(dir));
  make_optimizer();
  const auto state_file = state_dir(dir) / "state.json";
  const auto state = nlohmann::json::parse(read_text_file(state_file), nullptr, false);
  if (state.is_discarded() || !state.contains("step") || !state["step"].is_number_integer()) {
    fail("training: '", state_file.string(),
         "' is not a training state (expected {\"step\": N, ...})");
  }
  step = state["step"].get<int64_t>();
  val_accuracy = state.value("val_accuracy", -1.0);
  image_stats.picture_part = state.value("picture_part", 0.0);
  image_stats.rms = state.value("image_rms", 0.0);
  image_stats.images = state.value("picture_images", int64_t{0});
  grounded_steps = state.value("grounded_steps", int64_t{0});
  torch::serialize::InputArchive archive;
  const auto opt_file = state_dir(dir) / "optimizer.pt";
  try {
    archive.load_from(opt_file.string(), device.device);
    optimizer->load(archive);
  } catch (const c10::Error& e) {
    // States written before the image side had its own parameter groups have two, not four.
    fail("training: '", opt_file.string(), "' does not match this trainer's optimizer (",
         groups.size(), " parameter groups): ", e.what_without_backtrace(),
         "; start afresh with --no-resume");
  }
}

const ImageInput& Trainer::Impl::image_input(const std::string& path) {
  auto it = images.find(path);
  if (it != images.end()) return it->second;
  const auto image = load_image(path);
  ImageInput input;
  input.plan = plan_anyres(image.width, image.height, config.vision, config.mm);
  input.crops = preprocess_anyres(image, input.plan, config.vision).to(device.device);
  return images.emplace(path, std::move(input)).first->second;
}

const std::vector<int32_t>& Trainer::Impl::prompt_for(const std::string& question) {
  auto it = prompt_ids.find(question);
  if (it != prompt_ids.end()) return it->second;
  // The same prompt as inference (ChatOptions' defaults, which drop the "\n" after <image> as the
  // official demo code does): a model trained here is evaluated exactly as it was trained.
  ChatOptions chat;
  auto ids =
      tokenize_with_image_placeholders(tokenizer, render_chat_prompt(question, true, chat), chat);
  return prompt_ids.emplace(question, std::move(ids)).first->second;
}

int64_t Trainer::Impl::length_for(const VqaItem& item, at::Generator& gen) const {
  int64_t length = item.gen_length;
  if (options.extra_padding_prob > 0.0) {
    const double u = torch::rand({1}, gen).item<double>();
    if (u < options.extra_padding_prob) length += u < options.extra_padding_prob / 2 ? 32 : 64;
  }
  return length;
}

torch::Tensor Trainer::Impl::sequence_for(const VqaItem& item, const torch::Tensor& image_rows,
                                          const torch::Tensor& masked,
                                          const std::vector<int32_t>& answer,
                                          int64_t* prompt_length) {
  const auto prompt = language->splice_prompt(prompt_for(item.question), image_rows, 0);
  *prompt_length = prompt.size(0);
  const auto index = torch::TensorOptions().dtype(torch::kInt64).device(device.device);
  auto answer_in = torch::tensor(std::vector<int64_t>(answer.begin(), answer.end()), index);
  answer_in = torch::where(masked, torch::full_like(answer_in, mask_id), answer_in);
  return torch::cat({prompt, language->embed(answer_in)}, 0);
}

torch::Tensor Trainer::Impl::logits_for(const VqaItem& item, const torch::Tensor& masked,
                                        const std::vector<int32_t>& answer) {
  const auto& image = image_input(item.image);
  const auto rows = vision->merge(vision->project(vision->encode_crops(image.crops)), image.plan);
  int64_t p = 0;
  const auto inputs = sequence_for(item, rows, masked, answer, &p);
  KVCache cache;
  cache.reset(config.text, inputs.size(0), {});
  ForwardPlan plan;
  plan.decode_rows = masked.nonzero().view({-1}) + p;
  return language->forward(inputs, language->rope_for_length(inputs.size(0)), plan, cache, nullptr);
}

Trainer::Impl::Draw Trainer::Impl::draw(const VqaItem& item, at::Generator& gen) {
  Draw d;
  d.length = length_for(item, gen);
  if (options.masking == "count") {
    // The LLaDA paper's equivalent form (its Eq. 6): l ~ U{1..L}, exactly l positions masked,
    // weight L / l. Same bound as the ratio form, but a weight of at most L instead of 1/eps.
    const int64_t l = 1 + torch::randint(d.length, {1}, gen).item<int64_t>();
    d.p = static_cast<double>(l) / static_cast<double>(d.length);
    d.masked = torch::zeros({d.length}, torch::kBool);
    d.masked.index_fill_(0, torch::randperm(d.length, gen).narrow(0, 0, l), true);
  } else {
    // LLaDA SFT: t ~ U(0, 1), each answer position masked with p = (1 - eps) t + eps.
    const double t = torch::rand({1}, gen).item<double>();
    d.p = (1.0 - kMaskEps) * t + kMaskEps;
    d.masked = torch::rand({d.length}, gen) < d.p;
    if (!d.masked.any().item<bool>()) {
      d.masked[torch::randint(d.length, {1}, gen).item<int64_t>()] = true;
    }
  }
  const auto where = d.masked.nonzero().view({-1}).contiguous();
  d.masked_at.assign(where.data_ptr<int64_t>(), where.data_ptr<int64_t>() + where.numel());
  d.masked = d.masked.to(device.device);
  // Fill the caches here, on one thread, so the workers only read them.
  image_input(item.image);
  prompt_for(item.question);
  return d;
}

torch::Tensor Trainer::Impl::packed_loss(const std::vector<const VqaItem*>& items,
                                         const std::vector<const Draw*>& draws) {
  const auto index = torch::TensorOptions().dtype(torch::kInt64).device(device.device);
  // Every crop of the pack through the vision tower at once.
  std::vector<torch::Tensor> crops;
  for (const auto* item : items) crops.push_back(image_input(item->image).crops);
  const auto projected =
      vision->project(vision->encode_crops(crops.size() == 1 ? crops[0] : torch::cat(crops)));

  std::vector<torch::Tensor> sequences, positions;
  std::vector<int64_t> segment, decode, targets;
  struct Span {
    int64_t begin, count;
    double scale;
  };
  std::vector<Span> spans;  // each item's decode rows, and its loss weight
  int64_t offset = 0, crop = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    const auto& item = *items[k];
    const auto& d = *draws[k];
    const auto& image = image_input(item.image);
    const int64_t num_crops = image.crops.size(0);
    const auto rows = vision->merge(projected.narrow(0, crop, num_crops), image.plan);
    crop += num_crops;
    const auto answer = train::padded_answer(tokenizer.encode(item.answer, false), eot_id, d.length,
                                             "item '" + item.question + "'");
    int64_t p = 0;
    const auto sequence = sequence_for(item, rows, d.masked, answer, &p);
    const int64_t length = sequence.size(0);
    sequences.push_back(sequence);
    positions.push_back(torch::arange(length, index));
    segment.insert(segment.end(), static_cast<size_t>(length), static_cast<int64_t>(k));
    // The loss on masked positions is weighted by 1/p and normalised by the answer length
    // (padding included).
    spans.push_back({static_cast<int64_t>(decode.size()), static_cast<int64_t>(d.masked_at.size()),
                     1.0 / (d.p * static_cast<double>(d.length))});
    for (int64_t j : d.masked_at) {
      decode.push_back(offset + p + j);
      targets.push_back(answer[static_cast<size_t>(j)]);
    }
    offset += length;
  }
  const auto inputs = sequences.size() == 1 ? sequences[0] : torch::cat(sequences, 0);
  const auto& text = config.text;
  const auto rope = ops::rope_table(positions.size() == 1 ? positions[0] : torch::cat(positions),
                                    text.head_dim, text.rope_theta, torch::kFloat32);
  KVCache cache;
  cache.reset(text, offset, {});
  ForwardPlan plan;
  plan.decode_rows = torch::tensor(decode, index);
  if (items.size() > 1) {
    const auto seg = torch::tensor(segment, index);
    plan.attention_mask = seg.unsqueeze(1) == seg.unsqueeze(0);
  }
  const auto logits = language->forward(inputs, rope, plan, cache, nullptr);
  const auto ce = torch::nn::functional::cross_entropy(
      logits, torch::tensor(targets, index),
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  torch::Tensor total;
  for (const auto& span : spans) {
    const auto loss = ce.narrow(0, span.begin, span.count).sum() * span.scale;
    total = total.defined() ? total + loss : loss;
  }
  return total;
}

double Trainer::Impl::validate() {
  if (val_items.empty()) return -1.0;
  save();
  LoadOptions load;
  load.device = options.device;
  load.dtype = "fp32";
  auto session = Session::load(options.out, load);
  EvalOptions eval;
  eval.limit = options.validate_items;
  const auto report = evaluate(*session, val_items, eval);
  image_stats = measure_images(val_items);
  return report.results.empty() ? -1.0 : report.results.front().accuracy;
}

ImageRowStats Trainer::Impl::measure_images(const std::vector<VqaItem>& items) const {
  // The first 64 distinct pictures: enough for a stable mean row, one cheap vision pass.
  constexpr size_t kMaxPictures = 64;
  std::vector<std::string> paths;
  for (const auto& item : items) {
    if (paths.size() == kMaxPictures) break;
    if (std::find(paths.begin(), paths.end(), item.image) == paths.end())
      paths.push_back(item.image);
  }
  if (paths.size() < 2) return {};  // one picture: nothing to compare it with
  std::vector<Image> pictures;
  for (const auto& path : paths) pictures.push_back(load_image(path));
  return measure_image_rows(*vision, pictures);
}

void Trainer::Impl::save() const {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  const auto collect = [&](const std::string& name, torch::Tensor& t) {
    tensors.emplace_back(name, t.detach().to(torch::kCPU).contiguous());
  };
  const_cast<LanguageWeights&>(language_weights).visit(config.text, collect);
  const_cast<VisionWeights&>(vision_weights).visit(config, collect);
  const auto post = std::string(kVisionPrefix) + "post_layernorm.";
  tensors.emplace_back(post + "weight", post_ln_w);
  tensors.emplace_back(post + "bias", post_ln_b);
  fs::create_directories(state_dir(options.out));
  write_sharded_checkpoint(options.out, tensors, ~0ull);
  write_text_atomically(options.out / "tokenizer.json", tokenizer_json);
  write_text_atomically(options.out / "config.json", config.to_json_text());
  // The optimizer state goes through a temp file too; state.json is written last, so a state.json
  // always describes a complete step.
  const auto opt_file = state_dir(options.out) / "optimizer.pt";
  const auto tmp = opt_file.string() + ".tmp";
  torch::serialize::OutputArchive archive;
  optimizer->save(archive);
  archive.save_to(tmp);
  fs::rename(tmp, opt_file);
  nlohmann::json state = {{"step", step},
                          {"total_steps", options.steps},
                          {"size", options.size},
                          {"seed", options.seed},
                          {"batch_size", options.batch_size},
                          {"val_accuracy", val_accuracy},
                          {"vision_lr_scale", options.vision_lr_scale},
                          {"picture_part", image_stats.picture_part},
                          {"image_rms", image_stats.rms},
                          {"picture_images", image_stats.images},
                          {"grounded_steps", grounded_steps},
                          {"init_from", options.init_from.string()},
                          {"added_layers", options.add_layers},
                          {"family_repeats", options.family_repeats}};
  write_text_atomically(state_dir(options.out) / "state.json", state.dump(2) + "\n");
}

Trainer::Trainer(TrainOptions options) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  if (options.out.empty()) fail("training needs an output folder");
  if (options.batch_size < 1)
    fail("training: batch size must be at least 1, got ", options.batch_size);
  if (options.masking != "count" && options.masking != "ratio")
    fail("training: unknown masking '", options.masking, "' (allowed: count, ratio)");
  if (options.steps < 1) fail("training: steps must be at least 1, got ", options.steps);
  if (options.stop_at < 0 || options.stop_at > options.steps)
    fail("training: stop_at must be 0 (run to the end) or a step up to steps (", options.steps,
         "), got ", options.stop_at);
  if (options.ground_steps < 0)
    fail("training: ground_steps must be 0 (no grounding stage) or more, got ",
         options.ground_steps);
  if (!(options.vision_lr_scale >= 0.0))
    fail("training: the vision learning-rate scale must be 0 or more, got ",
         options.vision_lr_scale);
  if (options.add_layers != 0 && options.init_from.empty())
    fail("training: adding layers needs a checkpoint to start from (init_from)");
  if (options.add_layers < 0 || options.add_layers > train::kMaxAddedLayers)
    fail("training: layers to add must be 0 to ", train::kMaxAddedLayers, ", got ",
         options.add_layers);
  m.options = std::move(options);
  m.device = resolve_device(m.options.device, "fp32");
  if (!m.options.train_set.empty()) m.train_items = load_vqa_jsonl(m.options.train_set);
  if (!m.options.val_set.empty()) m.val_items = load_vqa_jsonl(m.options.val_set);
  // Checked before anything is written.
  auto sampled = train::repeat_families(m.train_items, m.options.family_repeats);
  const bool resumable = fs::exists(state_dir(m.options.out) / "state.json");
  if (m.options.resume && resumable) {
    m.load_checkpoint(m.options.out);
  } else {
    if (m.train_items.empty())
      fail("training: '", m.options.train_set.string(), "' holds no items");
    if (m.options.init_from.empty()) {
      m.create_fresh();
    } else {
      m.start_from(m.options.init_from);
    }
    m.save();
  }
  // Oversampling changes what a batch holds, not the vocabulary learnt above.
  m.train_items = std::move(sampled);
  m.threads = m.options.threads > 0
                  ? m.options.threads
                  : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Data-parallel workers each run single-threaded maths (see train_step).
  if (m.threads > 1 && m.device.device.is_cpu()) at::set_num_threads(1);
  m.mask_id = m.tokenizer.id_of("<|mdm_mask|>");
  m.eot_id = m.tokenizer.id_of("<|eot_id|>");
}

Trainer::~Trainer() = default;

int64_t Trainer::step() const {
  return impl_->step;
}
const ModelConfig& Trainer::config() const {
  return impl_->config;
}
void Trainer::save() {
  impl_->save();
}

double Trainer::loss_on(const std::vector<VqaItem>& batch, uint64_t mask_seed) {
  torch::NoGradGuard no_grad;
  auto gen = at::detail::createCPUGenerator(mask_seed);
  double total = 0.0;
  for (const auto& item : batch) {
    const auto d = impl_->draw(item, gen);
    total += impl_->packed_loss({&item}, {&d}).item<double>();
  }
  return total / static_cast<double>(batch.size());
}

double Trainer::train_step(const std::vector<VqaItem>& batch, uint64_t mask_seed) {
  auto& m = *impl_;
  if (batch.empty()) fail("training: an empty batch");
  const double lr = train::learning_rate_at(m.step, m.options.steps, m.options.warmup_steps,
                                            m.options.learning_rate, m.options.min_learning_rate);
  auto& param_groups = m.optimizer->param_groups();
  for (size_t g = 0; g < param_groups.size(); ++g) {
    const double scale = g >= 2 ? m.options.vision_lr_scale : 1.0;
    static_cast<torch::optim::AdamWOptions&>(param_groups[g].options()).lr(lr * scale);
  }
  m.optimizer->zero_grad();
  auto gen = at::detail::createCPUGenerator(mask_seed);
  std::vector<Impl::Draw> draws;
  for (const auto& item : batch) draws.push_back(m.draw(item, gen));
  // Samples go in packs of `pack` sequences, each pack one forward (packed_loss), and gradients
  // accumulate (the update is the batch mean). On CPU, small matmuls use cores poorly: `threads`
  // workers each take every threads-th pack with one intra-op thread, and autograd accumulates
  // their gradients under its own lock (the sum order then varies in the last bits).
  const int64_t pack = m.pack_size();
  const int64_t packs = (static_cast<int64_t>(batch.size()) + pack - 1) / pack;
  const int threads = std::max(1, std::min<int>(m.threads, static_cast<int>(packs)));
  std::vector<double> totals(static_cast<size_t>(threads), 0.0);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  const auto work = [&](int w) {
    try {
      for (int64_t k = w; k < packs; k += threads) {
        std::vector<const VqaItem*> items;
        std::vector<const Impl::Draw*> pack_draws;
        for (int64_t i = k * pack; i < std::min<int64_t>((k + 1) * pack, batch.size()); ++i) {
          items.push_back(&batch[static_cast<size_t>(i)]);
          pack_draws.push_back(&draws[static_cast<size_t>(i)]);
        }
        const auto loss = m.packed_loss(items, pack_draws) / static_cast<double>(batch.size());
        loss.backward();
        totals[static_cast<size_t>(w)] += loss.item<double>();
      }
    } catch (...) {
      errors[static_cast<size_t>(w)] = std::current_exception();
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int w = 0; w < threads; ++w) pool.emplace_back(work, w);
    for (auto& t : pool) t.join();
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  double total = 0.0;
  for (double t : totals) total += t;
  std::vector<torch::Tensor> all;
  for (const auto& group : m.groups) all.insert(all.end(), group.begin(), group.end());
  m.last_grad_norm = torch::nn::utils::clip_grad_norm_(all, m.options.grad_clip);
  m.optimizer->step();
  ++m.step;
  return total;
}

ImageRowStats Trainer::image_row_stats(const std::vector<VqaItem>& items) {
  return impl_->measure_images(items);
}

torch::Tensor Trainer::answer_logits(const VqaItem& item) {
  torch::NoGradGuard no_grad;
  auto& m = *impl_;
  const auto answer = train::padded_answer(m.tokenizer.encode(item.answer, false), m.eot_id,
                                           item.gen_length, "item '" + item.question + "'");
  const auto masked = torch::ones(
      {item.gen_length}, torch::TensorOptions().dtype(torch::kBool).device(m.device.device));
  return m.logits_for(item, masked, answer).to(torch::kCPU);
}

TrainReport Trainer::run(const std::function<bool(const TrainProgress&)>& on_progress) {
  auto& m = *impl_;
  TrainReport report;
  report.first_step = m.step;
  const auto start = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const auto n = static_cast<int64_t>(m.train_items.size());
  if (n == 0) fail("training: '", m.options.train_set.string(), "' holds no items");
  const int64_t end = m.options.stop_at > 0 ? m.options.stop_at : m.options.steps;
  bool stopped = false;
  if (m.options.ground_steps > 0 && m.grounded_steps == 0) {
    if (m.step > 0)
      fail("training: the grounding stage runs before the first step, but '",
           m.options.out.string(), "' is at step ", m.step);
    std::vector<torch::Tensor> image_side = m.groups[2];
    image_side.insert(image_side.end(), m.groups[3].begin(), m.groups[3].end());
    // One batched forward a step: intra-op threads, not the answer loss's workers. The answer
    // steps get the caller's setting back however the stage ends.
    struct IntraOpThreads {
      int saved = at::get_num_threads();
      explicit IntraOpThreads(int n) { at::set_num_threads(n); }
      ~IntraOpThreads() { at::set_num_threads(saved); }
    };
    std::optional<IntraOpThreads> grounding_threads;
    if (m.device.device.is_cpu()) grounding_threads.emplace(m.threads);
    report.ground_accuracy = train::ground_image_side(
        *m.vision, image_side,
        [&m](const std::string& path) { return m.image_input(path).crops[0]; }, m.options,
        m.device.device, on_progress, &stopped);
    grounding_threads.reset();
    if (!stopped) {
      m.grounded_steps = m.options.ground_steps;
      m.save();
    }
  }
  while (m.step < end && !stopped) {
    std::vector<VqaItem> batch;
    for (int64_t b = 0; b < m.options.batch_size; ++b) {
      batch.push_back(m.train_items[static_cast<size_t>(
          train::item_for(m.step, b, m.options.batch_size, n, m.options.seed))]);
    }
    const uint64_t mask_seed = m.options.seed * 1000003ull + static_cast<uint64_t>(m.step);
    const double loss = train_step(batch, mask_seed);
    m.recent_losses.add(loss);

    TrainProgress progress;
    progress.step = m.step;
    progress.total_steps = m.options.steps;
    progress.loss = m.recent_losses.mean();
    progress.learning_rate =
        train::learning_rate_at(m.step - 1, m.options.steps, m.options.warmup_steps,
                                m.options.learning_rate, m.options.min_learning_rate);
    progress.grad_norm = m.last_grad_norm;
    progress.elapsed_s = elapsed();
    const int64_t done = m.step - report.first_step;
    progress.eta_s =
        progress.elapsed_s / static_cast<double>(done) * static_cast<double>(end - m.step);
    progress.val_accuracy = m.val_accuracy;
    progress.image_stats = m.image_stats;
    progress.event = "step";
    const bool last = m.step == end;
    if (on_progress && !on_progress(progress)) stopped = true;
    const bool validate_now =
        !m.val_items.empty() &&
        (last || (m.options.validate_every > 0 && m.step % m.options.validate_every == 0));
    if (validate_now && !stopped) {
      m.val_accuracy = m.validate();
      progress.val_accuracy = m.val_accuracy;
      progress.image_stats = m.image_stats;
      progress.event = "validate";
      if (on_progress && !on_progress(progress)) stopped = true;
    }
    if (stopped || last || m.step % m.options.save_every == 0) {
      m.save();
      progress.event = "save";
      if (on_progress) on_progress(progress);
    }
  }
  report.steps_done = m.step - report.first_step;
  report.final_loss = m.recent_losses.mean();
  report.val_accuracy = m.val_accuracy;
  report.image_stats = m.image_stats;
  report.seconds = elapsed();
  report.stopped = stopped;
  return report;
}

}  // namespace cachelens

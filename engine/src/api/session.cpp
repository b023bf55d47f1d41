// SPDX-License-Identifier: MIT
#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>

#include <torch/torch.h>

#include "cachelens/checkpoint.h"
#include "cachelens/device.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "cachelens/image.h"
#include "cachelens/language_model.h"
#include "cachelens/metrics.h"
#include "cachelens/test_model.h"
#include "cachelens/vision_model.h"
#include "decode/denoiser.h"

namespace cachelens {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int32_t optional_id(const Tokenizer& tokenizer, const char* text) {
  const auto id = tokenizer.find_id(text);
  return id ? *id : -1;
}

// The load's progress callback; a false answer cancels the load.
std::function<void(double, const std::string&)> progress_reporter(const LoadOptions& options) {
  return [&options](double fraction, const std::string& stage) {
    if (options.on_progress && !options.on_progress(fraction, stage)) throw Cancelled();
  };
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

struct Session::Impl {
  Checkpoint checkpoint;
  DeviceChoice device;
  ModelInfo info;
  std::optional<LanguageModel> language;
  std::optional<VisionModel> vision;
  SpecialIds special;
  bool cuda_graphs = true;

  // What every session needs after its weights are in place: the special ids and the model info.
  void finish(const std::string& name, const fs::path& path, bool random_weights);
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

void Session::Impl::finish(const std::string& name, const fs::path& path, bool random_weights) {
  const auto& tok = checkpoint.tokenizer;
  special.mask = optional_id(tok, "<|mdm_mask|>");
  special.stop = optional_id(tok, "<|eot_id|>");
  // The reference bans these four at masked positions. We also ban the mask token itself: the
  // reference would keep such a position masked and predict it again (lladav-model.md §10.7), which
  // a threshold loop could repeat forever on a random model.
  std::vector<const char*> banned = {"<|endoftext|>", "<|startoftext|>", "<|start_header_id|>",
                                     "<|end_header_id|>", "<|mdm_mask|>"};
  // Random weights pick the stop token at random; banning it makes every run decode the whole
  // answer, so timings compare equal amounts of work.
  if (random_weights) {
    banned.push_back("<|eot_id|>");
    special.stop = -1;
  }
  for (const char* text : banned) {
    const int32_t id = optional_id(tok, text);
    if (id >= 0) special.banned.push_back(id);
  }
  if (special.mask < 0) fail("tokenizer.json in '", path.string(), "' has no <|mdm_mask|> token");
  info.path = path;
  info.name = name;
  info.config = checkpoint.config;
  info.device = device.device_name();
  info.dtype = device.dtype_name();
  info.device_reason = device.reason;
  info.has_vision = checkpoint.config.has_vision;
  info.random_weights = random_weights;
}

std::unique_ptr<Session> Session::load(const fs::path& model_dir, const LoadOptions& options) {
  const auto report = progress_reporter(options);
  report(0.0, "reading " + model_dir.string());
  auto impl = std::make_unique<Impl>();
  impl->device = resolve_device(options.device, options.dtype);
  impl->cuda_graphs = options.cuda_graphs;
  impl->checkpoint = Checkpoint::open(model_dir);
  const auto& config = impl->checkpoint.config;
  const auto& archive = impl->checkpoint.archive;

  const auto tensor_options =
      torch::TensorOptions().dtype(impl->device.dtype).device(impl->device.device);
  const auto specs = expected_tensor_specs(config);
  size_t loaded = 0;
  const auto tick = [&] {
    ++loaded;
    report(0.05 + 0.95 * static_cast<double>(loaded) / static_cast<double>(specs.size()),
           "loading weights");
  };
  {
    c10::InferenceMode guard;
    impl->language.emplace(
        LanguageWeights::load(archive, config.text, impl->checkpoint.tokenizer.size(),
                              tensor_options, tick),
        config.text);
    if (config.has_vision) {
      impl->vision.emplace(VisionWeights::load(archive, config, tensor_options, tick), config);
    }
  }

  std::string name = fs::absolute(model_dir).lexically_normal().filename().string();
  if (name.empty()) name = fs::absolute(model_dir).parent_path().filename().string();
  impl->finish(name, model_dir, false);
  for (const auto& spec : specs) {
    const auto& t = archive.info(spec.name);
    impl->info.parameters += t.numel();
    impl->info.checkpoint_bytes += static_cast<int64_t>(t.end - t.begin);
  }
  report(1.0, "ready");
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

std::unique_ptr<Session> Session::random(const std::string& preset, const LoadOptions& options,
                                         uint64_t seed) {
  const auto report = progress_reporter(options);
  report(0.0, "making random " + preset + " weights");
  auto impl = std::make_unique<Impl>();
  impl->device = resolve_device(options.device, options.dtype);
  impl->cuda_graphs = options.cuda_graphs;
  auto& checkpoint = impl->checkpoint;
  checkpoint.tokenizer =
      Tokenizer::from_json_text(test_tokenizer_json(preset), preset + " test tokenizer");
  checkpoint.config = test_model_config(preset, checkpoint.tokenizer.size(), false);
  const auto& config = checkpoint.config;
  std::map<std::string, TensorSpec> specs;
  for (auto& spec : expected_tensor_specs(config)) specs.emplace(spec.name, spec);

  // Drawn on the device in the session's dtype: the 8B shapes never exist on the host.
  const auto tensor_options =
      torch::TensorOptions().dtype(impl->device.dtype).device(impl->device.device);
  torch::manual_seed(seed);
  size_t made = 0;
  const auto make = [&](const std::string& name, torch::Tensor& t) {
    const auto& spec = specs.at(name);
    const auto init = random_init_for(spec);
    t = torch::empty(spec.shape, tensor_options).normal_(init.mean, init.std);
    if (name == "lm_head.weight") t = t.narrow(0, 0, checkpoint.tokenizer.size());
    report(static_cast<double>(++made) / static_cast<double>(specs.size()), "random weights");
  };
  {
    c10::InferenceMode guard;
    LanguageWeights language;
    language.visit(config.text, make);
    impl->language.emplace(std::move(language), config.text);
    VisionWeights vision;
    vision.visit(config, make);
    impl->vision.emplace(std::move(vision), config);
  }
  impl->finish(preset + " (random weights)", {}, true);
  const int64_t element_bytes = torch::elementSize(impl->device.dtype);
  for (const auto& [name, spec] : specs) {
    impl->info.parameters += spec.numel();
    impl->info.checkpoint_bytes += spec.numel() * element_bytes;
  }
  report(1.0, "ready");
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const ModelInfo& Session::info() const {
  return impl_->info;
}
const Tokenizer& Session::tokenizer() const {
  return impl_->checkpoint.tokenizer;
}

int64_t image_tokens_for(const ModelConfig& config, int64_t width, int64_t height) {
  if (!config.has_vision) fail("this model has no vision tower");
  return plan_anyres(width, height, config.vision, config.mm).image_tokens;
}

int64_t Session::image_tokens_for(int64_t width, int64_t height) const {
  return cachelens::image_tokens_for(impl_->checkpoint.config, width, height);
}

Trace Session::generate(const GenerateRequest& request,
                        const std::function<void(const StepEvent&)>& on_step,
                        const std::function<bool()>& should_stop) {
  c10::InferenceMode guard;
  auto& impl = *impl_;
  const auto start = Clock::now();
  request.decode.validate();
  request.strategy.validate(request.decode.rule);
  const std::string prompt = trim(request.prompt);
  if (prompt.empty()) fail("the prompt is empty");
  const bool with_image = !request.image_path.empty();
  if (with_image && !impl.vision) {
    fail("model '", impl.info.name, "' has no vision tower; it cannot take an image");
  }
  if (!with_image && prompt.find("<image>") != std::string::npos) {
    fail("the prompt holds <image> but no image was given");
  }

  Trace trace;
  auto& input = trace.input;
  auto& summary = trace.summary;
  input.model = impl.info.name;
  input.prompt = prompt;
  input.image_path = request.image_path.string();
  input.expected_answer = request.expected_answer;
  input.num_layers = impl.checkpoint.config.text.num_layers;
  input.mask_id = impl.special.mask;
  input.device = impl.info.device;
  input.dtype = impl.info.dtype;
  trace.settings.decode = request.decode;
  trace.settings.strategy.name = request.strategy.name;
  trace.settings.strategy.values = request.strategy.resolved();

  torch::Tensor image_rows;
  if (with_image) {
    const auto image = load_image(request.image_path);
    if (should_stop && should_stop()) throw Cancelled();
    AnyresPlan plan;
    image_rows = impl.vision->image_rows(image, &plan);
    input.image_tokens = plan.image_tokens;
    summary.vision_ms = ms_between(start, Clock::now());
  }
  const auto& tok = impl.checkpoint.tokenizer;
  const auto ids = tokenize_with_image_placeholders(
      tok, render_chat_prompt(prompt, with_image, request.chat), request.chat);
  if (with_image) {
    input.image_begin = std::find(ids.begin(), ids.end(), kImageTokenIndex) - ids.begin();
  }

  DenoiseRequest denoise;
  denoise.prompt_embeddings = impl.language->splice_prompt(
      ids, image_rows, impl.checkpoint.config.mm.tokenizer_model_max_length);
  denoise.settings = request.decode;
  denoise.strategy = request.strategy;
  denoise.special = impl.special;
  denoise.on_step = on_step;
  denoise.should_stop = should_stop;
  denoise.cuda_graphs = impl.cuda_graphs;
  auto outcome = run_denoising(*impl.language, denoise);
  input.prompt_length = denoise.prompt_embeddings.size(0);
  input.length = input.prompt_length + request.decode.gen_length;

  summary.token_ids = answer_tokens(outcome.answer_region, impl.special.mask, impl.special.stop);
  summary.answer = tok.decode(summary.token_ids, /*skip_special=*/true);
  summary.stopped_at_eot = outcome.stop_offset >= 0;
  summary.steps = outcome.steps;
  summary.nfe = outcome.nfe;
  summary.denoise_ms = outcome.denoise_ms;
  summary.wall_ms = ms_between(start, Clock::now());
  summary.tokens_per_s =
      summary.wall_ms > 0 ? 1000.0 * static_cast<double>(summary.token_ids.size()) / summary.wall_ms
                          : 0.0;
  summary.ms_per_step =
      summary.steps > 0 ? summary.denoise_ms / static_cast<double>(summary.steps) : 0.0;
  summary.recomputed_cells = outcome.recomputed_cells;
  summary.partial_cells = outcome.partial_cells;
  summary.total_cells = outcome.total_cells;
  summary.recompute_fraction =
      outcome.total_cells > 0
          ? static_cast<double>(outcome.recomputed_cells + outcome.partial_cells) /
                static_cast<double>(outcome.total_cells)
          : 0.0;
  summary.flops = outcome.flops;
  summary.flops_full = outcome.flops_full;
  if (!request.expected_answer.empty()) {
    summary.correct = answer_matches(summary.answer, request.expected_answer) ? 1 : 0;
  }
  trace.events = std::move(outcome.events);
  return trace;
}

}  // namespace cachelens

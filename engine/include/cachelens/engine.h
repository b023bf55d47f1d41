// SPDX-License-Identifier: MIT
// The engine's front door: a Session owns one loaded LLaDA-V model on one device and answers
// requests. Nothing here exposes tensors, so the UI can use it directly.
//
// Basic usage:
//   auto session = cachelens::Session::load("resources/models/...", {});
//   cachelens::GenerateRequest request;
//   request.prompt = "What colour is the circle?";
//   request.image_path = "photo.png";
//   request.strategy.name = "fast-dllm-dual";
//   auto trace = session->generate(request);
//   std::cout << trace.summary.answer;
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cachelens/chat_template.h"
#include "cachelens/config.h"
#include "cachelens/decode.h"
#include "cachelens/strategy.h"
#include "cachelens/trace.h"

namespace cachelens {

class Tokenizer;

struct LoadOptions {
  std::string device = "cpu";  // cpu | cuda | cuda:N | auto
  std::string dtype = "auto";  // auto | fp32 | bf16 | fp16
  // On a GPU, replay CUDA graphs for cached steps whose shapes repeat (builds with LibTorch CUDA).
  bool cuda_graphs = true;
  // Progress in [0, 1] with a stage name; return false to cancel (load throws Cancelled).
  std::function<bool(double fraction, const std::string& stage)> on_progress;
};

struct ModelInfo {
  std::string name;  // the folder's name
  std::filesystem::path path;
  ModelConfig config;
  int64_t parameters = 0;
  int64_t checkpoint_bytes = 0;  // tensor bytes as stored
  std::string device;            // "cpu", "cuda:0"
  std::string dtype;             // "fp32", "bf16", "fp16"
  std::string device_reason;
  bool has_vision = false;
  bool random_weights = false;  // Session::random: a model for timing, not for answers
};

struct GenerateRequest {
  std::string prompt;
  std::filesystem::path image_path;  // empty: text only
  std::string expected_answer;       // optional: the trace scores the answer against it
  DecodeSettings decode;
  StrategySettings strategy;  // the cache strategy (default `none`)
  ChatOptions chat;
};

// Rows an image of this size becomes for a model with this config (anyres arithmetic only, no
// pixels needed); throws Error when the model has no vision tower.
int64_t image_tokens_for(const ModelConfig& config, int64_t width, int64_t height);

class Session {
 public:
  static std::unique_ptr<Session> load(const std::filesystem::path& model_dir,
                                       const LoadOptions& options = {});
  // A model of a make-test-model preset's shapes ("lladav-8b": the real 8B) with random weights
  // drawn directly on the device, for benchmarks without a checkpoint file. Its stop token is
  // banned, so every run decodes the whole answer.
  static std::unique_ptr<Session> random(const std::string& preset, const LoadOptions& options = {},
                                         uint64_t seed = 0);
  ~Session();

  const ModelInfo& info() const;
  const Tokenizer& tokenizer() const;
  // Rows an image of this size becomes (anyres arithmetic only, no pixels needed).
  int64_t image_tokens_for(int64_t width, int64_t height) const;

  // Runs the denoising loop with the request's strategy and returns the whole trace. `on_step`
  // receives every step's event; `should_stop` is polled before every layer and step, and a true
  // answer throws Cancelled.
  Trace generate(const GenerateRequest& request,
                 const std::function<void(const StepEvent&)>& on_step = {},
                 const std::function<bool()>& should_stop = {});

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cachelens

// SPDX-License-Identifier: MIT
#include "run_options.h"

#include "cachelens/error.h"
#include "cachelens/resources.h"
#include "progress.h"

namespace cachelens::cli {

std::set<std::string> run_option_names() {
  return {"model",  "prompt",    "image",  "expected",    "gen-length", "block-length", "steps",
          "unmask", "threshold", "factor", "temperature", "seed",       "device",       "dtype"};
}

const char* const kRunOptionsHelp =
    "  --model DIR           LLaDA-V checkpoint folder (config.json, *.safetensors, "
    "tokenizer.json);\n"
    "                        default: the embedded model (resources/models/lladav-shapes-2.6m)\n"
    "  --prompt TEXT         the question\n"
    "  --image FILE          an image (PNG, JPEG, BMP, GIF); omit for a text-only prompt\n"
    "  --expected TEXT       the expected answer (the run is scored against it)\n"
    "  --gen-length N        answer positions (default 128)\n"
    "  --block-length N      semi-autoregressive block length (default 128)\n"
    "  --steps N             denoising steps in all (default 128)\n"
    "  --unmask RULE         fixed | threshold | factor | random (default fixed)\n"
    "  --threshold T         tau for --unmask threshold (default 0.9)\n"
    "  --factor F            f for --unmask factor (default 1.0)\n"
    "  --temperature T       Gumbel-noise temperature, 0 = greedy (default 0)\n"
    "  --seed S              seed of the noise and of random unmasking (default 0)\n"
    "  --device D            cpu | cuda | cuda:N | auto (default cpu)\n"
    "  --dtype T             auto | fp32 | bf16 | fp16 (default auto: fp32 on CPU, bf16 on CUDA)\n"
    "  --keep-newline-after-image  keep the token after <image> (the official code drops it)\n";

DecodeSettings read_decode(const Args& args, DecodeSettings d) {
  d.gen_length = args.get_int("gen-length", d.gen_length);
  d.block_length = args.get_int("block-length", d.block_length);
  d.steps = args.get_int("steps", d.steps);
  d.rule = parse_unmask_rule(args.get("unmask", "fixed"));
  d.threshold = args.get_double("threshold", d.threshold);
  d.factor = args.get_double("factor", d.factor);
  d.temperature = args.get_double("temperature", d.temperature);
  const int64_t seed = args.get_int("seed", 0);
  if (seed < 0) fail("option --seed expects a non-negative integer, got ", seed);
  d.seed = static_cast<uint64_t>(seed);
  d.validate();
  return d;
}

GenerateRequest read_request(const Args& args, const std::string& default_prompt) {
  GenerateRequest request;
  request.prompt =
      default_prompt.empty() ? args.required("prompt") : args.get("prompt", default_prompt);
  request.image_path = args.get("image", "");
  request.expected_answer = args.get("expected", "");
  request.decode = read_decode(args);
  request.chat.drop_first_token_after_image = !args.flag("keep-newline-after-image");
  if (request.prompt.find_first_not_of(" \t\r\n") == std::string::npos) fail("the prompt is empty");
  return request;
}

namespace {

LoadOptions load_options(const Args& args, ProgressLine& progress) {
  LoadOptions load;
  load.device = args.get("device", "cpu");
  load.dtype = args.get("dtype", "auto");
  load.cuda_graphs = !args.flag("no-cuda-graphs");
  load.on_progress = [&progress](double fraction, const std::string& stage) {
    progress.update(fraction, stage);
    return true;
  };
  return load;
}

}  // namespace

std::unique_ptr<Session> load_session(const Args& args) {
  ProgressLine progress("loading model");
  return Session::load(args.get("model", embedded_model_dir().string()),
                       load_options(args, progress));
}

std::unique_ptr<Session> random_session(const std::string& preset, const Args& args) {
  ProgressLine progress("random " + preset + " weights");
  return Session::random(preset, load_options(args, progress));
}

GenerateRequest request_for(const GenerateRequest& base, const std::string& name, UnmaskRule rule,
                            const std::vector<std::string>& sets) {
  const auto& info = strategy_info(name);
  std::vector<std::string> assignments;  // the --set texts for this strategy, as key=value
  for (const auto& text : sets) {
    const auto eq = text.find('=');
    const auto dot = text.find('.');
    if (eq != std::string::npos && dot < eq) {
      const std::string target = text.substr(0, dot);
      strategy_info(target);  // an unknown strategy name is an error
      if (target == name) assignments.push_back(text.substr(dot + 1));
      continue;
    }
    const std::string key = text.substr(0, eq);
    bool has = eq == std::string::npos || eq == 0;  // malformed: parse_strategy_settings names it
    for (const auto& p : info.params) has = has || p.key == key;
    if (has) assignments.push_back(text);
  }
  GenerateRequest request = base;
  request.decode.rule = rule;
  request.strategy = parse_strategy_settings(name, assignments);
  request.strategy.validate(rule);
  return request;
}

void check_sets_used(const std::vector<GenerateRequest>& requests,
                     const std::vector<std::string>& sets, const std::string& option) {
  for (const auto& text : sets) {
    const auto key = text.substr(0, text.find('='));
    if (key.find('.') != std::string::npos) continue;
    bool used = false;
    for (const auto& r : requests) used = used || r.strategy.values.count(key);
    if (!used) fail(option, " ", key, ": none of the compared strategies has this parameter");
  }
}

}  // namespace cachelens::cli

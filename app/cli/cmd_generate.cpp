// SPDX-License-Identifier: MIT
// cachelens-cli generate: one answer, as text or as one JSON object.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "commands.h"
#include "progress.h"

namespace cachelens::cli {
namespace {

const char* const kHelp =
    "usage: cachelens-cli generate --model DIR --prompt TEXT [options]\n"
    "\n"
    "  --model DIR           LLaDA-V checkpoint folder (config.json, *.safetensors, "
    "tokenizer.json)\n"
    "  --prompt TEXT         the question\n"
    "  --image FILE          an image (PNG, JPEG, BMP, GIF); omit for a text-only prompt\n"
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
    "  --keep-newline-after-image  keep the token after <image> (the official code drops it)\n"
    "  --json                print one JSON object instead of the answer\n";

}  // namespace

int cmd_generate(int argc, char** argv, int first) {
  const Args args(argc, argv, first,
                  {"model", "prompt", "image", "gen-length", "block-length", "steps", "unmask",
                   "threshold", "factor", "temperature", "seed", "device", "dtype"},
                  {"json", "keep-newline-after-image", "help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  GenerateRequest request;
  request.prompt = args.required("prompt");
  request.image_path = args.get("image", "");
  auto& d = request.decode;
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
  request.chat.drop_first_token_after_image = !args.flag("keep-newline-after-image");
  // Check everything about the request before the (possibly long) model load.
  d.validate();
  if (request.prompt.find_first_not_of(" \t\r\n") == std::string::npos) fail("the prompt is empty");

  LoadOptions load;
  load.device = args.get("device", "cpu");
  load.dtype = args.get("dtype", "auto");
  std::unique_ptr<Session> session;
  {
    ProgressLine progress("loading model");
    load.on_progress = [&](double fraction, const std::string& stage) {
      progress.update(fraction, stage);
      return true;
    };
    session = Session::load(args.required("model"), load);
  }
  const auto result = session->generate(request);

  if (!args.flag("json")) {
    std::cout << result.answer << "\n";
    return 0;
  }
  nlohmann::json out;
  out["answer"] = result.answer;
  out["token_ids"] = result.token_ids;
  out["stopped_at_eot"] = result.stopped_at_eot;
  out["steps"] = result.steps;
  out["nfe"] = result.nfe;
  out["wall_ms"] = result.wall_ms;
  out["vision_ms"] = result.vision_ms;
  out["tokens_per_s"] = result.tokens_per_s;
  out["prompt_length"] = result.prompt_length;
  out["image_tokens"] = result.image_tokens;
  out["device"] = result.device;
  out["dtype"] = session->info().dtype;
  out["model"] = session->info().name;
  out["settings"] = {{"gen_length", d.gen_length},
                     {"block_length", d.block_length},
                     {"steps", d.steps},
                     {"unmask", unmask_rule_name(d.rule)},
                     {"threshold", d.threshold},
                     {"factor", d.factor},
                     {"temperature", d.temperature},
                     {"seed", d.seed}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace cachelens::cli

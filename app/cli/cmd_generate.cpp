// SPDX-License-Identifier: MIT
// cachelens-cli generate: one answer with one cache strategy, as text or as one JSON object, and
// optionally the whole step trace as a JSON file.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "args.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "commands.h"
#include "run_options.h"

namespace cachelens::cli {
namespace {

const char* const kHelp =
    "usage: cachelens-cli generate --model DIR --prompt TEXT [options]\n"
    "\n"
    "  --strategy NAME       cache strategy (default none; see 'cachelens-cli strategies')\n"
    "  --set KEY=VALUE       a strategy parameter (repeatable)\n"
    "  --trace FILE.json     write the step-by-step trace\n"
    "  --json                print one JSON object instead of the answer\n";

}  // namespace

int cmd_generate(int argc, char** argv, int first) {
  auto options = run_option_names();
  options.insert({"strategy", "set", "trace"});
  const Args args(argc, argv, first, options, {"json", "keep-newline-after-image", "help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    std::fputs(kRunOptionsHelp, stdout);
    return 0;
  }
  auto request = read_request(args);
  request.strategy = parse_strategy_settings(args.get("strategy", "none"), args.all("set"));
  // Check everything about the request before the (possibly long) model load.
  request.strategy.validate(request.decode.rule);

  const auto session = load_session(args);
  const auto trace = session->generate(request);
  if (args.has("trace")) save_trace(args.get("trace", ""), trace);

  const auto& r = trace.summary;
  if (!args.flag("json")) {
    std::cout << r.answer << "\n";
    return 0;
  }
  const auto& d = request.decode;
  nlohmann::json out;
  out["answer"] = r.answer;
  out["token_ids"] = r.token_ids;
  out["stopped_at_eot"] = r.stopped_at_eot;
  out["strategy"] = trace.settings.strategy.name;
  out["strategy_settings"] = trace.settings.strategy.values;
  out["steps"] = r.steps;
  out["nfe"] = r.nfe;
  out["wall_ms"] = r.wall_ms;
  out["vision_ms"] = r.vision_ms;
  out["denoise_ms"] = r.denoise_ms;
  out["ms_per_step"] = r.ms_per_step;
  out["tokens_per_s"] = r.tokens_per_s;
  out["recompute_fraction"] = r.recompute_fraction;
  out["flops"] = r.flops;
  out["flops_full"] = r.flops_full;
  if (r.correct >= 0) out["correct"] = r.correct == 1;
  out["prompt_length"] = trace.input.prompt_length;
  out["image_tokens"] = trace.input.image_tokens;
  out["device"] = trace.input.device;
  out["dtype"] = trace.input.dtype;
  out["model"] = trace.input.model;
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

// SPDX-License-Identifier: MIT
// cachelens-cli eval: a VQA set (dataset JSONL) through cache strategies, with accuracy by the
// items' scoring rules, speed, and agreement against `none` on the same items.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "args.h"
#include "cachelens/atomic_file.h"
#include "cachelens/dataset.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "cachelens/eval.h"
#include "commands.h"
#include "progress.h"
#include "run_options.h"

namespace cachelens::cli {
namespace {

const char* const kHelp =
    "usage: cachelens-cli eval --set FILE.jsonl [--model DIR] [options]\n"
    "\n"
    "Answers every item of a VQA set (the make-dataset JSONL format) with each strategy, judges\n"
    "each answer by its item's scoring rule, and compares speed and tokens with `none` under the\n"
    "same unmasking rule (a strategy defined only for another rule, such as dkv-greedy, runs with\n"
    "its own rule against a `none` run with that rule).\n"
    "\n"
    "  --model DIR           LLaDA-V checkpoint folder (default: the embedded model)\n"
    "  --set FILE.jsonl      the evaluation set\n"
    "  --strategies LIST     comma-separated strategy names, or all (default all)\n"
    "  --param [NAME.]KEY=VAL  a strategy parameter; without NAME. for every strategy that has it\n"
    "  --limit N             the first N items only (default 0: every item)\n"
    "  --swap-images         a control: each item is asked about the next scene's image instead\n"
    "                        of its own (accuracy then shows how much the model uses the image)\n"
    "  --json                print one JSON object instead of the table\n"
    "  --output FILE.json    also write the JSON report (per-item outcomes included)\n"
    "  --unmask RULE         fixed | threshold | factor | random (default fixed)\n"
    "  --threshold T         tau for --unmask threshold (default 0.9)\n"
    "  --factor F            f for --unmask factor (default 1.0)\n"
    "  --temperature T       Gumbel-noise temperature, 0 = greedy (default 0)\n"
    "  --seed S              seed of the noise and of random unmasking (default 0)\n"
    "  --gen-length N        answer positions for every item (default: each item's gen_length,\n"
    "                        decoded one token per step in one block)\n"
    "  --block-length N      block length with --gen-length (default: the gen length)\n"
    "  --steps N             steps with --gen-length (default: the gen length)\n"
    "  --device D            cpu | cuda | cuda:N | auto (default cpu)\n"
    "  --dtype T             auto | fp32 | bf16 | fp16 (default auto)\n";

}  // namespace

int cmd_eval(int argc, char** argv, int first) {
  const Args args(
      argc, argv, first,
      {"model", "set", "strategies", "param", "limit", "output", "unmask", "threshold", "factor",
       "temperature", "seed", "gen-length", "block-length", "steps", "device", "dtype"},
      {"json", "swap-images", "help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const std::filesystem::path set_file = args.required("set");

  // Lengths given on the command line replace every item's own; block and steps follow the gen
  // length unless given too.
  EvalOptions options;
  options.item_lengths = !args.has("gen-length");
  if (options.item_lengths && (args.has("block-length") || args.has("steps"))) {
    fail(
        "--block-length and --steps need --gen-length (without it each item uses its own "
        "gen_length)");
  }
  DecodeSettings lengths;
  if (!options.item_lengths) {
    lengths.gen_length = lengths.block_length = lengths.steps = args.get_int("gen-length", 0);
  }
  options.decode = read_decode(args, lengths);
  options.limit = args.get_int("limit", 0);
  if (options.limit < 0) fail("option --limit expects 0 (every item) or more, got ", options.limit);

  // Strategies and their parameters are checked before the set and the model are read.
  const auto params = args.all("param");
  for (const auto& text : params) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail("--param expects [NAME.]KEY=VALUE, got '", text, "'");
    }
  }
  GenerateRequest base;
  base.decode = options.decode;
  std::vector<GenerateRequest> requests;
  options.strategies.clear();
  for (const auto& name : parse_strategy_list(args.get("strategies", "all"))) {
    requests.push_back(request_for(base, name, rule_for(name, base.decode.rule), params));
    options.strategies.push_back(requests.back().strategy);
  }
  check_sets_used(requests, params, "--param");

  if (!std::filesystem::is_regular_file(set_file)) {
    fail("eval set '", set_file.string(), "' does not exist");
  }
  auto items = load_vqa_jsonl(set_file);
  if (items.empty()) fail("eval set '", set_file.string(), "' holds no items");
  const bool swap_images = args.flag("swap-images");
  if (swap_images) items = with_images_swapped(items);

  const auto session = load_session(args);
  ProgressLine progress("eval");
  const int64_t evaluated =
      options.limit > 0 ? std::min<int64_t>(options.limit, static_cast<int64_t>(items.size()))
                        : static_cast<int64_t>(items.size());
  options.on_progress = [&](int64_t done, int64_t total, const std::string& strategy) {
    const int64_t runs_per_item = std::max<int64_t>(1, total / evaluated);
    progress.update(static_cast<double>(done) / static_cast<double>(total),
                    "[" + strategy + "] " + std::to_string((done - 1) / runs_per_item + 1) + "/" +
                        std::to_string(evaluated));
    return true;
  };
  auto report = evaluate(*session, items, options);
  report.set = set_file.filename().string() + (swap_images ? " (images swapped)" : "");

  const auto json = eval_report_json(report);
  if (args.has("output")) write_text_atomically(args.get("output", ""), json + "\n");
  if (args.flag("json")) {
    std::cout << json << "\n";
  } else {
    std::cout << eval_report_table(report);
  }
  return 0;
}

}  // namespace cachelens::cli

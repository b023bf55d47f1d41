// SPDX-License-Identifier: MIT
// cachelens-cli compare: the same input through several strategies, one after another, with a
// table of answer, speed, recomputed layer-rows and agreement against `none`.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "args.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "cachelens/metrics.h"
#include "commands.h"
#include "run_options.h"

namespace cachelens::cli {
namespace {

const char* const kHelp =
    "usage: cachelens-cli compare --model DIR --prompt TEXT --strategies LIST|all [options]\n"
    "\n"
    "Runs each strategy on the same input and compares it with `none` under the same unmasking\n"
    "rule (a strategy defined only for another rule, such as dkv-greedy, runs with its own rule\n"
    "against a `none` run with that rule).\n"
    "\n"
    "  --strategies LIST     comma-separated strategy names, or all\n"
    "  --set [NAME.]KEY=VAL  a strategy parameter; without NAME. for every strategy that has it\n"
    "  --trace-dir DIR       write each run's trace as DIR/<strategy>.json\n"
    "  --json                print one JSON object instead of the table\n";

std::string clip(std::string text, size_t width) {
  for (auto& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return text.size() <= width ? text : text.substr(0, width - 3) + "...";
}

}  // namespace

int cmd_compare(int argc, char** argv, int first) {
  auto options = run_option_names();
  options.insert({"strategies", "set", "trace-dir"});
  const Args args(argc, argv, first, options, {"json", "keep-newline-after-image", "help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    std::fputs(kRunOptionsHelp, stdout);
    return 0;
  }
  const auto base = read_request(args);
  const auto names = parse_strategy_list(args.required("strategies"));
  const auto sets = args.all("set");

  // Every request is built and checked before the model loads.
  struct Run {
    GenerateRequest request;
    Trace trace;
  };
  std::vector<Run> runs;
  std::map<UnmaskRule, size_t> baseline_of;  // rule -> index of its `none` run
  const auto add = [&](const std::string& name, UnmaskRule rule) {
    runs.push_back({request_for(base, name, rule, sets), {}});
    return runs.size() - 1;
  };
  for (const auto& name : names) {
    const auto rule = rule_for(name, base.decode.rule);
    if (!baseline_of.count(rule)) baseline_of[rule] = add("none", rule);
    if (name != "none") add(name, rule);
  }
  std::vector<GenerateRequest> requests;
  for (const auto& run : runs) requests.push_back(run.request);
  check_sets_used(requests, sets);

  const auto session = load_session(args);
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& s = runs[i].request;
    std::fprintf(stderr, "[%zu/%zu] %s (%s)\n", i + 1, runs.size(), s.strategy.name.c_str(),
                 unmask_rule_name(s.decode.rule));
    runs[i].trace = session->generate(s);
  }
  for (auto& run : runs) {
    const auto& baseline = runs[baseline_of.at(run.request.decode.rule)].trace;
    compare_with_baseline(run.trace.summary, baseline.summary);
  }
  if (args.has("trace-dir")) {
    const std::filesystem::path dir = args.get("trace-dir", "");
    std::filesystem::create_directories(dir);
    for (const auto& run : runs) {
      save_trace(dir / (run.request.strategy.name + "-" +
                        unmask_rule_name(run.request.decode.rule) + ".json"),
                 run.trace);
    }
  }

  if (args.flag("json")) {
    nlohmann::json out;
    out["model"] = session->info().name;
    out["device"] = session->info().device;
    out["prompt"] = base.prompt;
    out["image"] = base.image_path.string();
    out["runs"] = nlohmann::json::array();
    for (const auto& run : runs) {
      const auto& r = run.trace.summary;
      nlohmann::json row = {{"strategy", run.request.strategy.name},
                            {"unmask", unmask_rule_name(run.request.decode.rule)},
                            {"settings", run.trace.settings.strategy.values},
                            {"answer", r.answer},
                            {"token_ids", r.token_ids},
                            {"tokens_per_s", r.tokens_per_s},
                            {"ms_per_step", r.ms_per_step},
                            {"wall_ms", r.wall_ms},
                            {"steps", r.steps},
                            {"nfe", r.nfe},
                            {"recompute_fraction", r.recompute_fraction},
                            {"flops", r.flops},
                            {"flops_full", r.flops_full},
                            {"speedup", r.baseline.speedup},
                            {"token_agreement", r.baseline.token_agreement},
                            {"exact_match", r.baseline.exact_match}};
      if (r.correct >= 0) row["correct"] = r.correct == 1;
      out["runs"].push_back(row);
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-17s %-9s %8s %8s %6s %8s %7s %7s %5s  %s\n", "strategy", "unmask", "tok/s",
              "ms/step", "steps", "speedup", "rows%", "agree%", "exact", "answer");
  for (const auto& run : runs) {
    const auto& r = run.trace.summary;
    std::printf("%-17s %-9s %8.1f %8.2f %6lld %7.2fx %6.1f%% %6.1f%% %5s  %s\n",
                run.request.strategy.name.c_str(), unmask_rule_name(run.request.decode.rule),
                r.tokens_per_s, r.ms_per_step, static_cast<long long>(r.steps), r.baseline.speedup,
                100.0 * r.recompute_fraction, 100.0 * r.baseline.token_agreement,
                r.baseline.exact_match ? "yes" : "no", clip(r.answer, 48).c_str());
  }
  return 0;
}

}  // namespace cachelens::cli

// SPDX-License-Identifier: MIT
// cachelens-cli bench: times strategies on one input in one process (model load excluded),
// median and spread over repeats after warm-up runs, with ratios against `none`.
#include <algorithm>
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
    "usage: cachelens-cli bench --model DIR --strategies LIST|all [options]\n"
    "\n"
    "Times each strategy (and `none`, the reference) on one input: median and min..max over\n"
    "--repeat runs after --warmup runs; the model load is excluded.\n"
    "\n"
    "  --strategies LIST     comma-separated strategy names, or all\n"
    "  --repeat N            timed runs per strategy (default 3)\n"
    "  --warmup N            untimed runs per strategy first (default 1)\n"
    "  --set [NAME.]KEY=VAL  a strategy parameter\n"
    "  --json                print one JSON object instead of the table\n"
    "  (--prompt defaults to \"Describe the image.\")\n";

struct Stats {
  double median = 0, min = 0, max = 0;
};
Stats stats_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  return {median, values.front(), values.back()};
}

struct Row {
  std::string name;
  UnmaskRule rule;
  Stats ms_per_step, wall_ms, tokens_per_s;
  int64_t steps = 0;
  double recompute_fraction = 0;
  double speedup_step = 0, speedup_wall = 0;
};

}  // namespace

int cmd_bench(int argc, char** argv, int first) {
  auto options = run_option_names();
  options.insert({"strategies", "set", "repeat", "warmup"});
  const Args args(argc, argv, first, options, {"json", "keep-newline-after-image", "help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    std::fputs(kRunOptionsHelp, stdout);
    return 0;
  }
  const auto base = read_request(args, "Describe the image.");
  const auto names = parse_strategy_list(args.required("strategies"));
  const int64_t repeat = args.get_int("repeat", 3), warmup = args.get_int("warmup", 1);
  if (repeat < 1) fail("option --repeat expects at least 1, got ", repeat);
  if (warmup < 0) fail("option --warmup expects 0 or more, got ", warmup);
  // `none` under every rule in use comes first: it is the reference of the ratios.
  std::vector<GenerateRequest> requests;
  const auto add = [&](const std::string& name, UnmaskRule rule) {
    for (const auto& r : requests) {
      if (r.strategy.name == name && r.decode.rule == rule) return;
    }
    requests.push_back(request_for(base, name, rule, args.all("set")));
  };
  for (const auto& name : names) add("none", rule_for(name, base.decode.rule));
  for (const auto& name : names) add(name, rule_for(name, base.decode.rule));
  check_sets_used(requests, args.all("set"));

  const auto session = load_session(args);
  std::vector<Row> rows;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& request = requests[i];
    std::fprintf(stderr, "[%zu/%zu] %s: %lld warm-up + %lld timed runs\n", i + 1, requests.size(),
                 request.strategy.name.c_str(), static_cast<long long>(warmup),
                 static_cast<long long>(repeat));
    for (int64_t w = 0; w < warmup; ++w) session->generate(request);
    std::vector<double> step_ms, wall_ms, tps;
    Row row{request.strategy.name, request.decode.rule, {}, {}, {}};
    for (int64_t k = 0; k < repeat; ++k) {
      const auto trace = session->generate(request);
      step_ms.push_back(trace.summary.ms_per_step);
      wall_ms.push_back(trace.summary.wall_ms);
      tps.push_back(trace.summary.tokens_per_s);
      row.steps = trace.summary.steps;
      row.recompute_fraction = trace.summary.recompute_fraction;
    }
    row.ms_per_step = stats_of(step_ms);
    row.wall_ms = stats_of(wall_ms);
    row.tokens_per_s = stats_of(tps);
    rows.push_back(row);
  }
  for (auto& row : rows) {
    // Ratios against the `none` row with the same rule.
    for (const auto& ref : rows) {
      if (ref.name == "none" && ref.rule == row.rule) {
        row.speedup_step =
            row.ms_per_step.median > 0 ? ref.ms_per_step.median / row.ms_per_step.median : 0;
        row.speedup_wall = row.wall_ms.median > 0 ? ref.wall_ms.median / row.wall_ms.median : 0;
      }
    }
  }

  const auto& d = base.decode;
  if (args.flag("json")) {
    nlohmann::json out;
    out["model"] = session->info().name;
    out["device"] = session->info().device;
    out["dtype"] = session->info().dtype;
    out["gen_length"] = d.gen_length;
    out["block_length"] = d.block_length;
    out["steps"] = d.steps;
    out["repeat"] = repeat;
    out["warmup"] = warmup;
    out["rows"] = nlohmann::json::array();
    for (const auto& r : rows) {
      out["rows"].push_back(
          {{"strategy", r.name},
           {"unmask", unmask_rule_name(r.rule)},
           {"ms_per_step",
            {{"median", r.ms_per_step.median},
             {"min", r.ms_per_step.min},
             {"max", r.ms_per_step.max}}},
           {"wall_ms",
            {{"median", r.wall_ms.median}, {"min", r.wall_ms.min}, {"max", r.wall_ms.max}}},
           {"tokens_per_s", r.tokens_per_s.median},
           {"steps", r.steps},
           {"recompute_fraction", r.recompute_fraction},
           {"speedup_ms_per_step", r.speedup_step},
           {"speedup_wall", r.speedup_wall}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("model %s on %s (%s), gen %lld, block %lld, steps %lld, %lld timed runs\n",
              session->info().name.c_str(), session->info().device.c_str(),
              session->info().dtype.c_str(), static_cast<long long>(d.gen_length),
              static_cast<long long>(d.block_length), static_cast<long long>(d.steps),
              static_cast<long long>(repeat));
  std::printf("%-17s %-9s %10s %17s %10s %8s %6s %7s %9s %9s\n", "strategy", "unmask", "ms/step",
              "(min..max)", "wall ms", "tok/s", "steps", "rows%", "x ms/step", "x wall");
  for (const auto& r : rows) {
    char spread[64];
    std::snprintf(spread, sizeof spread, "(%.2f..%.2f)", r.ms_per_step.min, r.ms_per_step.max);
    std::printf("%-17s %-9s %10.2f %17s %10.1f %8.1f %6lld %6.1f%% %8.2fx %8.2fx\n", r.name.c_str(),
                unmask_rule_name(r.rule), r.ms_per_step.median, spread, r.wall_ms.median,
                r.tokens_per_s.median, static_cast<long long>(r.steps),
                100.0 * r.recompute_fraction, r.speedup_step, r.speedup_wall);
  }
  return 0;
}

}  // namespace cachelens::cli

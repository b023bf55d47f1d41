// SPDX-License-Identifier: MIT
// cachelens-cli bench: times strategies on one input in one process (model load excluded),
// median and spread over repeats after warm-up runs, with ratios against `none`.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "args.h"
#include "cachelens/checkpoint.h"
#include "cachelens/device.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "cachelens/image.h"
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
    "  --random-weights      no checkpoint: random weights of --preset's shapes, drawn on the\n"
    "                        device (the stop token is banned, so every run decodes the whole\n"
    "                        answer; fix the tokens per step with --unmask fixed and --steps)\n"
    "  --preset NAME         tiny | small | lladav-8b (default lladav-8b; with --random-weights)\n"
    "  --image-size WxH      a synthetic image of this size instead of --image (1024x768 gives\n"
    "                        the 8B model 3627 image rows)\n"
    "  --floor               measure the device's copy and matmul rates and compare (always on\n"
    "                        CUDA): the reuse step against reading every weight once, the full\n"
    "                        step against the matmul rate\n"
    "  --no-cuda-graphs      run every step's kernels one by one (the graph-free path)\n"
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
  // Steps that recomputed every layer-row, and the others (reuse steps), over the timed runs.
  double full_step_ms = 0, reuse_step_ms = 0;
  double full_step_flops_per_s = 0;
  int64_t full_steps = 0, reuse_steps = 0;
};

double median_of(std::vector<double> values) {
  return values.empty() ? 0.0 : stats_of(std::move(values)).median;
}

// Steps of the timed runs, split into full steps and reuse steps.
void add_step_times(Row& row, const std::vector<Trace>& traces) {
  std::vector<double> full, reuse, full_rate;
  for (const auto& trace : traces) {
    for (const auto& e : trace.events) {
      if (e->recomputed_cells == e->total_cells) {
        full.push_back(e->step_ms);
        if (e->step_ms > 0) full_rate.push_back(e->flops / (e->step_ms / 1000.0));
      } else {
        reuse.push_back(e->step_ms);
      }
    }
  }
  row.full_steps = static_cast<int64_t>(full.size() / traces.size());
  row.reuse_steps = static_cast<int64_t>(reuse.size() / traces.size());
  row.full_step_ms = median_of(full);
  row.reuse_step_ms = median_of(reuse);
  row.full_step_flops_per_s = median_of(full_rate);
}

// Bytes one step reads at the least: every language-tower weight except the embedding table
// (rows are looked up, not read whole), in the session's dtype.
double weight_read_bytes(const ModelInfo& info) {
  const double element = info.dtype == "fp32" ? 4.0 : 2.0;
  double numel = 0;
  for (const auto& spec : language_tensor_specs(info.config.text)) {
    if (spec.name != "model.embed_tokens.weight") numel += static_cast<double>(spec.numel());
  }
  return numel * element;
}

// A deterministic picture of the given size (smooth gradients plus noise, so every crop differs),
// written to a temporary PNG.
std::filesystem::path synthetic_image(const std::string& size_text) {
  int w = 0, h = 0;
  char tail = 0;
  if (std::sscanf(size_text.c_str(), "%dx%d%c", &w, &h, &tail) != 2 || w < 1 || h < 1 || w > 8192 ||
      h > 8192) {
    fail("option --image-size expects WxH with 1..8192 each (e.g. 1024x768), got '", size_text,
         "'");
  }
  Image image;
  image.width = w;
  image.height = h;
  image.rgb.resize(static_cast<size_t>(w) * h * 3);
  std::mt19937 rng(7);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const size_t i = (static_cast<size_t>(y) * w + x) * 3;
      image.rgb[i] = static_cast<uint8_t>(255 * x / w);
      image.rgb[i + 1] = static_cast<uint8_t>(255 * y / h);
      image.rgb[i + 2] = static_cast<uint8_t>(rng() & 0xff);
    }
  }
  const auto file = std::filesystem::temp_directory_path() /
                    ("cachelens-bench-" + size_text + "-" + std::to_string(::getpid()) + ".png");
  save_png(image, file);
  return file;
}

}  // namespace

int cmd_bench(int argc, char** argv, int first) {
  auto options = run_option_names();
  options.insert({"strategies", "set", "repeat", "warmup", "preset", "image-size"});
  const Args args(
      argc, argv, first, options,
      {"json", "keep-newline-after-image", "help", "random-weights", "floor", "no-cuda-graphs"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    std::fputs(kRunOptionsHelp, stdout);
    return 0;
  }
  auto base = read_request(args, "Describe the image.");
  const bool random_weights = args.flag("random-weights");
  if (random_weights && args.has("model")) {
    fail("options --random-weights and --model exclude each other (--preset picks the shapes)");
  }
  if (!random_weights && args.has("preset")) fail("option --preset needs --random-weights");
  if (args.has("image-size") && args.has("image")) {
    fail("options --image-size and --image exclude each other");
  }
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

  const auto session =
      random_weights ? random_session(args.get("preset", "lladav-8b"), args) : load_session(args);
  // Removed on every way out, so a failed run leaves no picture behind.
  struct TempFile {
    std::filesystem::path path;
    ~TempFile() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove(path, ec);
    }
  } image_file;
  if (args.has("image-size")) {
    image_file.path = synthetic_image(args.get("image-size", ""));
    for (auto& r : requests) r.image_path = image_file.path;
  }
  const bool on_gpu = session->info().device.rfind("cuda", 0) == 0;
  DeviceRates rates;
  if (on_gpu || args.flag("floor")) {
    std::fprintf(stderr, "measuring the device's copy and matmul rates\n");
    rates = measure_device_rates(session->info().device, session->info().dtype);
  }
  const double floor_ms = rates.copy_bytes_per_s > 0
                              ? 1000.0 * weight_read_bytes(session->info()) / rates.copy_bytes_per_s
                              : 0.0;
  std::vector<Row> rows;
  int64_t image_rows = 0, prompt_rows = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& request = requests[i];
    std::fprintf(stderr, "[%zu/%zu] %s: %lld warm-up + %lld timed runs\n", i + 1, requests.size(),
                 request.strategy.name.c_str(), static_cast<long long>(warmup),
                 static_cast<long long>(repeat));
    for (int64_t w = 0; w < warmup; ++w) session->generate(request);
    std::vector<double> step_ms, wall_ms, tps;
    Row row{request.strategy.name, request.decode.rule, {}, {}, {}};
    std::vector<Trace> traces;
    for (int64_t k = 0; k < repeat; ++k) {
      traces.push_back(session->generate(request));
      const auto& trace = traces.back();
      step_ms.push_back(trace.summary.ms_per_step);
      wall_ms.push_back(trace.summary.wall_ms);
      tps.push_back(trace.summary.tokens_per_s);
      row.steps = trace.summary.steps;
      row.recompute_fraction = trace.summary.recompute_fraction;
      if (k == 0) image_rows = trace.input.image_tokens, prompt_rows = trace.input.prompt_length;
    }
    add_step_times(row, traces);
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
  const auto& info = session->info();
  if (args.flag("json")) {
    nlohmann::json out;
    out["model"] = info.name;
    out["random_weights"] = info.random_weights;
    out["parameters"] = info.parameters;
    out["device"] = info.device;
    out["device_name"] = device_display_name(info.device);
    out["dtype"] = info.dtype;
    out["image_rows"] = image_rows;
    out["prompt_rows"] = prompt_rows;
    if (rates.copy_bytes_per_s > 0) {
      out["copy_bytes_per_s"] = rates.copy_bytes_per_s;
      out["matmul_flops_per_s"] = rates.matmul_flops_per_s;
      out["matmul_size"] = rates.matmul_size;
      out["weight_read_bytes"] = weight_read_bytes(info);
      out["floor_ms"] = floor_ms;
    }
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
           {"speedup_wall", r.speedup_wall},
           {"full_steps", r.full_steps},
           {"full_step_ms", r.full_step_ms},
           {"full_step_flops_per_s", r.full_step_flops_per_s},
           {"reuse_steps", r.reuse_steps},
           {"reuse_step_ms", r.reuse_step_ms},
           {"reuse_step_over_floor", floor_ms > 0 ? r.reuse_step_ms / floor_ms : 0.0}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("model %s on %s (%s, %s), gen %lld, block %lld, steps %lld, %lld timed runs\n",
              info.name.c_str(), info.device.c_str(), device_display_name(info.device).c_str(),
              info.dtype.c_str(), static_cast<long long>(d.gen_length),
              static_cast<long long>(d.block_length), static_cast<long long>(d.steps),
              static_cast<long long>(repeat));
  std::printf("prompt rows %lld (image rows %lld)\n", static_cast<long long>(prompt_rows),
              static_cast<long long>(image_rows));
  if (rates.copy_bytes_per_s > 0) {
    std::printf(
        "device: copy %.0f GB/s (read + write), %lld^3 matmul %.1f TFLOP/s; floor (every weight "
        "read once, %.2f GB) %.2f ms/step\n",
        rates.copy_bytes_per_s / 1e9, static_cast<long long>(rates.matmul_size),
        rates.matmul_flops_per_s / 1e12, weight_read_bytes(info) / 1e9, floor_ms);
  }
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
  std::printf("\n%-17s %-9s %11s %12s %13s %11s %12s\n", "strategy", "unmask", "full steps",
              "full ms", "full TFLOP/s", "reuse ms", "reuse/floor");
  for (const auto& r : rows) {
    const double tflops = r.full_step_flops_per_s / 1e12;
    char share[32] = "";
    if (rates.matmul_flops_per_s > 0 && r.full_steps > 0) {
      std::snprintf(share, sizeof share, " (%.0f%%)",
                    100.0 * r.full_step_flops_per_s / rates.matmul_flops_per_s);
    }
    std::printf("%-17s %-9s %11lld %12.2f %8.1f%-5s %11.2f %11.2fx\n", r.name.c_str(),
                unmask_rule_name(r.rule), static_cast<long long>(r.full_steps), r.full_step_ms,
                tflops, share, r.reuse_step_ms, floor_ms > 0 ? r.reuse_step_ms / floor_ms : 0.0);
  }
  return 0;
}

}  // namespace cachelens::cli

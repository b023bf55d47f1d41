// SPDX-License-Identifier: MIT
// cachelens-cli trace show: a saved trace as text for a terminal (header, one line per step and,
// with --layers, one bar per layer of the step's recompute map).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "args.h"
#include "cachelens/error.h"
#include "cachelens/trace.h"
#include "commands.h"

namespace cachelens::cli {
namespace {

const char* const kHelp =
    "usage: cachelens-cli trace show FILE.json [options]\n"
    "\n"
    "Prints a trace saved by a run: the request, its settings and results, then one line per\n"
    "denoising step (block, time, decoded tokens as offset:token_id(confidence), share of\n"
    "layer-rows recomputed, cache refreshes, Elastic-Cache boundary layer).\n"
    "\n"
    "  --layers       under each step, one line per layer: share recomputed and a bar of all\n"
    "                 positions ('#' recomputed, '+' V only, '.' reused, '~' masked off-window,\n"
    "                 ' ' not computed; each character shows the most common state of its span)\n"
    "  --max-steps N  print only the first N steps\n";

std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* pattern, ...) {
  va_list args, again;
  va_start(args, pattern);
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, pattern, args);
  va_end(args);
  std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, pattern, again);
  va_end(again);
  return out;
}

// Prompts and answers may hold newlines; the header keeps one line per field.
std::string one_line(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out;
}

double percent(double part, double whole) {
  return whole > 0 ? 100.0 * part / whole : 0.0;
}

char state_char(CellState state) {
  switch (state) {
    case CellState::Recomputed:
      return '#';
    case CellState::Reused:
      return '.';
    case CellState::OffWindow:
      return '~';
    case CellState::Partial:
      return '+';
    case CellState::NotComputed:
      return ' ';
  }
  return '?';
}

// The whole row of a layer in at most `width` characters, each the dominant state of its span
// (ties go to the state that cost work, so a lone recomputed cell is not drowned by reuse).
std::string layer_bar(const RecomputeMap& map, int64_t layer, int64_t width) {
  const int64_t positions = map.positions();
  if (positions == 0) return "";
  const int64_t chars = std::min(positions, width);
  const std::vector<CellState> states = map.layer_states(layer);
  constexpr std::array<CellState, 5> kPriority = {CellState::Recomputed, CellState::Partial,
                                                  CellState::Reused, CellState::OffWindow,
                                                  CellState::NotComputed};
  std::string bar;
  bar.reserve(static_cast<size_t>(chars));
  for (int64_t c = 0; c < chars; ++c) {
    const int64_t begin = c * positions / chars, end = (c + 1) * positions / chars;
    std::array<int64_t, 5> counts{};
    for (int64_t p = begin; p < end; ++p) ++counts[static_cast<size_t>(states[p])];
    CellState best = kPriority[0];
    for (const CellState s : kPriority) {
      if (counts[static_cast<size_t>(s)] > counts[static_cast<size_t>(best)]) best = s;
    }
    bar += state_char(best);
  }
  return bar;
}

std::string decode_text(const DecodeSettings& d) {
  return format(
      "gen length %lld, block length %lld, steps %lld, unmask %s, threshold %g, "
      "factor %g, temperature %g, seed %llu",
      static_cast<long long>(d.gen_length), static_cast<long long>(d.block_length),
      static_cast<long long>(d.steps), unmask_rule_name(d.rule), d.threshold, d.factor,
      d.temperature, static_cast<unsigned long long>(d.seed));
}

void print_header(const std::string& file, const Trace& trace) {
  const TraceInput& in = trace.input;
  const RunSummary& s = trace.summary;
  std::string strategy = trace.settings.strategy.name;
  if (!trace.settings.strategy.values.empty()) {
    std::vector<std::string> values;
    for (const auto& [key, value] : trace.settings.strategy.values) {
      values.push_back(key + "=" + value);
    }
    strategy += " (" + join_names(values) + ")";
  }
  std::cout << "trace      " << file << "\n";
  std::cout << "model      " << in.model << " on " << in.device << ", " << in.dtype << "\n";
  std::cout << "prompt     " << one_line(in.prompt) << "\n";
  if (!in.image_path.empty()) {
    std::cout << "image      " << in.image_path << " (" << in.image_tokens << " image tokens)\n";
  }
  std::cout << "rows       " << in.prompt_length << " prompt + " << (in.length - in.prompt_length)
            << " answer, " << in.num_layers << " layers\n";
  std::cout << "strategy   " << strategy << "\n";
  std::cout << "decode     " << decode_text(trace.settings.decode) << "\n";
  std::cout << "answer     " << one_line(s.answer) << (s.stopped_at_eot ? "  [stopped at EOT]" : "")
            << "\n";
  if (!in.expected_answer.empty()) {
    std::cout << "expected   " << one_line(in.expected_answer)
              << (s.correct == 1   ? "  [correct]"
                  : s.correct == 0 ? "  [wrong]"
                                   : "")
              << "\n";
  }
  std::cout << format(
      "speed      %.2f tokens/s, %.2f ms/step, %lld steps, %lld NFE, wall %.1f ms"
      " (vision %.1f ms, denoise %.1f ms)\n",
      s.tokens_per_s, s.ms_per_step, static_cast<long long>(s.steps), static_cast<long long>(s.nfe),
      s.wall_ms, s.vision_ms, s.denoise_ms);
  std::cout << format("recomputed %.1f%% of layer-rows", 100.0 * s.recompute_fraction);
  if (s.partial_cells > 0) {
    std::cout << format(" (V only: %.1f%%)", percent(static_cast<double>(s.partial_cells),
                                                     static_cast<double>(s.total_cells)));
  }
  if (s.flops_full > 0) {
    std::cout << format(", %.3g of %.3g FLOPs (%.1f%%)", s.flops, s.flops_full,
                        percent(s.flops, s.flops_full));
  }
  std::cout << "\n";
  if (s.baseline.present) {
    std::cout << format("baseline   %.2fx speedup, %.1f%% token agreement, %s\n",
                        s.baseline.speedup, 100.0 * s.baseline.token_agreement,
                        s.baseline.exact_match ? "exact match" : "not an exact match");
  }
}

void print_step(const StepEvent& e, int step_width, bool layers) {
  std::string line =
      format("step %*lld  block %lld  %8.2f ms  recomputed %5.1f%%", step_width,
             static_cast<long long>(e.step), static_cast<long long>(e.block), e.step_ms,
             percent(static_cast<double>(e.recomputed_cells + e.partial_cells),
                     static_cast<double>(e.total_cells)));
  if (e.refresh) line += "  refresh";
  if (e.boundary_layer >= 0) {
    line += format("  boundary L%lld", static_cast<long long>(e.boundary_layer));
  }
  line += "  decoded";
  if (e.decoded_positions.empty()) line += " -";
  for (size_t i = 0; i < e.decoded_positions.size(); ++i) {
    line += format(" %lld:%d(%.3f)", static_cast<long long>(e.decoded_positions[i]),
                   i < e.decoded_tokens.size() ? e.decoded_tokens[i] : -1,
                   i < e.decoded_confidences.size() ? e.decoded_confidences[i] : NAN);
  }
  std::cout << line << "\n";
  if (!layers) return;
  const RecomputeMap& map = e.cells;
  const int layer_width =
      static_cast<int>(std::to_string(std::max<int64_t>(map.layers() - 1, 0)).size());
  for (int64_t layer = 0; layer < map.layers(); ++layer) {
    const double share = percent(static_cast<double>(map.count(layer, CellState::Recomputed) +
                                                     map.count(layer, CellState::Partial)),
                                 static_cast<double>(map.positions()));
    std::string row =
        format("    L%-*lld %5.1f%% |", layer_width, static_cast<long long>(layer), share);
    row += layer_bar(map, layer, 64) + "|";
    if (layer < static_cast<int64_t>(e.drift.size()) && !std::isnan(e.drift[layer])) {
      row += format(" drift %.4g", e.drift[layer]);
    }
    std::cout << row << "\n";
  }
}

int trace_show(int argc, char** argv, int first) {
  if (first < argc && std::strcmp(argv[first], "--help") == 0) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (first >= argc || std::strncmp(argv[first], "--", 2) == 0) {
    fail("trace show needs a trace file (cachelens-cli trace show FILE.json)");
  }
  const std::string file = argv[first];
  const Args args(argc, argv, first + 1, {"max-steps"}, {"layers", "help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const int64_t max_steps = args.get_int("max-steps", -1);
  if (args.has("max-steps") && max_steps < 0) {
    fail("option --max-steps expects a non-negative integer, got ", max_steps);
  }
  const Trace trace = load_trace(file);
  print_header(file, trace);

  const size_t total = trace.events.size();
  const size_t shown = max_steps < 0 ? total : std::min(total, static_cast<size_t>(max_steps));
  int64_t last_step = 0;
  for (const auto& e : trace.events) last_step = std::max(last_step, e->step);
  const int step_width = static_cast<int>(std::to_string(last_step).size());
  std::cout << "\n";
  for (size_t i = 0; i < shown; ++i) print_step(*trace.events[i], step_width, args.flag("layers"));
  if (shown < total) std::cout << "... " << (total - shown) << " more steps\n";
  return 0;
}

}  // namespace

int cmd_trace(int argc, char** argv, int first) {
  if (first >= argc) fail("trace needs a subcommand (cachelens-cli trace show FILE.json)");
  const std::string sub = argv[first];
  if (sub == "--help" || sub == "-h") {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (sub == "show") return trace_show(argc, argv, first + 1);
  fail("unknown trace subcommand '", sub, "' (allowed: show)");
}

}  // namespace cachelens::cli

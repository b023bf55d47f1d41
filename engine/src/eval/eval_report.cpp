// SPDX-License-Identifier: MIT
// An EvalReport for people (a fixed-width table) and for programs (JSON).
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cachelens/eval.h"

namespace cachelens {
namespace {

__attribute__((format(printf, 2, 3))) void append(std::string& out, const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  out += buffer;
}

// "12.3%", or "-" for a measure that had no baseline (negative).
std::string percent(double fraction) {
  if (fraction < 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * fraction);
  return text;
}

std::string family_label(const std::string& family) {
  return family.empty() ? "(none)" : family;
}

// Negative measures (no baseline) become null rather than a number that looks real.
nlohmann::json measure(double value) {
  return value < 0 ? nlohmann::json(nullptr) : nlohmann::json(value);
}

}  // namespace

std::string eval_report_table(const EvalReport& report) {
  std::string out;
  append(out, "model %s, set %s, %lld items\n\n", report.model.c_str(), report.set.c_str(),
         static_cast<long long>(report.items));
  append(out, "%-17s %-9s %8s %9s %9s %8s %8s %7s %7s\n", "strategy", "unmask", "accuracy",
         "correct", "tok/s", "ms/step", "speedup", "agree%", "rows%");
  for (const auto& r : report.results) {
    const std::string correct = std::to_string(r.correct) + "/" + std::to_string(r.items);
    std::string speedup = "-";
    if (r.speedup >= 0) {
      char text[32];
      std::snprintf(text, sizeof text, "%.2fx", r.speedup);
      speedup = text;
    }
    append(out, "%-17s %-9s %8s %9s %9.1f %8.2f %8s %7s %7s\n", r.strategy.c_str(),
           r.unmask.c_str(), percent(r.accuracy).c_str(), correct.c_str(), r.tokens_per_s,
           r.ms_per_step, speedup.c_str(), percent(r.agreement).c_str(),
           percent(r.recompute_fraction).c_str());
  }

  // Accuracy per family: a column per family (with its item count), a row per strategy.
  std::set<std::string> families;
  std::map<std::string, int64_t> family_items;
  for (const auto& r : report.results) {
    for (const auto& f : r.families) {
      families.insert(f.family);
      family_items[f.family] = std::max(family_items[f.family], f.items);
    }
  }
  if (families.empty()) return out;
  std::vector<std::string> headers;
  for (const auto& f : families) {
    headers.push_back(family_label(f) + " (" + std::to_string(family_items[f]) + ")");
  }
  append(out, "\naccuracy by family (items)\n%-17s", "strategy");
  for (const auto& h : headers)
    append(out, " %*s", static_cast<int>(std::max<size_t>(h.size(), 6)), h.c_str());
  out += "\n";
  for (const auto& r : report.results) {
    append(out, "%-17s", r.strategy.c_str());
    size_t column = 0;
    for (const auto& f : families) {
      std::string cell = "-";
      for (const auto& score : r.families) {
        if (score.family == f) cell = percent(score.accuracy());
      }
      const int width = static_cast<int>(std::max<size_t>(headers[column++].size(), 6));
      append(out, " %*s", width, cell.c_str());
    }
    out += "\n";
  }
  return out;
}

std::string eval_report_json(const EvalReport& report) {
  nlohmann::json out;
  out["model"] = report.model;
  out["set"] = report.set;
  out["items"] = report.items;
  out["results"] = nlohmann::json::array();
  for (const auto& r : report.results) {
    nlohmann::json families = nlohmann::json::array();
    for (const auto& f : r.families) {
      families.push_back({{"family", f.family},
                          {"items", f.items},
                          {"correct", f.correct},
                          {"accuracy", f.accuracy()}});
    }
    out["results"].push_back({{"strategy", r.strategy},
                              {"settings", r.settings},
                              {"unmask", r.unmask},
                              {"items", r.items},
                              {"correct", r.correct},
                              {"accuracy", r.accuracy},
                              {"families", families},
                              {"answer_tokens", r.answer_tokens},
                              {"steps", r.steps},
                              {"nfe", r.nfe},
                              {"wall_ms", r.wall_ms},
                              {"denoise_ms", r.denoise_ms},
                              {"tokens_per_s", r.tokens_per_s},
                              {"ms_per_step", r.ms_per_step},
                              {"recompute_fraction", r.recompute_fraction},
                              {"speedup", measure(r.speedup)},
                              {"agreement", measure(r.agreement)},
                              {"exact_with_none", measure(r.exact_with_none)}});
  }
  out["outcomes"] = nlohmann::json::array();
  for (const auto& o : report.outcomes) {
    out["outcomes"].push_back({{"index", o.index},
                               {"strategy", o.strategy},
                               {"response", o.response},
                               {"correct", o.correct}});
  }
  return out.dump(2);
}

}  // namespace cachelens

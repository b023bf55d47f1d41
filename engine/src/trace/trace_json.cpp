// SPDX-License-Identifier: MIT
// Trace <-> JSON ("cachelens-trace", version 1). Every field is written; reading checks every
// field's presence and type and names the JSON path of the first bad one.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cachelens/atomic_file.h"
#include "cachelens/error.h"
#include "cachelens/trace.h"

namespace cachelens {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "cachelens-trace";
constexpr int64_t kVersion = 1;

// ---- writing ----

// JSON has no NaN or infinity: non-finite values are written as null and read back as NaN.
json number(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json numbers(const std::vector<double>& values) {
  json out = json::array();
  for (const double v : values) out.push_back(number(v));
  return out;
}

json map_to_json(const RecomputeMap& map) {
  json layers = json::array();
  for (int64_t layer = 0; layer < map.layers(); ++layer) {
    json row = json::array();
    for (const CellRun& run : map.runs(layer)) {
      row.push_back(cell_state_name(run.state));
      row.push_back(run.length);
    }
    layers.push_back(std::move(row));
  }
  json out = json::object();
  out["positions"] = map.positions();
  out["layers"] = std::move(layers);
  return out;
}

json input_to_json(const TraceInput& in) {
  json out = json::object();
  out["model"] = in.model;
  out["prompt"] = in.prompt;
  out["image_path"] = in.image_path;
  out["expected_answer"] = in.expected_answer;
  out["image_tokens"] = in.image_tokens;
  out["image_begin"] = in.image_begin;
  out["prompt_length"] = in.prompt_length;
  out["length"] = in.length;
  out["num_layers"] = in.num_layers;
  out["mask_id"] = in.mask_id;
  out["device"] = in.device;
  out["dtype"] = in.dtype;
  return out;
}

json settings_to_json(const TraceSettings& settings) {
  const DecodeSettings& d = settings.decode;
  json decode = json::object();
  decode["gen_length"] = d.gen_length;
  decode["block_length"] = d.block_length;
  decode["steps"] = d.steps;
  decode["unmask"] = unmask_rule_name(d.rule);
  decode["threshold"] = number(d.threshold);
  decode["factor"] = number(d.factor);
  decode["temperature"] = number(d.temperature);
  decode["seed"] = d.seed;
  json values = json::object();
  for (const auto& [key, value] : settings.strategy.values) values[key] = value;
  json strategy = json::object();
  strategy["name"] = settings.strategy.name;
  strategy["values"] = std::move(values);
  json out = json::object();
  out["decode"] = std::move(decode);
  out["strategy"] = std::move(strategy);
  return out;
}

json summary_to_json(const RunSummary& s) {
  json baseline = json::object();
  baseline["present"] = s.baseline.present;
  baseline["speedup"] = number(s.baseline.speedup);
  baseline["token_agreement"] = number(s.baseline.token_agreement);
  baseline["exact_match"] = s.baseline.exact_match;
  json out = json::object();
  out["answer"] = s.answer;
  out["token_ids"] = s.token_ids;
  out["stopped_at_eot"] = s.stopped_at_eot;
  out["steps"] = s.steps;
  out["nfe"] = s.nfe;
  out["vision_ms"] = number(s.vision_ms);
  out["denoise_ms"] = number(s.denoise_ms);
  out["wall_ms"] = number(s.wall_ms);
  out["tokens_per_s"] = number(s.tokens_per_s);
  out["ms_per_step"] = number(s.ms_per_step);
  out["recomputed_cells"] = s.recomputed_cells;
  out["partial_cells"] = s.partial_cells;
  out["total_cells"] = s.total_cells;
  out["recompute_fraction"] = number(s.recompute_fraction);
  out["flops"] = number(s.flops);
  out["flops_full"] = number(s.flops_full);
  out["correct"] = s.correct;
  out["baseline"] = std::move(baseline);
  return out;
}

json event_to_json(const StepEvent& e) {
  json out = json::object();
  out["step"] = e.step;
  out["block"] = e.block;
  out["step_in_block"] = e.step_in_block;
  out["answer_ids"] = e.answer_ids;
  out["decoded_positions"] = e.decoded_positions;
  out["decoded_tokens"] = e.decoded_tokens;
  out["decoded_confidences"] = numbers(e.decoded_confidences);
  out["decode_rows"] = e.decode_rows;
  out["block_begin"] = e.block_begin;
  out["block_end"] = e.block_end;
  out["cells"] = map_to_json(e.cells);
  out["drift"] = numbers(e.drift);
  out["boundary_layer"] = e.boundary_layer;
  out["tracked"] = e.tracked;
  out["refresh"] = e.refresh;
  out["recomputed_cells"] = e.recomputed_cells;
  out["partial_cells"] = e.partial_cells;
  out["total_cells"] = e.total_cells;
  out["flops"] = number(e.flops);
  out["flops_full"] = number(e.flops_full);
  out["nfe"] = e.nfe;
  out["step_ms"] = number(e.step_ms);
  out["elapsed_ms"] = number(e.elapsed_ms);
  return out;
}

// Compact values; invalid UTF-8 (a tokenizer can emit a broken byte sequence) becomes U+FFFD
// instead of failing the save.
std::string compact(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---- reading ----

std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    default: {
      std::string text = compact(value);
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      return text;
    }
  }
}

std::string member_path(const std::string& path, const char* key) {
  return path.empty() ? std::string(key) : path + "." + key;
}

std::string index_path(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

// Typed reads that name `source` and the field's JSON path in every error.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void wrong(const std::string& path, const std::string& expected,
                          const json& got) const {
    fail(source_, ": ", path, ": expected ", expected, ", got ", describe(got));
  }
  [[noreturn]] void invalid(const std::string& path, const std::string& message) const {
    fail(source_, ": ", path, ": ", message);
  }

  const json& member(const json& object, const std::string& path, const char* key,
                     const char* expected) const {
    const auto it = object.find(key);
    if (it == object.end()) {
      fail(source_, ": ", member_path(path, key), ": missing, expected ", expected);
    }
    return *it;
  }

  const json& object(const json& parent, const std::string& path, const char* key) const {
    const json& value = member(parent, path, key, "an object");
    if (!value.is_object()) wrong(member_path(path, key), "an object", value);
    return value;
  }
  const json& array(const json& parent, const std::string& path, const char* key) const {
    const json& value = member(parent, path, key, "an array");
    if (!value.is_array()) wrong(member_path(path, key), "an array", value);
    return value;
  }

  int64_t as_int64(const json& value, const std::string& path) const {
    if (!value.is_number_integer() ||
        (value.is_number_unsigned() &&
         value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
      wrong(path, "an integer", value);
    }
    return value.get<int64_t>();
  }
  int32_t as_int32(const json& value, const std::string& path) const {
    const bool fits = value.is_number_integer() &&
                      (value.is_number_unsigned()
                           ? value.get<uint64_t>() <= uint64_t(std::numeric_limits<int32_t>::max())
                           : value.get<int64_t>() >= std::numeric_limits<int32_t>::min() &&
                                 value.get<int64_t>() <= std::numeric_limits<int32_t>::max());
    if (!fits) wrong(path, "a 32-bit integer", value);
    return static_cast<int32_t>(value.get<int64_t>());
  }
  double as_double(const json& value, const std::string& path) const {
    if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!value.is_number()) wrong(path, "a number (or null for NaN)", value);
    return value.get<double>();
  }

  int64_t int64(const json& parent, const std::string& path, const char* key) const {
    return as_int64(member(parent, path, key, "an integer"), member_path(path, key));
  }
  int32_t int32(const json& parent, const std::string& path, const char* key) const {
    return as_int32(member(parent, path, key, "a 32-bit integer"), member_path(path, key));
  }
  uint64_t uint64(const json& parent, const std::string& path, const char* key) const {
    const json& value = member(parent, path, key, "a non-negative integer");
    if (value.is_number_unsigned()) return value.get<uint64_t>();
    if (!value.is_number_integer() || value.get<int64_t>() < 0) {
      wrong(member_path(path, key), "a non-negative integer", value);
    }
    return static_cast<uint64_t>(value.get<int64_t>());
  }
  double real(const json& parent, const std::string& path, const char* key) const {
    return as_double(member(parent, path, key, "a number"), member_path(path, key));
  }
  bool boolean(const json& parent, const std::string& path, const char* key) const {
    const json& value = member(parent, path, key, "true or false");
    if (!value.is_boolean()) wrong(member_path(path, key), "true or false", value);
    return value.get<bool>();
  }
  std::string text(const json& parent, const std::string& path, const char* key) const {
    const json& value = member(parent, path, key, "a string");
    if (!value.is_string()) wrong(member_path(path, key), "a string", value);
    return value.get<std::string>();
  }

  std::vector<int64_t> int64s(const json& parent, const std::string& path, const char* key) const {
    return list<int64_t>(parent, path, key, &Reader::as_int64);
  }
  std::vector<int32_t> int32s(const json& parent, const std::string& path, const char* key) const {
    return list<int32_t>(parent, path, key, &Reader::as_int32);
  }
  std::vector<double> doubles(const json& parent, const std::string& path, const char* key) const {
    return list<double>(parent, path, key, &Reader::as_double);
  }

 private:
  // An array member converted element by element; errors name the element's path.
  template <typename T>
  std::vector<T> list(const json& parent, const std::string& path, const char* key,
                      T (Reader::*convert)(const json&, const std::string&) const) const {
    const json& items = array(parent, path, key);
    const std::string where = member_path(path, key);
    std::vector<T> out;
    out.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      out.push_back((this->*convert)(items[i], index_path(where, i)));
    }
    return out;
  }

  std::string source_;
};

RecomputeMap map_from_json(const Reader& r, const json& parent, const std::string& path,
                           const char* key) {
  const json& object = r.object(parent, path, key);
  const std::string where = member_path(path, key);
  const int64_t positions = r.int64(object, where, "positions");
  if (positions < 0) r.wrong(member_path(where, "positions"), "a non-negative integer", positions);
  const json& layers = r.array(object, where, "layers");
  RecomputeMap map(static_cast<int64_t>(layers.size()), positions);
  for (size_t layer = 0; layer < layers.size(); ++layer) {
    const std::string layer_path = index_path(member_path(where, "layers"), layer);
    const json& row = layers[layer];
    if (!row.is_array() || row.size() % 2 != 0) {
      r.wrong(layer_path, "an array of state name, length pairs", row);
    }
    std::vector<CellRun> runs;
    runs.reserve(row.size() / 2);
    for (size_t i = 0; i < row.size(); i += 2) {
      const json& name = row[i];
      if (!name.is_string()) r.wrong(index_path(layer_path, i), "a cell state name", name);
      CellRun run;
      try {
        run.state = parse_cell_state(name.get<std::string>());
      } catch (const Error& e) {
        r.invalid(index_path(layer_path, i), e.what());
      }
      run.length = r.as_int64(row[i + 1], index_path(layer_path, i + 1));
      if (run.length <= 0) r.wrong(index_path(layer_path, i + 1), "a positive length", row[i + 1]);
      runs.push_back(run);
    }
    try {
      map.set_runs(static_cast<int64_t>(layer), std::move(runs));
    } catch (const Error& e) {
      r.invalid(layer_path, e.what());
    }
  }
  return map;
}

TraceInput input_from_json(const Reader& r, const json& parent) {
  const json& o = r.object(parent, "", "input");
  const std::string p = "input";
  TraceInput in;
  in.model = r.text(o, p, "model");
  in.prompt = r.text(o, p, "prompt");
  in.image_path = r.text(o, p, "image_path");
  in.expected_answer = r.text(o, p, "expected_answer");
  in.image_tokens = r.int64(o, p, "image_tokens");
  in.image_begin = r.int64(o, p, "image_begin");
  in.prompt_length = r.int64(o, p, "prompt_length");
  in.length = r.int64(o, p, "length");
  in.num_layers = r.int64(o, p, "num_layers");
  in.mask_id = r.int32(o, p, "mask_id");
  in.device = r.text(o, p, "device");
  in.dtype = r.text(o, p, "dtype");
  return in;
}

TraceSettings settings_from_json(const Reader& r, const json& parent) {
  const json& o = r.object(parent, "", "settings");
  TraceSettings settings;
  const json& d = r.object(o, "settings", "decode");
  const std::string dp = "settings.decode";
  DecodeSettings& decode = settings.decode;
  decode.gen_length = r.int64(d, dp, "gen_length");
  decode.block_length = r.int64(d, dp, "block_length");
  decode.steps = r.int64(d, dp, "steps");
  const std::string rule = r.text(d, dp, "unmask");
  try {
    decode.rule = parse_unmask_rule(rule);
  } catch (const Error& e) {
    r.invalid(member_path(dp, "unmask"), e.what());
  }
  decode.threshold = r.real(d, dp, "threshold");
  decode.factor = r.real(d, dp, "factor");
  decode.temperature = r.real(d, dp, "temperature");
  decode.seed = r.uint64(d, dp, "seed");

  const json& s = r.object(o, "settings", "strategy");
  const std::string sp = "settings.strategy";
  settings.strategy.name = r.text(s, sp, "name");
  const json& values = r.object(s, sp, "values");
  const std::string vp = member_path(sp, "values");
  for (const auto& item : values.items()) {
    if (!item.value().is_string()) {
      r.wrong(member_path(vp, item.key().c_str()), "a string", item.value());
    }
    settings.strategy.values[item.key()] = item.value().get<std::string>();
  }
  return settings;
}

RunSummary summary_from_json(const Reader& r, const json& parent) {
  const json& o = r.object(parent, "", "summary");
  const std::string p = "summary";
  RunSummary s;
  s.answer = r.text(o, p, "answer");
  s.token_ids = r.int32s(o, p, "token_ids");
  s.stopped_at_eot = r.boolean(o, p, "stopped_at_eot");
  s.steps = r.int64(o, p, "steps");
  s.nfe = r.int64(o, p, "nfe");
  s.vision_ms = r.real(o, p, "vision_ms");
  s.denoise_ms = r.real(o, p, "denoise_ms");
  s.wall_ms = r.real(o, p, "wall_ms");
  s.tokens_per_s = r.real(o, p, "tokens_per_s");
  s.ms_per_step = r.real(o, p, "ms_per_step");
  s.recomputed_cells = r.int64(o, p, "recomputed_cells");
  s.partial_cells = r.int64(o, p, "partial_cells");
  s.total_cells = r.int64(o, p, "total_cells");
  s.recompute_fraction = r.real(o, p, "recompute_fraction");
  s.flops = r.real(o, p, "flops");
  s.flops_full = r.real(o, p, "flops_full");
  s.correct = r.int32(o, p, "correct");
  if (s.correct < -1 || s.correct > 1) r.wrong(member_path(p, "correct"), "-1, 0 or 1", s.correct);
  const json& b = r.object(o, p, "baseline");
  const std::string bp = "summary.baseline";
  s.baseline.present = r.boolean(b, bp, "present");
  s.baseline.speedup = r.real(b, bp, "speedup");
  s.baseline.token_agreement = r.real(b, bp, "token_agreement");
  s.baseline.exact_match = r.boolean(b, bp, "exact_match");
  return s;
}

std::shared_ptr<const StepEvent> event_from_json(const Reader& r, const json& o,
                                                 const std::string& p) {
  if (!o.is_object()) r.wrong(p, "an object", o);
  auto e = std::make_shared<StepEvent>();
  e->step = r.int64(o, p, "step");
  e->block = r.int64(o, p, "block");
  e->step_in_block = r.int64(o, p, "step_in_block");
  e->answer_ids = r.int32s(o, p, "answer_ids");
  e->decoded_positions = r.int64s(o, p, "decoded_positions");
  e->decoded_tokens = r.int32s(o, p, "decoded_tokens");
  e->decoded_confidences = r.doubles(o, p, "decoded_confidences");
  // Readers index the three decoded lists together.
  const size_t decoded = e->decoded_positions.size();
  if (e->decoded_tokens.size() != decoded) {
    r.invalid(member_path(p, "decoded_tokens"),
              "expected " + std::to_string(decoded) +
                  " entries (as many as decoded_positions), got " +
                  std::to_string(e->decoded_tokens.size()));
  }
  if (e->decoded_confidences.size() != decoded) {
    r.invalid(member_path(p, "decoded_confidences"),
              "expected " + std::to_string(decoded) +
                  " entries (as many as decoded_positions), got " +
                  std::to_string(e->decoded_confidences.size()));
  }
  e->decode_rows = r.int64s(o, p, "decode_rows");
  e->block_begin = r.int64(o, p, "block_begin");
  e->block_end = r.int64(o, p, "block_end");
  e->cells = map_from_json(r, o, p, "cells");
  e->drift = r.doubles(o, p, "drift");
  e->boundary_layer = r.int64(o, p, "boundary_layer");
  e->tracked = r.int64s(o, p, "tracked");
  e->refresh = r.boolean(o, p, "refresh");
  e->recomputed_cells = r.int64(o, p, "recomputed_cells");
  e->partial_cells = r.int64(o, p, "partial_cells");
  e->total_cells = r.int64(o, p, "total_cells");
  e->flops = r.real(o, p, "flops");
  e->flops_full = r.real(o, p, "flops_full");
  e->nfe = r.int64(o, p, "nfe");
  e->step_ms = r.real(o, p, "step_ms");
  e->elapsed_ms = r.real(o, p, "elapsed_ms");
  return e;
}

// nlohmann's what() starts with "[json.exception.parse_error.101] "; people need the rest.
std::string without_exception_tag(const std::string& what) {
  if (what.rfind("[json.exception.", 0) == 0) {
    const auto end = what.find("] ");
    if (end != std::string::npos) return what.substr(end + 2);
  }
  return what;
}

}  // namespace

std::string trace_to_json(const Trace& trace) {
  // Hand-assembled at the top so the keys keep a reading order and each event sits on one line
  // (nlohmann would sort the keys and spread every array over many lines).
  std::string out = "{\n";
  out += "  \"format\": " + compact(kFormat) + ",\n";
  out += "  \"version\": " + std::to_string(kVersion) + ",\n";
  out += "  \"input\": " + compact(input_to_json(trace.input)) + ",\n";
  out += "  \"settings\": " + compact(settings_to_json(trace.settings)) + ",\n";
  out += "  \"summary\": " + compact(summary_to_json(trace.summary)) + ",\n";
  out += "  \"events\": [";
  for (size_t i = 0; i < trace.events.size(); ++i) {
    if (!trace.events[i]) fail("trace: event ", i, " is null");
    out += (i ? ",\n    " : "\n    ") + compact(event_to_json(*trace.events[i]));
  }
  out += trace.events.empty() ? "]\n" : "\n  ]\n";
  out += "}\n";
  return out;
}

Trace trace_from_json(const std::string& text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    fail(source, ": malformed JSON at byte ", e.byte, ": ", without_exception_tag(e.what()));
  }
  const Reader r(source);
  if (!doc.is_object())
    fail(source, ": expected a JSON object (a CacheLens trace), got ", describe(doc));
  const auto format = doc.find("format");
  if (format == doc.end() || !format->is_string() || format->get<std::string>() != kFormat) {
    fail(source, ": not a CacheLens trace (\"format\" is ",
         format == doc.end() ? std::string("missing") : describe(*format), ", expected \"", kFormat,
         "\")");
  }
  const int64_t version = r.int64(doc, "", "version");
  if (version != kVersion) {
    fail(source, ": unsupported trace version ", version, " (this build reads version ", kVersion,
         ")");
  }
  Trace trace;
  trace.input = input_from_json(r, doc);
  trace.settings = settings_from_json(r, doc);
  trace.summary = summary_from_json(r, doc);
  const json& events = r.array(doc, "", "events");
  trace.events.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    trace.events.push_back(event_from_json(r, events[i], index_path("events", i)));
  }
  return trace;
}

void save_trace(const std::filesystem::path& file, const Trace& trace) {
  write_text_atomically(file, trace_to_json(trace));
}

Trace load_trace(const std::filesystem::path& file) {
  return trace_from_json(read_text_file(file), file.string());
}

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// The trace: the run-length recompute map, the JSON layout, exact round trips (NaN drift
// included), atomic save/load, and errors that name the source, the JSON path and what was
// expected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cachelens/error.h"
#include "cachelens/trace.h"
#include "test_support.h"

namespace cachelens {
namespace {

using cachelens::test::error_message;
using cachelens::test::expect_error;
using nlohmann::json;
using testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using S = CellState;

// ---- RecomputeMap ----

TEST(CellState, NamesRoundTripAndUnknownNamesListTheAllowedOnes) {
  for (const S s : {S::NotComputed, S::Recomputed, S::Reused, S::OffWindow, S::Partial}) {
    EXPECT_EQ(parse_cell_state(cell_state_name(s)), s) << cell_state_name(s);
  }
  EXPECT_STREQ(cell_state_name(S::Recomputed), "recomputed");
  expect_error([] { parse_cell_state("sideways"); },
               {"'sideways'", "not-computed", "recomputed", "reused", "off-window", "partial"});
}

TEST(RecomputeMap, StartsNotComputed) {
  const RecomputeMap map(2, 5);
  EXPECT_EQ(map.layers(), 2);
  EXPECT_EQ(map.positions(), 5);
  EXPECT_EQ(map.runs(1), (std::vector<CellRun>{{S::NotComputed, 5}}));
  EXPECT_EQ(map.count(S::NotComputed), 10);
  EXPECT_EQ(map.count(S::Recomputed), 0);
  EXPECT_TRUE(RecomputeMap(3, 0).runs(2).empty());
}

TEST(RecomputeMap, EncodesLayersAsRunsAndDecodesThemBack) {
  RecomputeMap map(3, 10);
  const std::vector<S> layer0 = {S::Reused,     S::Reused,     S::Recomputed, S::Recomputed,
                                 S::Recomputed, S::OffWindow,  S::OffWindow,  S::Reused,
                                 S::Partial,    S::NotComputed};
  map.set_layer(0, layer0);
  map.set_layer(2, std::vector<S>(10, S::Recomputed));
  EXPECT_EQ(map.runs(0), (std::vector<CellRun>{{S::Reused, 2},
                                               {S::Recomputed, 3},
                                               {S::OffWindow, 2},
                                               {S::Reused, 1},
                                               {S::Partial, 1},
                                               {S::NotComputed, 1}}));
  EXPECT_EQ(map.runs(2), (std::vector<CellRun>{{S::Recomputed, 10}}));
  EXPECT_EQ(map.layer_states(0), layer0);
  for (int64_t p = 0; p < 10; ++p) EXPECT_EQ(map.at(0, p), layer0[p]) << p;
  EXPECT_EQ(map.at(1, 9), S::NotComputed);
  EXPECT_EQ(map.at(2, 0), S::Recomputed);

  EXPECT_EQ(map.count(0, S::Reused), 3);
  EXPECT_EQ(map.count(0, S::Recomputed), 3);
  EXPECT_EQ(map.count(0, S::OffWindow), 2);
  EXPECT_EQ(map.count(0, S::Partial), 1);
  EXPECT_EQ(map.count(0, S::NotComputed), 1);
  EXPECT_EQ(map.count(S::Recomputed), 13);
  EXPECT_EQ(map.count(S::NotComputed), 11);  // 1 in layer 0, all 10 of layer 1
  EXPECT_EQ(map.count(S::Reused), 3);
}

TEST(RecomputeMap, SetRunsMergesAdjacentEqualRunsSoEqualMapsCompareEqual) {
  RecomputeMap from_runs(1, 8), from_states(1, 8);
  from_runs.set_runs(0, {{S::Recomputed, 2}, {S::Recomputed, 3}, {S::Reused, 1}, {S::Reused, 2}});
  EXPECT_EQ(from_runs.runs(0), (std::vector<CellRun>{{S::Recomputed, 5}, {S::Reused, 3}}));
  from_states.set_layer(0, {S::Recomputed, S::Recomputed, S::Recomputed, S::Recomputed,
                            S::Recomputed, S::Reused, S::Reused, S::Reused});
  EXPECT_TRUE(from_runs == from_states);
  from_states.set_runs(0, {{S::Recomputed, 4}, {S::Reused, 4}});
  EXPECT_FALSE(from_runs == from_states);
}

TEST(RecomputeMap, RejectsRunsThatDoNotCoverThePositionsAndOutOfRangeCells) {
  RecomputeMap map(2, 10);
  expect_error(
      [&] {
        map.set_runs(1, {{S::Recomputed, 4}, {S::Reused, 5}});
      },
      {"layer 1", "cover 9 positions, expected 10"});
  expect_error(
      [&] {
        map.set_runs(0, {{S::Recomputed, 4}, {S::Reused, 7}});
      },
      {"layer 0", "more than", "10 positions"});
  expect_error(
      [&] {
        map.set_runs(0, {{S::Recomputed, 10}, {S::Reused, 0}});
      },
      {"run 1 of layer 0", "length 0", "positive"});
  expect_error([&] { map.set_runs(0, {{S::Recomputed, -2}, {S::Reused, 12}}); }, {"length -2"});
  expect_error([&] { map.set_runs(0, {}); }, {"cover 0 positions, expected 10"});
  // A failed set leaves the layer as it was.
  EXPECT_EQ(map.runs(0), (std::vector<CellRun>{{S::NotComputed, 10}}));

  expect_error([&] { map.set_layer(0, std::vector<S>(9, S::Reused)); }, {"9 cells, expected 10"});
  expect_error([&] { map.set_runs(2, {{S::Reused, 10}}); }, {"layer 2", "2 layers"});
  expect_error([&] { map.at(-1, 0); }, {"layer -1"});
  expect_error([&] { map.at(0, 10); }, {"position 10", "10 positions"});
  expect_error([&] { map.count(5, S::Reused); }, {"layer 5"});
  expect_error([] { RecomputeMap(-1, 3); }, {"negative"});
}

// ---- JSON ----

std::shared_ptr<StepEvent> first_event() {
  auto e = std::make_shared<StepEvent>();
  e->step = 0;
  e->block = 0;
  e->step_in_block = 0;
  e->answer_ids = {126336, 42, 126336, 126336};
  e->decoded_positions = {1};
  e->decoded_tokens = {42};
  e->decoded_confidences = {0.1 + 0.2};  // 0.30000000000000004: needs all 17 digits
  e->decode_rows = {0, 1, 2, 3};
  e->block_begin = 0;
  e->block_end = 2;
  e->cells = RecomputeMap(3, 12);
  e->cells.set_runs(0,
                    {{S::NotComputed, 2}, {S::Recomputed, 4}, {S::Reused, 3}, {S::OffWindow, 3}});
  e->cells.set_runs(1, {{S::Partial, 5}, {S::Recomputed, 7}});
  e->cells.set_runs(2, {{S::Recomputed, 12}});
  e->drift = {0.25, kNaN, 1.0 / 3.0};
  e->boundary_layer = 1;
  e->tracked = {3, 7, 11};
  e->refresh = true;
  e->recomputed_cells = 23;
  e->partial_cells = 5;
  e->total_cells = 36;
  e->flops = 2.5e15 / 3.0;
  e->flops_full = 1.25e15;
  e->nfe = 1;
  e->step_ms = 12.345678901234567;
  e->elapsed_ms = 12.345678901234567;
  return e;
}

std::shared_ptr<StepEvent> second_event() {
  auto e = std::make_shared<StepEvent>();
  e->step = 1;
  e->block = 1;
  e->step_in_block = 0;
  e->answer_ids = {7, 42, 9, 126336};
  e->decoded_positions = {0, 2};
  e->decoded_tokens = {7, 9};
  e->decoded_confidences = {0.999999999999, 5e-324};  // the smallest denormal survives too
  e->decode_rows = {2, 3};
  e->block_begin = 2;
  e->block_end = 4;
  e->cells = RecomputeMap(3, 12);
  e->cells.set_runs(0, {{S::Reused, 10}, {S::Recomputed, 2}});
  e->cells.set_runs(1, {{S::Reused, 10}, {S::Recomputed, 2}});
  e->cells.set_runs(2, {{S::Recomputed, 12}});
  e->drift = {kNaN, kNaN, kNaN};
  e->boundary_layer = -1;
  e->tracked = {};
  e->refresh = false;
  e->recomputed_cells = 16;
  e->partial_cells = 0;
  e->total_cells = 36;
  e->flops = 1e-300;
  e->flops_full = 1.25e15;
  e->nfe = 2;
  e->step_ms = 0.5;
  e->elapsed_ms = 12.845678901234567;
  return e;
}

Trace full_trace() {
  Trace t;
  t.input.model = "tiny-llada-v";
  t.input.prompt = "What colour is the \"circle\"?\nÄnswer in one wörd: 円";
  t.input.image_path = "/tmp/shapes.png";
  t.input.expected_answer = "Red.";
  t.input.image_tokens = 5;
  t.input.image_begin = 3;
  t.input.prompt_length = 8;
  t.input.length = 12;
  t.input.num_layers = 3;
  t.input.mask_id = 126336;
  t.input.device = "cuda:0";
  t.input.dtype = "bf16";
  t.settings.decode.gen_length = 4;
  t.settings.decode.block_length = 2;
  t.settings.decode.steps = 2;
  t.settings.decode.rule = UnmaskRule::Factor;
  t.settings.decode.threshold = 0.85;
  t.settings.decode.factor = 1.5;
  t.settings.decode.temperature = 0.7;
  t.settings.decode.seed = std::numeric_limits<uint64_t>::max();  // beyond int64
  t.settings.strategy.name = "elastic-cache";
  t.settings.strategy.values = {{"gamma", "0.9"}, {"track", "true"}, {"window", "16"}};
  t.events = {first_event(), second_event()};
  RunSummary& s = t.summary;
  s.answer = "red";
  s.token_ids = {7, 42, 9};
  s.stopped_at_eot = true;
  s.steps = 2;
  s.nfe = 2;
  s.vision_ms = 3.25;
  s.denoise_ms = 12.845678901234567;
  s.wall_ms = 17.1;
  s.tokens_per_s = 3.0 / 0.0171;
  s.ms_per_step = 12.845678901234567 / 2;
  s.recomputed_cells = 39;
  s.partial_cells = 5;
  s.total_cells = 72;
  s.recompute_fraction = 44.0 / 72.0;
  s.flops = 2.5e15 / 3.0 + 1e-300;
  s.flops_full = 2.5e15;
  s.correct = 1;
  s.baseline.present = true;
  s.baseline.speedup = 68.4 / 17.1;
  s.baseline.token_agreement = 2.0 / 3.0;
  s.baseline.exact_match = false;
  return t;
}

// Doubles compare exactly; NaN only equals NaN.
void expect_same(double a, double b, const std::string& what) {
  if (std::isnan(a)) {
    EXPECT_TRUE(std::isnan(b)) << what << ": " << b;
  } else {
    EXPECT_EQ(a, b) << what;
  }
}
void expect_same(const std::vector<double>& a, const std::vector<double>& b,
                 const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i)
    expect_same(a[i], b[i], what + "[" + std::to_string(i) + "]");
}

void expect_same(const StepEvent& a, const StepEvent& b) {
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.block, b.block);
  EXPECT_EQ(a.step_in_block, b.step_in_block);
  EXPECT_EQ(a.answer_ids, b.answer_ids);
  EXPECT_EQ(a.decoded_positions, b.decoded_positions);
  EXPECT_EQ(a.decoded_tokens, b.decoded_tokens);
  expect_same(a.decoded_confidences, b.decoded_confidences, "decoded_confidences");
  EXPECT_EQ(a.decode_rows, b.decode_rows);
  EXPECT_EQ(a.block_begin, b.block_begin);
  EXPECT_EQ(a.block_end, b.block_end);
  EXPECT_TRUE(a.cells == b.cells);
  expect_same(a.drift, b.drift, "drift");
  EXPECT_EQ(a.boundary_layer, b.boundary_layer);
  EXPECT_EQ(a.tracked, b.tracked);
  EXPECT_EQ(a.refresh, b.refresh);
  EXPECT_EQ(a.recomputed_cells, b.recomputed_cells);
  EXPECT_EQ(a.partial_cells, b.partial_cells);
  EXPECT_EQ(a.total_cells, b.total_cells);
  expect_same(a.flops, b.flops, "flops");
  expect_same(a.flops_full, b.flops_full, "flops_full");
  EXPECT_EQ(a.nfe, b.nfe);
  expect_same(a.step_ms, b.step_ms, "step_ms");
  expect_same(a.elapsed_ms, b.elapsed_ms, "elapsed_ms");
}

void expect_same(const Trace& a, const Trace& b) {
  EXPECT_EQ(a.input.model, b.input.model);
  EXPECT_EQ(a.input.prompt, b.input.prompt);
  EXPECT_EQ(a.input.image_path, b.input.image_path);
  EXPECT_EQ(a.input.expected_answer, b.input.expected_answer);
  EXPECT_EQ(a.input.image_tokens, b.input.image_tokens);
  EXPECT_EQ(a.input.image_begin, b.input.image_begin);
  EXPECT_EQ(a.input.prompt_length, b.input.prompt_length);
  EXPECT_EQ(a.input.length, b.input.length);
  EXPECT_EQ(a.input.num_layers, b.input.num_layers);
  EXPECT_EQ(a.input.mask_id, b.input.mask_id);
  EXPECT_EQ(a.input.device, b.input.device);
  EXPECT_EQ(a.input.dtype, b.input.dtype);

  const DecodeSettings &da = a.settings.decode, &db = b.settings.decode;
  EXPECT_EQ(da.gen_length, db.gen_length);
  EXPECT_EQ(da.block_length, db.block_length);
  EXPECT_EQ(da.steps, db.steps);
  EXPECT_EQ(da.rule, db.rule);
  expect_same(da.threshold, db.threshold, "threshold");
  expect_same(da.factor, db.factor, "factor");
  expect_same(da.temperature, db.temperature, "temperature");
  EXPECT_EQ(da.seed, db.seed);
  EXPECT_EQ(a.settings.strategy.name, b.settings.strategy.name);
  EXPECT_EQ(a.settings.strategy.values, b.settings.strategy.values);

  const RunSummary &sa = a.summary, &sb = b.summary;
  EXPECT_EQ(sa.answer, sb.answer);
  EXPECT_EQ(sa.token_ids, sb.token_ids);
  EXPECT_EQ(sa.stopped_at_eot, sb.stopped_at_eot);
  EXPECT_EQ(sa.steps, sb.steps);
  EXPECT_EQ(sa.nfe, sb.nfe);
  expect_same(sa.vision_ms, sb.vision_ms, "vision_ms");
  expect_same(sa.denoise_ms, sb.denoise_ms, "denoise_ms");
  expect_same(sa.wall_ms, sb.wall_ms, "wall_ms");
  expect_same(sa.tokens_per_s, sb.tokens_per_s, "tokens_per_s");
  expect_same(sa.ms_per_step, sb.ms_per_step, "ms_per_step");
  EXPECT_EQ(sa.recomputed_cells, sb.recomputed_cells);
  EXPECT_EQ(sa.partial_cells, sb.partial_cells);
  EXPECT_EQ(sa.total_cells, sb.total_cells);
  expect_same(sa.recompute_fraction, sb.recompute_fraction, "recompute_fraction");
  expect_same(sa.flops, sb.flops, "summary flops");
  expect_same(sa.flops_full, sb.flops_full, "summary flops_full");
  EXPECT_EQ(sa.correct, sb.correct);
  EXPECT_EQ(sa.baseline.present, sb.baseline.present);
  expect_same(sa.baseline.speedup, sb.baseline.speedup, "speedup");
  expect_same(sa.baseline.token_agreement, sb.baseline.token_agreement, "token_agreement");
  EXPECT_EQ(sa.baseline.exact_match, sb.baseline.exact_match);

  ASSERT_EQ(a.events.size(), b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    ASSERT_TRUE(a.events[i] && b.events[i]);
    expect_same(*a.events[i], *b.events[i]);
  }
}

TEST(TraceJson, FullTraceRoundTripsWithEveryFieldEqual) {
  const Trace trace = full_trace();
  const std::string text = trace_to_json(trace);
  const Trace back = trace_from_json(text, "trace.json");
  expect_same(trace, back);
  // Writing what was read gives the same text: nothing is lost or reordered.
  EXPECT_EQ(trace_to_json(back), text);
}

TEST(TraceJson, DefaultTraceRoundTrips) {
  const Trace trace;
  expect_same(trace, trace_from_json(trace_to_json(trace), "empty.json"));
}

TEST(TraceJson, LayoutIsTheDocumentedOne) {
  const json doc = json::parse(trace_to_json(full_trace()));
  EXPECT_EQ(doc["format"], "cachelens-trace");
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["settings"]["decode"]["unmask"], "factor");
  EXPECT_EQ(doc["settings"]["strategy"]["name"], "elastic-cache");
  EXPECT_EQ(doc["settings"]["strategy"]["values"]["window"], "16");
  EXPECT_EQ(doc["summary"]["baseline"]["present"], true);
  ASSERT_EQ(doc["events"].size(), 2u);
  const json& cells = doc["events"][0]["cells"];
  EXPECT_EQ(cells["positions"], 12);
  EXPECT_EQ(cells["layers"][0],
            json::parse(R"(["not-computed",2,"recomputed",4,"reused",3,"off-window",3])"));
  EXPECT_EQ(cells["layers"][1], json::parse(R"(["partial",5,"recomputed",7])"));
  // NaN drift is null in JSON.
  EXPECT_EQ(doc["events"][0]["drift"][0], 0.25);
  EXPECT_TRUE(doc["events"][0]["drift"][1].is_null());
  EXPECT_TRUE(doc["events"][1]["drift"][2].is_null());
}

TEST(TraceFile, SaveAndLoadRoundTripAndLeaveNoTempFile) {
  test::TempDir dir;
  const Trace trace = full_trace();
  const auto file = dir / "run.trace.json";
  save_trace(file, trace);
  expect_same(trace, load_trace(file));
  // Saving again replaces the file atomically.
  Trace other = full_trace();
  other.summary.answer = "blue";
  save_trace(file, other);
  EXPECT_EQ(load_trace(file).summary.answer, "blue");
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"run.trace.json"});
}

TEST(TraceFile, MissingFileIsAnErrorNamingIt) {
  test::TempDir dir;
  expect_error([&] { load_trace(dir / "absent.json"); }, {"absent.json"});
}

// The full trace's JSON, changed by `edit`, read back: the error message.
std::string error_after(const std::function<void(json&)>& edit) {
  json doc = json::parse(trace_to_json(full_trace()));
  edit(doc);
  return error_message([&] { trace_from_json(doc.dump(), "trace.json"); });
}

TEST(TraceJsonErrors, MalformedJsonNamesTheSourceAndTheBytePosition) {
  const std::string message =
      error_message([] { trace_from_json("{\"format\": \"cachelens-trace\", oops}", "bad.json"); });
  EXPECT_THAT(message, HasSubstr("bad.json"));
  EXPECT_THAT(message, HasSubstr("malformed JSON at byte 31"));
  EXPECT_THAT(message, testing::Not(HasSubstr("[json.exception")));
  expect_error([] { trace_from_json("", "empty.json"); }, {"empty.json", "malformed JSON"});
}

TEST(TraceJsonErrors, WrongFormatOrVersionIsClear) {
  EXPECT_THAT(error_after([](json& d) { d["format"] = "something-else"; }),
              HasSubstr("trace.json: not a CacheLens trace (\"format\" is \"something-else\", "
                        "expected \"cachelens-trace\")"));
  EXPECT_THAT(error_after([](json& d) { d.erase("format"); }), HasSubstr("\"format\" is missing"));
  EXPECT_THAT(error_after([](json& d) { d["version"] = 2; }),
              HasSubstr("trace.json: unsupported trace version 2 (this build reads version 1)"));
  expect_error([] { trace_from_json("[1, 2]", "list.json"); },
               {"list.json", "expected a JSON object"});
}

TEST(TraceJsonErrors, MissingFieldsNameTheirPath) {
  EXPECT_THAT(error_after([](json& d) { d["summary"].erase("wall_ms"); }),
              HasSubstr("trace.json: summary.wall_ms: missing, expected a number"));
  EXPECT_THAT(error_after([](json& d) { d["events"][1].erase("tracked"); }),
              HasSubstr("trace.json: events[1].tracked: missing, expected an array"));
  EXPECT_THAT(error_after([](json& d) { d["settings"]["decode"].erase("seed"); }),
              HasSubstr("trace.json: settings.decode.seed: missing"));
  EXPECT_THAT(
      error_after([](json& d) { d["summary"]["baseline"].erase("exact_match"); }),
      HasSubstr("trace.json: summary.baseline.exact_match: missing, expected true or false"));
  EXPECT_THAT(error_after([](json& d) { d.erase("events"); }),
              HasSubstr("trace.json: events: missing, expected an array"));
}

TEST(TraceJsonErrors, WrongTypesNameThePathAndWhatWasExpected) {
  EXPECT_THAT(error_after([](json& d) { d["events"][1]["step"] = "one"; }),
              HasSubstr("trace.json: events[1].step: expected an integer, got \"one\""));
  EXPECT_THAT(error_after([](json& d) { d["events"][0]["answer_ids"][2] = 1.5; }),
              HasSubstr("trace.json: events[0].answer_ids[2]: expected a 32-bit integer, got 1.5"));
  EXPECT_THAT(error_after([](json& d) { d["input"]["mask_id"] = 5000000000LL; }),
              HasSubstr("input.mask_id: expected a 32-bit integer"));
  EXPECT_THAT(error_after([](json& d) { d["settings"]["decode"]["seed"] = -1; }),
              HasSubstr("settings.decode.seed: expected a non-negative integer, got -1"));
  EXPECT_THAT(error_after([](json& d) { d["settings"]["decode"]["unmask"] = "sometimes"; }),
              HasSubstr("settings.decode.unmask: unknown unmasking rule 'sometimes'"));
  EXPECT_THAT(error_after([](json& d) { d["settings"]["strategy"]["values"]["window"] = 16; }),
              HasSubstr("settings.strategy.values.window: expected a string, got 16"));
  EXPECT_THAT(error_after([](json& d) { d["events"][0]["refresh"] = 1; }),
              HasSubstr("events[0].refresh: expected true or false, got 1"));
  EXPECT_THAT(error_after([](json& d) { d["events"][0]["drift"][0] = "high"; }),
              HasSubstr("events[0].drift[0]: expected a number (or null for NaN), got \"high\""));
  EXPECT_THAT(error_after([](json& d) { d["input"] = json::array(); }),
              HasSubstr("trace.json: input: expected an object, got an array"));
  EXPECT_THAT(error_after([](json& d) { d["events"][1] = 3; }),
              HasSubstr("events[1]: expected an object, got 3"));
  EXPECT_THAT(error_after([](json& d) { d["summary"]["correct"] = 2; }),
              HasSubstr("summary.correct: expected -1, 0 or 1, got 2"));
  EXPECT_THAT(error_after([](json& d) {
                d["events"][0]["decoded_tokens"] = {1, 2};
              }),
              HasSubstr("events[0].decoded_tokens: expected 1 entries (as many as "
                        "decoded_positions), got 2"));
}

TEST(TraceJsonErrors, BadCellMapsNameTheLayer) {
  const std::string bad_state =
      error_after([](json& d) { d["events"][0]["cells"]["layers"][2][0] = "sideways"; });
  EXPECT_THAT(bad_state, HasSubstr("trace.json: events[0].cells.layers[2][0]: unknown cell state "
                                   "'sideways' (allowed: not-computed, recomputed"));
  const std::string short_runs =
      error_after([](json& d) { d["events"][1]["cells"]["layers"][1][3] = 1; });
  EXPECT_THAT(short_runs, HasSubstr("trace.json: events[1].cells.layers[1]: "));
  EXPECT_THAT(short_runs, HasSubstr("cover 11 positions, expected 12"));
  EXPECT_THAT(error_after([](json& d) { d["events"][1]["cells"]["layers"][0][1] = 0; }),
              HasSubstr("events[1].cells.layers[0][1]: expected a positive length, got 0"));
  EXPECT_THAT(error_after([](json& d) { d["events"][1]["cells"]["layers"][0].erase(3); }),
              HasSubstr("events[1].cells.layers[0]: expected an array of state name, length "
                        "pairs, got an array"));
  EXPECT_THAT(error_after([](json& d) { d["events"][1]["cells"]["layers"][0][0] = 2; }),
              HasSubstr("events[1].cells.layers[0][0]: expected a cell state name, got 2"));
  EXPECT_THAT(error_after([](json& d) { d["events"][0]["cells"]["positions"] = -3; }),
              HasSubstr("events[0].cells.positions: expected a non-negative integer, got -3"));
}

TEST(TraceJson, NullEventCannotBeWritten) {
  Trace trace = full_trace();
  trace.events.push_back(nullptr);
  expect_error([&] { trace_to_json(trace); }, {"event 2 is null"});
}

}  // namespace
}  // namespace cachelens

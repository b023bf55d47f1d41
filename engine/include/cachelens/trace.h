// SPDX-License-Identifier: MIT
// What a run did, step by step, as immutable records (DESIGN.md, "The trace"): the UI draws them,
// the CLI prints and exports them. A StepEvent is shared and never changed after it is emitted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cachelens/decode.h"
#include "cachelens/strategy.h"

namespace cachelens {

// One cell of the layers x positions map of a step.
enum class CellState : uint8_t {
  NotComputed = 0,  // this layer never computed the position in this run (no cached value)
  Recomputed = 1,   // the row went through the layer this step
  Reused = 2,       // cached K/V (or cached outputs) served the row
  OffWindow = 3,    // reused, and the position is a mask outside the decodable block/window
  Partial = 4,      // dLLM-Cache: only the V projection was recomputed
};
const char* cell_state_name(CellState state);         // "recomputed", ...
CellState parse_cell_state(const std::string& name);  // throws Error listing the names

struct CellRun {
  CellState state = CellState::NotComputed;
  int64_t length = 0;
  bool operator==(const CellRun& other) const {
    return state == other.state && length == other.length;
  }
};

// A layers x positions map, run-length encoded per layer (a layer is a few runs, so a 32 x 3800
// map of the real model stays small in memory and in JSON).
class RecomputeMap {
 public:
  RecomputeMap() = default;
  RecomputeMap(int64_t layers, int64_t positions);  // every cell NotComputed

  int64_t layers() const { return static_cast<int64_t>(runs_.size()); }
  int64_t positions() const { return positions_; }
  void set_layer(int64_t layer, const std::vector<CellState>& states);
  // Throws Error when the runs do not cover exactly positions() cells.
  void set_runs(int64_t layer, std::vector<CellRun> runs);
  const std::vector<CellRun>& runs(int64_t layer) const;
  std::vector<CellState> layer_states(int64_t layer) const;
  CellState at(int64_t layer, int64_t position) const;
  int64_t count(CellState state) const;
  int64_t count(int64_t layer, CellState state) const;
  bool operator==(const RecomputeMap& other) const {
    return positions_ == other.positions_ && runs_ == other.runs_;
  }

 private:
  int64_t positions_ = 0;
  std::vector<std::vector<CellRun>> runs_;
};

struct StepEvent {
  int64_t step = 0;   // 0-based over the whole run
  int64_t block = 0;  // semi-autoregressive block
  int64_t step_in_block = 0;
  // The answer region after this step: token ids, with the mask id where still masked.
  std::vector<int32_t> answer_ids;
  // Answer offsets decoded at this step, their tokens and confidences (fp64 softmax probability
  // of the chosen token; the pre-drawn uniform score under `random`).
  std::vector<int64_t> decoded_positions;
  std::vector<int32_t> decoded_tokens;
  std::vector<double> decoded_confidences;
  // Answer offsets whose logits this step computed (the block's masks, or a strategy's window).
  std::vector<int64_t> decode_rows;
  int64_t block_begin = 0, block_end = 0;  // answer offsets of the current block
  // Layers x all positions (prompt, image and answer rows).
  RecomputeMap cells;
  std::vector<double> drift;     // per layer where the strategy measured it; NaN elsewhere
  int64_t boundary_layer = -1;   // Elastic-Cache: first layer recomputed in full; -1 = none
  std::vector<int64_t> tracked;  // Elastic-Cache: tracked (most-attended) positions, absolute
  bool refresh = false;          // the strategy refreshed every cache this step
  int64_t recomputed_cells = 0, partial_cells = 0, total_cells = 0;  // layer-rows
  double flops = 0.0, flops_full = 0.0;  // estimated for this step and for a full recompute
  int64_t nfe = 0;                       // forwards so far
  double step_ms = 0.0;
  double elapsed_ms = 0.0;  // since the denoising loop started
};

struct TraceInput {
  std::string model;  // the model folder's name
  std::string prompt;
  std::string image_path;       // empty: text only
  std::string expected_answer;  // empty: none given
  int64_t image_tokens = 0;
  int64_t image_begin = -1;   // first image row in the sequence; -1 without an image
  int64_t prompt_length = 0;  // rows before the answer (text and image)
  int64_t length = 0;         // all rows (prompt + gen length)
  int64_t num_layers = 0;
  int32_t mask_id = -1;
  std::string device, dtype;
};

struct TraceSettings {
  DecodeSettings decode;
  StrategySettings strategy;  // values resolved (every parameter present)
};

// How a run compares with a baseline run of `none` on the same input and unmasking rule.
struct BaselineComparison {
  bool present = false;
  double speedup = 0.0;          // baseline wall time / this run's wall time
  double token_agreement = 0.0;  // see compare_answers() in metrics.h
  bool exact_match = false;
};

struct RunSummary {
  std::string answer;
  std::vector<int32_t> token_ids;  // answer tokens: no prompt, no stop token, no leftover mask
  bool stopped_at_eot = false;
  int64_t steps = 0;
  int64_t nfe = 0;
  double vision_ms = 0.0;     // image preprocessing + vision tower + projector
  double denoise_ms = 0.0;    // the denoising loop
  double wall_ms = 0.0;       // the whole request, model load excluded
  double tokens_per_s = 0.0;  // answer tokens / wall time
  double ms_per_step = 0.0;   // denoise time / steps
  int64_t recomputed_cells = 0, partial_cells = 0, total_cells = 0;
  double recompute_fraction = 0.0;  // (recomputed + partial) / total layer-rows
  double flops = 0.0, flops_full = 0.0;
  int correct = -1;  // against input.expected_answer: 1, 0, or -1 when none was given
  BaselineComparison baseline;
};

struct Trace {
  TraceInput input;
  TraceSettings settings;
  std::vector<std::shared_ptr<const StepEvent>> events;
  RunSummary summary;
};

std::string trace_to_json(const Trace& trace);
// `source` names the text in errors (a file name); errors name the field and what was expected.
Trace trace_from_json(const std::string& text, const std::string& source);
void save_trace(const std::filesystem::path& file, const Trace& trace);  // atomic
Trace load_trace(const std::filesystem::path& file);

}  // namespace cachelens

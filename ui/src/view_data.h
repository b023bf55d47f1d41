// SPDX-License-Identifier: MIT
// Plain data the painting widgets draw: one frame per step, built from the engine's StepEvents by
// run_frames.cpp. Widgets never see engine types, so they can be drawn and tested on their own.
#pragma once

#include <QString>
#include <QStringList>
#include <cstdint>
#include <vector>

namespace cachelens::ui {

// One heatmap cell; the same order as the engine's CellState.
enum class Cell : uint8_t {
  NotComputed = 0,
  Recomputed = 1,
  Reused = 2,
  OffWindow = 3,
  Partial = 4
};

// Where the rows of the sequence come from, for the region bar above the heatmap.
struct SequenceLayout {
  int positions = 0;      // all rows: prompt (text and image) and answer
  int image_begin = -1;   // first image row; -1 without an image
  int image_end = -1;     // one past the last image row
  int prompt_length = 0;  // the answer starts here
  int layers = 0;
  QStringList position_labels;  // one per row: the token text, "image row 12", ...
};

// The cache map of one step, or the cumulative view up to it.
struct HeatmapFrame {
  int step = 0;                // 0-based
  std::vector<uint8_t> cells;  // layers x positions, layer-major, values of Cell
  // Cumulative view: for each cell, the share of steps 0..step that recomputed it (V-only counts
  // half), in [0, 1]. Same layout as `cells`.
  std::vector<float> recompute_share;
  std::vector<double> drift;             // per layer; NaN where the strategy did not measure it
  double drift_threshold = -1;           // e.g. Elastic's gamma; < 0 when the strategy has none
  int boundary_layer = -1;               // first layer recomputed in full (Elastic); -1 = none
  std::vector<int> tracked;              // absolute rows the strategy tracks (Elastic)
  std::vector<int> decode_rows;          // absolute rows whose logits this step computed
  int block_begin = -1, block_end = -1;  // absolute rows of the current block or window
  bool refresh = false;                  // the strategy refreshed every cache this step
};

// One answer position on the denoising canvas.
struct Chip {
  enum class State : uint8_t {
    Masked,     // still [MASK]
    New,        // decoded at this step (shaded by confidence)
    Earlier,    // decoded at an earlier step
    AfterStop,  // decoded, but after the first stop token: not part of the answer
  };
  State state = State::Masked;
  QString text;             // the token as a person reads it ("Ġthe" -> " the", "\n" -> "⏎")
  double confidence = 0.0;  // for New: probability of the chosen token (or the random score)
  int decoded_at = -1;      // the step it was decoded at; -1 while masked
};

struct CanvasFrame {
  int step = 0;
  std::vector<Chip> chips;               // one per answer position
  int block_begin = -1, block_end = -1;  // answer offsets of the current block
  std::vector<int> decode_rows;          // answer offsets whose logits this step computed
};

// One point of the accuracy-versus-throughput plot.
struct PlotPoint {
  QString label;  // strategy name
  double tokens_per_s = 0.0;
  double accuracy = 0.0;  // [0, 1]
};

}  // namespace cachelens::ui

// SPDX-License-Identifier: MIT
// One column's run as the UI keeps it: the engine's StepEvents as they arrive and the final
// trace, turned into the plain frames the painting widgets draw, for any step (live or scrubbed).
#pragma once

#include <QString>
#include <vector>

#include "run_types.h"
#include "view_data.h"

namespace cachelens::ui {

// What the meters show at a step: live values while running, the summary's once finished.
struct ColumnMeters {
  int step = -1, steps_total = 0;
  int64_t nfe = 0;
  double elapsed_ms = 0.0, ms_per_step = 0.0, tokens_per_s = -1.0;
  double recompute_fraction = 0.0;  // recomputed (and V-only) layer-rows so far / all
  int decoded = 0, answer_positions = 0;
  bool finished = false;
  double speedup = -1.0, agreement = -1.0;  // against the `none` column; < 0 without one
  bool exact_match = false;
  int correct = -1;  // 1 / 0 against the expected answer; -1 without one
  QString answer;
};

class ColumnRun {
 public:
  ColumnRun() = default;
  ColumnRun(QString strategy, ModelSummaryPtr model, double drift_threshold);

  const QString& strategy() const { return strategy_; }
  void set_layout(const ColumnLayoutInfo& layout);
  void add_step(StepEventPtr event);
  void finish(TracePtr trace);

  int steps() const { return static_cast<int>(events_.size()); }
  bool has_layout() const { return layout_.positions > 0; }
  const TracePtr& trace() const { return trace_; }
  const SequenceLayout& layout() const { return layout_; }
  const StepEventPtr& event(int step) const { return events_.at(static_cast<size_t>(step)); }

  // Frames for step `step`, clamped to the steps there are (columns can differ in length).
  // `cumulative` adds the share of steps 0..step that recomputed each cell (a walk over every
  // step so far, so it is only done when the cumulative view shows it).
  HeatmapFrame heatmap_frame(int step, bool cumulative = true) const;
  CanvasFrame canvas_frame(int step) const;
  ColumnMeters meters(int step) const;
  int clamp(int step) const;

 private:
  QString strategy_;
  ModelSummaryPtr model_;
  double drift_threshold_ = -1.0;
  SequenceLayout layout_;
  std::vector<StepEventPtr> events_;
  TracePtr trace_;
};

}  // namespace cachelens::ui

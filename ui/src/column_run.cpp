// SPDX-License-Identifier: MIT
#include "column_run.h"

#include <QObject>
#include <algorithm>

namespace cachelens::ui {

ColumnRun::ColumnRun(QString strategy, ModelSummaryPtr model, double drift_threshold)
    : strategy_(std::move(strategy)), model_(std::move(model)), drift_threshold_(drift_threshold) {}

void ColumnRun::set_layout(const ColumnLayoutInfo& info) {
  layout_.positions = info.positions;
  layout_.layers = info.layers;
  layout_.prompt_length = info.prompt_length;
  layout_.image_begin = info.image_begin;
  layout_.image_end = info.image_end;
  layout_.position_labels = info.labels;
  for (int a = 0; info.prompt_length + a < info.positions; ++a) {
    layout_.position_labels << QObject::tr("answer %1").arg(a);
  }
}

void ColumnRun::add_step(StepEventPtr event) {
  events_.push_back(std::move(event));
}
void ColumnRun::finish(TracePtr trace) {
  trace_ = std::move(trace);
}

int ColumnRun::clamp(int step) const {
  if (events_.empty()) return -1;
  return std::clamp(step, 0, steps() - 1);
}

HeatmapFrame ColumnRun::heatmap_frame(int step, bool cumulative) const {
  HeatmapFrame frame;
  step = clamp(step);
  if (step < 0) return frame;
  const StepEvent& e = *events_[static_cast<size_t>(step)];
  const int layers = static_cast<int>(e.cells.layers());
  const int positions = static_cast<int>(e.cells.positions());
  frame.step = step;
  frame.cells.assign(static_cast<size_t>(layers) * positions, 0);
  if (cumulative) frame.recompute_share.assign(frame.cells.size(), 0.0f);
  for (int l = 0; l < layers; ++l) {
    int64_t p = 0;
    for (const CellRun& run : e.cells.runs(l)) {
      std::fill_n(frame.cells.begin() + int64_t(l) * positions + p, run.length,
                  static_cast<uint8_t>(run.state));
      p += run.length;
    }
  }
  // The cumulative view walks the run-length runs of every step so far: cheap even for the real
  // model's 32 x 3800 map, so scrubbing needs no stored prefix sums.
  for (int s = 0; cumulative && s <= step; ++s) {
    const RecomputeMap& map = events_[static_cast<size_t>(s)]->cells;
    if (map.layers() != layers || map.positions() != positions) continue;
    for (int l = 0; l < layers; ++l) {
      float* row = frame.recompute_share.data() + int64_t(l) * positions;
      int64_t p = 0;
      for (const CellRun& run : map.runs(l)) {
        const float add = run.state == CellState::Recomputed ? 1.0f
                          : run.state == CellState::Partial  ? 0.5f
                                                             : 0.0f;
        if (add > 0) {
          for (int64_t i = p; i < p + run.length; ++i) row[i] += add;
        }
        p += run.length;
      }
    }
  }
  const float steps_seen = static_cast<float>(step + 1);
  for (float& v : frame.recompute_share) v /= steps_seen;
  frame.drift = e.drift;
  frame.drift_threshold = drift_threshold_;
  frame.boundary_layer = static_cast<int>(e.boundary_layer);
  for (int64_t t : e.tracked) frame.tracked.push_back(static_cast<int>(t));
  const int answer_begin = positions - static_cast<int>(e.answer_ids.size());
  for (int64_t r : e.decode_rows) frame.decode_rows.push_back(answer_begin + static_cast<int>(r));
  frame.block_begin = answer_begin + static_cast<int>(e.block_begin);
  frame.block_end = answer_begin + static_cast<int>(e.block_end);
  frame.refresh = e.refresh;
  return frame;
}

CanvasFrame ColumnRun::canvas_frame(int step) const {
  CanvasFrame frame;
  step = clamp(step);
  if (step < 0) return frame;
  const StepEvent& e = *events_[static_cast<size_t>(step)];
  const size_t n = e.answer_ids.size();
  std::vector<int> decoded_at(n, -1);
  std::vector<double> confidence(n, 0.0);
  for (int s = 0; s <= step; ++s) {
    const StepEvent& past = *events_[static_cast<size_t>(s)];
    for (size_t i = 0; i < past.decoded_positions.size(); ++i) {
      const auto p = static_cast<size_t>(past.decoded_positions[i]);
      if (p >= n) continue;
      decoded_at[p] = s;
      if (i < past.decoded_confidences.size()) confidence[p] = past.decoded_confidences[i];
    }
  }
  const auto& texts = model_ ? model_->token_texts : nullptr;
  const int32_t mask = model_ ? model_->mask_id : -1;
  const int32_t stop = model_ ? model_->stop_id : -1;
  bool after_stop = false;
  frame.step = step;
  frame.chips.resize(n);
  for (size_t p = 0; p < n; ++p) {
    Chip& chip = frame.chips[p];
    const int32_t id = e.answer_ids[p];
    chip.decoded_at = decoded_at[p];
    chip.confidence = confidence[p];
    if (id == mask) {
      chip.state = Chip::State::Masked;
      continue;
    }
    if (texts && id >= 0 && static_cast<size_t>(id) < texts->size()) {
      chip.text = (*texts)[static_cast<size_t>(id)];
    }
    // Everything from the first decoded stop token on is not part of the answer.
    if (after_stop || id == stop) {
      chip.state = Chip::State::AfterStop;
      after_stop = true;
    } else {
      chip.state = decoded_at[p] == step ? Chip::State::New : Chip::State::Earlier;
    }
  }
  frame.block_begin = static_cast<int>(e.block_begin);
  frame.block_end = static_cast<int>(e.block_end);
  for (int64_t r : e.decode_rows) frame.decode_rows.push_back(static_cast<int>(r));
  return frame;
}

ColumnMeters ColumnRun::meters(int step) const {
  ColumnMeters m;
  step = clamp(step);
  if (step < 0) return m;
  const StepEvent& e = *events_[static_cast<size_t>(step)];
  m.step = step;
  m.steps_total = steps();
  m.nfe = e.nfe;
  m.elapsed_ms = e.elapsed_ms;
  m.ms_per_step = e.elapsed_ms / double(step + 1);
  int64_t done = 0, total = 0;
  for (int s = 0; s <= step; ++s) {
    const StepEvent& past = *events_[static_cast<size_t>(s)];
    done += past.recomputed_cells + past.partial_cells;
    total += past.total_cells;
  }
  m.recompute_fraction = total ? double(done) / double(total) : 0.0;
  m.answer_positions = static_cast<int>(e.answer_ids.size());
  for (int32_t id : e.answer_ids) m.decoded += (model_ && id == model_->mask_id) ? 0 : 1;
  // Whole-run numbers belong to the last step only; a scrubbed-back step shows live values.
  if (trace_ && step == steps() - 1) {
    const RunSummary& s = trace_->summary;
    m.finished = true;
    m.tokens_per_s = s.tokens_per_s;
    m.ms_per_step = s.ms_per_step;
    m.recompute_fraction = s.recompute_fraction;
    if (s.baseline.present) {
      m.speedup = s.baseline.speedup;
      m.agreement = s.baseline.token_agreement;
      m.exact_match = s.baseline.exact_match;
    }
    m.correct = s.correct;
    m.answer = QString::fromStdString(s.answer);
  }
  return m;
}

}  // namespace cachelens::ui

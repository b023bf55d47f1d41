// SPDX-License-Identifier: MIT
// One strategy's column: title, denoising canvas, cache heatmap, meters and answer, all showing
// the same step of its ColumnRun.
#pragma once

#include <QWidget>

#include "column_run.h"
#include "widgets/cache_heatmap.h"

class QLabel;

namespace cachelens::ui {

class DenoiseCanvas;
class MetersPanel;

class StrategyColumn : public QWidget {
  Q_OBJECT
 public:
  StrategyColumn(const QString& strategy, const QString& title, const QString& settings_text,
                 QWidget* parent = nullptr);
  const QString& strategy() const { return strategy_; }

  // Shows `step` of `run` (clamped to its steps); a null run clears the column.
  void showStep(const ColumnRun* run, int step);
  void setHeatmapMode(CacheHeatmap::Mode mode);
  void setStatus(const QString& text);  // "waiting", "stopped", an error...

  CacheHeatmap* heatmap() const { return heatmap_; }
  DenoiseCanvas* canvas() const { return canvas_; }
  MetersPanel* meters() const { return meters_; }
  QString answerText() const;

 private:
  QString strategy_;
  QLabel* status_ = nullptr;
  DenoiseCanvas* canvas_ = nullptr;
  CacheHeatmap* heatmap_ = nullptr;
  MetersPanel* meters_ = nullptr;
  QLabel* answer_ = nullptr;
  bool layout_set_ = false;
};

}  // namespace cachelens::ui

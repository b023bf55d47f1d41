// SPDX-License-Identifier: MIT
// CacheHeatmap: the layers x positions map of one denoising step (or of all steps so far), with the
// region bar, the current block, decode and tracked rows, Elastic's boundary and a per-layer drift
// strip. It draws cachelens::ui view data only.
#pragma once

#include <QImage>
#include <QWidget>
#include <cmath>
#include <limits>
#include <optional>

#include "palette.h"
#include "view_data.h"

namespace cachelens::ui {

class CacheHeatmap : public QWidget {
  Q_OBJECT

 public:
  enum class Mode { Step, Cumulative };

  explicit CacheHeatmap(QWidget* parent = nullptr);

  void setSequence(const SequenceLayout& layout);  // not setLayout: QWidget has one
  void setFrame(const HeatmapFrame& frame);
  void clearFrame();  // back to the "no step yet" state
  void setMode(Mode mode);
  // Keep the drift strip's room even without drift, so maps beside one that has it align.
  void setReserveDriftStrip(bool reserve);
  Mode mode() const { return mode_; }

  bool hasFrame() const { return has_frame_; }
  int frameStep() const { return has_frame_ ? frame_.step : -1; }

  // The widget's drawing at `size`, without the hover highlight (for PNG export and tests).
  QImage renderImage(const QSize& size) const;

  struct CellInfo {
    int layer = -1, position = -1;
    QString token;  // the row's label from SequenceLayout::position_labels
    Cell state = Cell::NotComputed;
    float share = 0;  // cumulative share of steps that recomputed the cell
    double drift = std::numeric_limits<double>::quiet_NaN();  // the layer's drift
    QString region;                                           // "image", "prompt" or "answer"
  };
  std::optional<CellInfo> cellAt(const QPoint& point) const;  // what hovering shows
  QString toolTipFor(const CellInfo& info) const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void cellHovered(int layer, int position);  // -1, -1 when the pointer leaves the map

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  struct Geometry;
  Geometry geometry(const QSize& size) const;
  void paint(QPainter& painter, const QSize& size, double device_ratio, bool hover) const;
  void paintEmpty(QPainter& painter, const Geometry& g, const QString& title,
                  const QString& detail) const;
  void paintHeader(QPainter& painter, const Geometry& g) const;
  void paintRegions(QPainter& painter, const Geometry& g) const;
  void paintMap(QPainter& painter, const Geometry& g, double device_ratio, bool hover) const;
  void paintMarkers(QPainter& painter, const Geometry& g) const;
  void paintLayerLabels(QPainter& painter, const Geometry& g) const;
  void paintAxis(QPainter& painter, const Geometry& g) const;
  void paintDrift(QPainter& painter, const Geometry& g) const;
  void paintLegend(QPainter& painter, const Geometry& g) const;
  const QImage& cellImage(int columns) const;
  bool valid() const;          // a frame whose cells match the sequence
  bool cumulative() const;     // cumulative mode with shares to draw
  bool hasDriftStrip() const;  // the strategy measures drift or has a threshold
  void setHovered(int layer, int position);
  void recount();  // the header's share; marks the image for a rebuild

  SequenceLayout layout_;
  HeatmapFrame frame_;
  bool has_frame_ = false;
  Mode mode_ = Mode::Step;
  bool reserve_drift_ = false;
  double recomputed_share_ = 0;  // of all cells in this frame, for the header
  int hover_layer_ = -1, hover_position_ = -1;

  // The map drawn one pixel per (binned) column, rebuilt only when the data or look changes.
  mutable QImage image_;
  mutable int image_columns_ = -1;
  mutable Theme image_theme_ = Theme::Light;
  mutable Mode image_mode_ = Mode::Step;
  mutable bool image_dirty_ = true;
};

}  // namespace cachelens::ui

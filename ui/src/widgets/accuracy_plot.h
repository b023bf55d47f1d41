// SPDX-License-Identifier: MIT
// AccuracyPlot: accuracy (0-100%) against throughput (tokens/s), one labelled point per strategy.
// Painted with QPainter; the app does not depend on QtCharts.
#pragma once

#include <QImage>
#include <QWidget>
#include <vector>

#include "view_data.h"

namespace cachelens::ui {

class AccuracyPlot : public QWidget {
  Q_OBJECT

 public:
  explicit AccuracyPlot(QWidget* parent = nullptr);

  void setPoints(const std::vector<PlotPoint>& points);
  const std::vector<PlotPoint>& points() const { return points_; }
  QImage renderImage(const QSize& size) const;  // the drawing at that size (for PNG export)

  QSize sizeHint() const override { return {520, 360}; }
  QSize minimumSizeHint() const override { return {280, 200}; }

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  struct Axes;
  Axes axes(const QSize& size) const;
  void paint(QPainter& painter, const QSize& size) const;

  std::vector<PlotPoint> points_;
};

}  // namespace cachelens::ui

// SPDX-License-Identifier: MIT
// DenoiseCanvas: the answer as it forms, one rounded chip per answer position (masked, decoded this
// step, decoded earlier, after the stop token), wrapped like text. It draws cachelens::ui data
// only.
#pragma once

#include <QRectF>
#include <QWidget>
#include <optional>
#include <vector>

#include "view_data.h"

namespace cachelens::ui {

class DenoiseCanvas : public QWidget {
  Q_OBJECT

 public:
  explicit DenoiseCanvas(QWidget* parent = nullptr);

  void setFrame(const CanvasFrame& frame);
  void clearFrame();
  bool hasFrame() const { return has_frame_; }
  int frameStep() const { return has_frame_ ? frame_.step : -1; }

  std::optional<int> chipAt(const QPoint& point) const;  // the answer offset under the point
  QString toolTipFor(int offset) const;
  QImage renderImage(const QSize& size) const;  // the drawing at that size, without hover

  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  struct Flow {
    int width = -1;
    std::vector<QRectF> chips;  // one per chip, in widget coordinates
    std::vector<int> lines;     // the line each chip sits on
    double legend_top = 0, height = 0;
  };
  const Flow& flow(int width) const;  // cached per width and frame
  Flow computeFlow(int width) const;
  void paint(QPainter& painter, const QSize& size, bool hover) const;
  void paintLegend(QPainter& painter, const Flow& f, int width) const;
  QString displayText(int offset) const;  // the token without its leading space

  CanvasFrame frame_;
  bool has_frame_ = false;
  int hover_ = -1;
  mutable Flow flow_;
  mutable bool flow_dirty_ = true;
  int last_height_ = -1;  // heightForWidth at the last frame
};

}  // namespace cachelens::ui

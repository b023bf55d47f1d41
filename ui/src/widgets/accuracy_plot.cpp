// SPDX-License-Identifier: MIT
// AccuracyPlot: axes with nice ticks, one point per strategy, and labels placed greedily so they
// neither overlap each other nor hide the points.
#include "widgets/accuracy_plot.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "palette.h"
#include "widgets/paint_util.h"

namespace cachelens::ui {
namespace {

constexpr double kRadius = 5;
constexpr double kLeader = kRadius + 5;  // labels farther than this get a leader line

// The point of a rectangle nearest to p.
QPointF nearest(const QRectF& r, const QPointF& p) {
  return {std::clamp(p.x(), r.left(), r.right()), std::clamp(p.y(), r.top(), r.bottom())};
}

// Distance from a point to the nearest edge of a rectangle (0 inside).
double distance(const QRectF& r, const QPointF& p) {
  return QLineF(p, nearest(r, p)).length();
}

// Distance from p to the segment a-b.
double segment_distance(const QPointF& p, const QPointF& a, const QPointF& b) {
  const QPointF ab = b - a;
  const double len2 = QPointF::dotProduct(ab, ab);
  const double t = len2 > 0 ? std::clamp(QPointF::dotProduct(p - a, ab) / len2, 0.0, 1.0) : 0.0;
  return QLineF(p, a + ab * t).length();
}

// Whether the segment a-b passes through the rectangle (sampled every 2 px: labels are larger).
bool crosses(const QPointF& a, const QPointF& b, const QRectF& r) {
  const int n = std::max(1, static_cast<int>(QLineF(a, b).length() / 2));
  for (int k = 0; k <= n; ++k) {
    if (r.contains(a + (b - a) * (static_cast<double>(k) / n))) return true;
  }
  return false;
}

// Places one label per point: tries spots around it, then further above, below and to the sides
// (drawn with a leader line), and takes the cheapest: inside the plot, over no other label, point
// or leader line, and never closer to another point than to its own unless a leader line shows
// whose it is. A greedy pass, then a few passes that re-place each label among all the others.
std::vector<QRectF> place_labels(const std::vector<QPointF>& centres,
                                 const std::vector<double>& widths, double h, const QRectF& plot) {
  const size_t n = centres.size();
  std::vector<QRectF> placed(n);
  std::vector<bool> done(n, false);
  const double gap = kRadius + 3;
  auto leader_of = [&](size_t j) {
    const QPointF anchor = nearest(placed[j], centres[j]);
    return QLineF(centres[j], anchor).length() > kLeader ? QLineF(centres[j], anchor) : QLineF();
  };
  auto cost_of = [&](size_t i, const QRectF& r) {
    const QPointF c = centres[i];
    const double own = distance(r, c);
    const bool leader = own > kLeader;
    const QPointF anchor = nearest(r, c);
    double cost = own * 0.5;  // prefer spots close to the point
    if (!plot.contains(r)) cost += 1000;
    for (size_t j = 0; j < n; ++j) {
      const double d = distance(r, centres[j]);
      if (d < kRadius + 1) cost += 100;  // covers a point
      if (j == i) continue;
      // A label nearer another point than its own would be read as that point's.
      if (!leader && d < own + 6) cost += 60;
      if (leader && segment_distance(centres[j], c, anchor) < kRadius + 2) cost += 100;
      if (!done[j]) continue;
      const QRectF o = r.intersected(placed[j].adjusted(-5, -1, 5, 1));  // keep labels apart
      cost += o.width() * o.height();
      if (leader && crosses(c, anchor, placed[j])) cost += 200;
      const QLineF other = leader_of(j);
      if (!other.isNull() && crosses(other.p1(), other.p2(), r)) cost += 200;
    }
    return cost;
  };
  for (int pass = 0; pass < 4; ++pass) {
    for (size_t i = 0; i < n; ++i) {
      const QPointF c = centres[i];
      const double w = widths[i];
      std::vector<QPointF> spots = {
          {c.x() + gap, c.y() - h / 2},         {c.x() - gap - w, c.y() - h / 2},
          {c.x() + gap - 2, c.y() - h - 2},     {c.x() + gap - 2, c.y() + 2},
          {c.x() - w / 2, c.y() - h - gap},     {c.x() - w / 2, c.y() + gap},
          {c.x() - gap - w + 2, c.y() - h - 2}, {c.x() - gap - w + 2, c.y() + 2}};
      for (int k = 1; k <= 5; ++k) {
        const double step = k * (h + 2);
        for (int sign : {-1, 1}) {
          spots.push_back({c.x() - w / 2, c.y() - h / 2 + sign * (h / 2 + gap + step)});
          spots.push_back({c.x() + gap + 4, c.y() - h / 2 + sign * step});
          spots.push_back({c.x() - gap - 4 - w, c.y() - h / 2 + sign * step});
        }
      }
      done[i] = false;  // judge the spots against every other label, not the old self
      double best_cost = pass == 0 ? 1e18 : cost_of(i, placed[i]);
      QRectF best = placed[i];
      for (const QPointF& spot : spots) {
        const QRectF r(spot, QSizeF(w, h));
        const double cost = cost_of(i, r);
        if (cost < best_cost - 1e-9) {
          best_cost = cost;
          best = r;
        }
      }
      placed[i] = best;
      done[i] = true;
    }
  }
  return placed;
}

QString tick_text(double value, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  return QString::number(value, 'f', decimals);
}

}  // namespace

struct AccuracyPlot::Axes {
  QRectF plot;
  double x_lo = 0, x_hi = 1, x_step = 0.2;
  double y_step = 20;  // percent

  QPointF at(double tokens_per_s, double accuracy) const {
    const double fx = (tokens_per_s - x_lo) / (x_hi - x_lo);
    const double fy = std::clamp(accuracy, 0.0, 1.0);
    return {plot.left() + fx * plot.width(), plot.bottom() - fy * plot.height()};
  }
};

AccuracyPlot::AccuracyPlot(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void AccuracyPlot::setPoints(const std::vector<PlotPoint>& points) {
  points_ = points;
  update();
}

AccuracyPlot::Axes AccuracyPlot::axes(const QSize& size) const {
  const QFontMetrics fm(font());
  Axes a;
  const double left = fm.height() + 8 + fm.horizontalAdvance(QStringLiteral("100%")) + 8;
  const double bottom = 2.0 * fm.height() + 14;
  a.plot = QRectF(left, fm.height() / 2.0 + 8, std::max(10.0, size.width() - left - 18),
                  std::max(10.0, size.height() - bottom - fm.height() / 2.0 - 8));

  double lo = 0, hi = 0;
  bool any = false;
  for (const auto& p : points_) {
    if (!std::isfinite(p.tokens_per_s)) continue;
    lo = any ? std::min(lo, p.tokens_per_s) : p.tokens_per_s;
    hi = any ? std::max(hi, p.tokens_per_s) : p.tokens_per_s;
    any = true;
  }
  if (!any || hi <= 0) {
    a.x_lo = 0;
    a.x_hi = 100;
    a.x_step = 20;
  } else {
    // Start at zero unless every point is far from it; then zoom to where they are.
    const double lo0 = lo > 0.5 * hi ? lo - 0.25 * std::max(hi - lo, 0.05 * hi) : 0;
    const double hi0 = hi + 0.08 * (hi - lo0);
    const int ticks = std::clamp(static_cast<int>(a.plot.width() / 80), 2, 8);
    a.x_step = nice_step(hi0 - lo0, ticks);
    a.x_lo = std::max(0.0, std::floor(lo0 / a.x_step) * a.x_step);
    a.x_hi = std::ceil(hi0 / a.x_step) * a.x_step;
    if (a.x_hi <= a.x_lo) a.x_hi = a.x_lo + a.x_step;
  }
  a.y_step = a.plot.height() >= 260 ? 10 : a.plot.height() >= 110 ? 20 : 50;
  return a;
}

QImage AccuracyPlot::renderImage(const QSize& size) const {
  QImage image(size.expandedTo(QSize(1, 1)), QImage::Format_ARGB32_Premultiplied);
  QPainter painter(&image);
  paint(painter, size);
  return image;
}

void AccuracyPlot::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  paint(painter, size());
}

void AccuracyPlot::paint(QPainter& painter, const QSize& size) const {
  const Palette& p = palette_for(current_theme());
  painter.fillRect(QRect(QPoint(0, 0), size), p.background);
  painter.setRenderHint(QPainter::Antialiasing, true);
  const QFontMetrics fm(font());
  const Axes a = axes(size);
  const QRectF& plot = a.plot;

  painter.fillRect(plot, p.panel);
  painter.setFont(font());

  // Grid and tick labels.
  for (int y = 0; y <= 100; y += static_cast<int>(a.y_step)) {
    const double py = a.at(a.x_lo, y / 100.0).y();
    painter.setPen(QPen(p.grid, 1));
    painter.drawLine(QPointF(plot.left(), py), QPointF(plot.right(), py));
    painter.setPen(p.muted_text);
    painter.drawText(QRectF(0, py - fm.height() / 2.0, plot.left() - 6, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("%1%").arg(y));
  }
  for (double x = a.x_lo; x <= a.x_hi + a.x_step * 1e-6; x += a.x_step) {
    const double px = a.at(x, 0).x();
    painter.setPen(QPen(p.grid, 1));
    painter.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()));
    painter.setPen(p.muted_text);
    const QString text = tick_text(x, a.x_step);
    const double w = fm.horizontalAdvance(text);
    painter.drawText(QRectF(px - w / 2 - 1, plot.bottom() + 4, w + 2, fm.height()), Qt::AlignCenter,
                     text);
  }
  painter.setPen(QPen(p.outline, 1));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(plot);

  // Axis titles.
  painter.setPen(p.text);
  painter.drawText(QRectF(plot.left(), plot.bottom() + 6 + fm.height(), plot.width(), fm.height()),
                   Qt::AlignCenter, tr("throughput (tokens/s)"));
  painter.save();
  painter.translate(4, plot.center().y());
  painter.rotate(-90);
  painter.drawText(QRectF(-plot.height() / 2, 0, plot.height(), fm.height()), Qt::AlignCenter,
                   tr("accuracy"));
  painter.restore();

  if (points_.empty()) {
    painter.setPen(p.muted_text);
    painter.drawText(plot.adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap,
                     tr("Run a benchmark to plot accuracy against tokens/s"));
    return;
  }

  // Points without a finite value are left out; the rest are kept inside the frame.
  std::vector<QPointF> centres;
  std::vector<double> widths;
  std::vector<QString> labels;
  for (const auto& pt : points_) {
    if (!std::isfinite(pt.tokens_per_s) || !std::isfinite(pt.accuracy)) continue;
    const QPointF c = a.at(pt.tokens_per_s, pt.accuracy);
    centres.push_back({std::clamp(c.x(), plot.left(), plot.right()), c.y()});
    widths.push_back(fm.horizontalAdvance(pt.label) + 2);
    labels.push_back(pt.label);
  }
  const std::vector<QRectF> placed = place_labels(centres, widths, fm.height(), plot);

  // Leader lines first, then points, then labels on top.
  for (size_t i = 0; i < centres.size(); ++i) {
    const QRectF& r = placed[i];
    const QPointF c = centres[i];
    const QPointF anchor = nearest(r, c);
    if (QLineF(c, anchor).length() > kLeader) {
      painter.setPen(QPen(p.muted_text, 1));
      painter.drawLine(c, anchor);
    }
  }
  for (const QPointF& c : centres) {
    painter.setPen(QPen(p.panel, 1.5));
    painter.setBrush(p.plot_series);
    painter.drawEllipse(c, kRadius, kRadius);
  }
  painter.setPen(p.text);
  for (size_t i = 0; i < centres.size(); ++i) {
    painter.drawText(placed[i], Qt::AlignLeft | Qt::AlignVCenter, labels[i]);
  }
}

void AccuracyPlot::mouseMoveEvent(QMouseEvent* event) {
  const Axes a = axes(size());
  const QPointF pos = event->position();
  int nearest = -1;
  double nearest_d = 10;
  for (size_t i = 0; i < points_.size(); ++i) {
    const double d = QLineF(pos, a.at(points_[i].tokens_per_s, points_[i].accuracy)).length();
    if (d < nearest_d) {
      nearest_d = d;
      nearest = static_cast<int>(i);
    }
  }
  if (nearest >= 0) {
    const PlotPoint& pt = points_[nearest];
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("%1 · accuracy %2% · %3 tokens/s")
                           .arg(pt.label)
                           .arg(100.0 * pt.accuracy, 0, 'f', 1)
                           .arg(pt.tokens_per_s, 0, 'f', 1),
                       this);
  } else {
    QToolTip::hideText();
  }
  QWidget::mouseMoveEvent(event);
}

}  // namespace cachelens::ui

// SPDX-License-Identifier: MIT
// CacheHeatmap: paints the cache map from a one-pixel-per-cell image scaled without smoothing, so
// a 32 x 3800 map of the real model repaints at animation rates, and draws the markers around it.
#include "widgets/cache_heatmap.h"

#include "widgets/paint_util.h"

#include <QCursor>
#include <QEvent>
#include <QFontMetrics>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <vector>

namespace cachelens::ui {
namespace {

constexpr int kPad = 8;
constexpr int kTrackedLane = 10;
constexpr int kDecodeLane = 8;
constexpr int kDriftGap = 14;
constexpr int kLegendGap = 16;

// A binned column shows its most "worked" cell, so a lone recomputed row never disappears.
int rank(uint8_t state) {
  switch (static_cast<Cell>(state)) {
    case Cell::Recomputed:
      return 4;
    case Cell::Partial:
      return 3;
    case Cell::Reused:
      return 2;
    case Cell::OffWindow:
      return 1;
    default:
      return 0;
  }
}

struct LegendItem {
  enum class Kind { Swatch, Block, Tick, Triangle, Boundary, Threshold, Ramp, Note } kind;
  QColor color;
  QString text;
};

int legend_item_width(const LegendItem& item, const QFontMetrics& fm) {
  switch (item.kind) {
    case LegendItem::Kind::Note:
      return fm.horizontalAdvance(item.text);
    case LegendItem::Kind::Ramp:
      return fm.horizontalAdvance(item.text) + 6 + fm.horizontalAdvance(QStringLiteral("0%")) + 4 +
             90 + 4 + fm.horizontalAdvance(QStringLiteral("100%"));
    default:
      return 16 + 6 + fm.horizontalAdvance(item.text);
  }
}

// Flows legend items like words; returns each item's top-left and the total height.
int flow_legend(const std::vector<LegendItem>& items, int width, const QFontMetrics& fm,
                std::vector<QPoint>* positions) {
  const int row_height = fm.height() + 4;
  int x = 0, y = 0;
  for (const auto& item : items) {
    const int w = legend_item_width(item, fm);
    if (x > 0 && x + w > width) {
      x = 0;
      y += row_height;
    }
    if (positions) positions->push_back({x, y});
    x += w + kLegendGap;
  }
  return items.empty() ? 0 : y + row_height;
}

QString percent(double share) {
  return QString::number(100.0 * share, 'f', 1) + QLatin1Char('%');
}

}  // namespace

struct CacheHeatmap::Geometry {
  QFont font, small, bold;
  int line = 0;  // small font height
  QRect header, regions, tracked, labels, decode, axis, drift, legend;
  QRectF map;
  double row_h = 0, col_w = 0;
  int rows_per_pixel = 1;  // > 1 when columns are binned

  double x_of(double position, int positions) const {
    return map.left() + position * map.width() / std::max(1, positions);
  }
};

CacheHeatmap::CacheHeatmap(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void CacheHeatmap::setSequence(const SequenceLayout& layout) {
  layout_ = layout;
  recount();
  updateGeometry();
  update();
}

void CacheHeatmap::setFrame(const HeatmapFrame& frame) {
  frame_ = frame;
  has_frame_ = true;
  recount();
  if (hover_layer_ >= 0 && QToolTip::isVisible() && underMouse()) {
    if (auto info = cellAt(mapFromGlobal(QCursor::pos()))) {
      QToolTip::showText(QCursor::pos(), toolTipFor(*info), this);
    }
  }
  update();
}

void CacheHeatmap::recount() {
  image_dirty_ = true;
  recomputed_share_ = 0;
  if (!valid()) return;
  double sum = 0;
  if (cumulative()) {
    for (float s : frame_.recompute_share) {
      if (s > 0) sum += std::min(static_cast<double>(s), 1.0);  // NaN counts as 0
    }
  } else {
    for (uint8_t c : frame_.cells) {
      if (c == static_cast<uint8_t>(Cell::Recomputed)) sum += 1;
      if (c == static_cast<uint8_t>(Cell::Partial)) sum += 0.5;  // V only is half the work
    }
  }
  recomputed_share_ = sum / static_cast<double>(frame_.cells.size());
}

void CacheHeatmap::clearFrame() {
  frame_ = HeatmapFrame{};
  has_frame_ = false;
  image_dirty_ = true;
  setHovered(-1, -1);
  update();
}

void CacheHeatmap::setReserveDriftStrip(bool reserve) {
  reserve_drift_ = reserve;
  update();
}

void CacheHeatmap::setMode(Mode mode) {
  if (mode_ == mode) return;
  mode_ = mode;
  recount();
  update();
}

bool CacheHeatmap::valid() const {
  return has_frame_ && layout_.layers > 0 && layout_.positions > 0 &&
         frame_.cells.size() ==
             static_cast<size_t>(layout_.layers) * static_cast<size_t>(layout_.positions);
}

bool CacheHeatmap::cumulative() const {
  return mode_ == Mode::Cumulative && frame_.recompute_share.size() == frame_.cells.size();
}

bool CacheHeatmap::hasDriftStrip() const {
  if (!valid()) return false;
  if (frame_.drift_threshold >= 0) return true;
  return std::any_of(frame_.drift.begin(), frame_.drift.end(),
                     [](double d) { return std::isfinite(d); });
}

CacheHeatmap::Geometry CacheHeatmap::geometry(const QSize& size) const {
  Geometry g;
  g.font = font();
  g.small = small_font(g.font);
  g.bold = g.font;
  g.bold.setBold(true);
  const QFontMetrics fm(g.font), sm(g.small);
  g.line = sm.height();
  const bool ok = valid();
  const int layers = ok ? layout_.layers : 0;

  const int left = kPad, right = size.width() - kPad;
  int y = kPad / 2;
  g.header = QRect(left, y, right - left, fm.height() + 6);
  y = g.header.bottom() + 1 + 4;

  const QString widest = QStringLiteral("L") + QString::number(std::max(10, layers - 1));
  const int labels_w = sm.horizontalAdvance(widest) + 12;
  const int map_left = left + labels_w + 4;
  int map_right = right;
  const int drift_w = std::clamp(size.width() / 6, 96, 132);
  // Columns side by side keep one x axis: a column without drift leaves the strip's room empty
  // when another column has one (setReserveDriftStrip).
  if (hasDriftStrip() || reserve_drift_) map_right = right - drift_w - kDriftGap;
  const int map_w = std::max(0, map_right - map_left);

  g.regions = QRect(map_left, y, map_w, g.line + 4);
  y = g.regions.bottom() + 1 + 2;
  g.tracked = QRect(map_left, y, map_w, kTrackedLane);
  const int map_top = g.tracked.bottom() + 1;

  // Legend: reserve room for every item this kind of strategy can show, so the map does not jump
  // when a marker appears for one step.
  const int positions = ok ? layout_.positions : 0;
  g.rows_per_pixel = map_w > 0 && positions > map_w ? (positions + map_w - 1) / map_w : 1;
  std::vector<LegendItem> reserve;
  const Palette& p = palette_for(current_theme());
  if (ok && cumulative()) {
    reserve.push_back({LegendItem::Kind::Ramp, {}, QStringLiteral("share of steps recomputed")});
    reserve.push_back({LegendItem::Kind::Swatch, p.panel, cell_name(Cell::NotComputed)});
  } else {
    for (int c = 0; c < 5; ++c) {
      reserve.push_back({LegendItem::Kind::Swatch, p.cells[c], cell_name(static_cast<Cell>(c))});
    }
  }
  if (ok) {
    reserve.push_back({LegendItem::Kind::Block, {}, QStringLiteral("current block")});
    reserve.push_back({LegendItem::Kind::Tick, {}, QStringLiteral("rows decoded this step")});
    // Tracked rows and the boundary come with the drift test (Elastic).
    if (hasDriftStrip() || !frame_.tracked.empty()) {
      reserve.push_back({LegendItem::Kind::Triangle, {}, QStringLiteral("tracked rows")});
    }
    if (hasDriftStrip() || frame_.boundary_layer >= 0) {
      reserve.push_back({LegendItem::Kind::Boundary,
                         {},
                         QStringLiteral("boundary: L99 onward recomputed in full")});
    }
    if (hasDriftStrip()) {
      reserve.push_back({LegendItem::Kind::Threshold,
                         {},
                         QStringLiteral("drift threshold 0.000 (below: drifted)")});
    }
    if (g.rows_per_pixel > 1) {
      reserve.push_back({LegendItem::Kind::Note,
                         {},
                         QStringLiteral("1 px ≈ 999 rows, showing the most recomputed")});
    }
  }
  const int legend_h = flow_legend(reserve, right - left, sm, nullptr);

  const int bottom_chrome = kDecodeLane + g.line + 2 + 8 + legend_h + kPad / 2;
  const int map_h = std::max(0, size.height() - bottom_chrome - map_top);
  g.map = QRectF(map_left, map_top, map_w, map_h);
  g.decode = QRect(map_left, map_top + map_h, map_w, kDecodeLane);
  g.axis = QRect(map_left, g.decode.bottom() + 1, map_w, g.line + 2);
  g.legend = QRect(left, g.axis.bottom() + 1 + 8, right - left, legend_h);
  g.labels = QRect(left, map_top, labels_w, map_h);
  if (hasDriftStrip()) {
    g.drift =
        QRect(right - drift_w, g.regions.top(), drift_w, g.axis.bottom() - g.regions.top() + 1);
  }
  if (ok) {
    g.row_h = map_h / static_cast<double>(layers);
    g.col_w = map_w / static_cast<double>(positions);
  }
  return g;
}

QImage CacheHeatmap::renderImage(const QSize& size) const {
  QImage image(size.expandedTo(QSize(1, 1)), QImage::Format_ARGB32_Premultiplied);
  image.fill(palette_for(current_theme()).background);
  QPainter painter(&image);
  paint(painter, size, 1.0, false);
  return image;
}

void CacheHeatmap::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  paint(painter, size(), devicePixelRatioF(), true);
}

void CacheHeatmap::paint(QPainter& painter, const QSize& size, double device_ratio,
                         bool hover) const {
  const Palette& p = palette_for(current_theme());
  painter.fillRect(QRect(QPoint(0, 0), size), p.background);
  painter.setRenderHint(QPainter::Antialiasing, true);
  painter.setRenderHint(QPainter::TextAntialiasing, true);
  const Geometry g = geometry(size);
  if (!has_frame_) {
    paintEmpty(painter, g, tr("No step yet"),
               tr("Run a strategy to see which layers recompute which rows at each step."));
    return;
  }
  if (!valid()) {
    paintEmpty(painter, g, tr("No cache map for this step"),
               tr("The frame does not match the sequence (%1 cells for %2 layers × %3 rows).")
                   .arg(frame_.cells.size())
                   .arg(layout_.layers)
                   .arg(layout_.positions));
    return;
  }
  paintHeader(painter, g);
  paintRegions(painter, g);
  if (g.map.width() >= 2 && g.map.height() >= 2) {
    paintMap(painter, g, device_ratio, hover);
    paintMarkers(painter, g);
    paintLayerLabels(painter, g);
    paintAxis(painter, g);
    if (!g.drift.isEmpty()) paintDrift(painter, g);
  }
  paintLegend(painter, g);
}

void CacheHeatmap::paintEmpty(QPainter& painter, const Geometry& g, const QString& title,
                              const QString& detail) const {
  const Palette& p = palette_for(current_theme());
  const QRectF box = QRectF(g.labels.left(), g.regions.top(), g.map.right() - g.labels.left(),
                            g.axis.bottom() - g.regions.top())
                         .adjusted(0.5, 0.5, -0.5, -0.5);
  if (box.width() > 4 && box.height() > 4) {
    painter.setPen(QPen(p.outline, 1, Qt::DashLine));
    painter.setBrush(p.panel);
    painter.drawRoundedRect(box, 6, 6);
    const QFontMetrics fm(g.bold);
    const QRectF inner = box.adjusted(12, 8, -12, -8);
    painter.setFont(g.bold);
    painter.setPen(p.muted_text);
    const double mid = inner.center().y();
    painter.drawText(QRectF(inner.left(), mid - fm.height(), inner.width(), fm.height()),
                     Qt::AlignCenter, title);
    painter.setFont(g.small);
    painter.drawText(QRectF(inner.left(), mid + 2, inner.width(), inner.bottom() - mid - 2),
                     Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, detail);
  }
  paintLegend(painter, g);
}

void CacheHeatmap::paintHeader(QPainter& painter, const Geometry& g) const {
  const Palette& p = palette_for(current_theme());
  const QFontMetrics fm(g.font), bm(g.bold), sm(g.small);
  const QRect r = g.header;
  int x = r.left();
  const QString step = tr("Step %1").arg(frame_.step + 1);  // shown 1-based, as in the timeline
  painter.setFont(g.bold);
  painter.setPen(p.text);
  painter.drawText(QRect(x, r.top(), bm.horizontalAdvance(step) + 1, r.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, step);
  x += bm.horizontalAdvance(step);

  QString what;
  if (mode_ == Mode::Cumulative && !cumulative()) {
    what = tr(" · this step (no cumulative data)");
  } else if (cumulative()) {
    what = tr(" · cumulative over steps 1–%1").arg(frame_.step + 1);
  } else {
    what = tr(" · this step");
  }
  painter.setFont(g.font);
  painter.setPen(p.muted_text);
  painter.drawText(QRect(x, r.top(), fm.horizontalAdvance(what) + 1, r.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, what);
  x += fm.horizontalAdvance(what) + 10;

  if (frame_.refresh) {
    // The badge uses the recomputed colour: a refresh recomputes every cache.
    const QString text = tr("↻ refresh");
    const QRectF badge(x, r.top() + 2, sm.horizontalAdvance(text) + 14, r.height() - 4);
    painter.setPen(Qt::NoPen);
    painter.setBrush(p.cell(Cell::Recomputed));
    painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2);
    painter.setFont(g.small);
    painter.setPen(QColor(0x1C, 0x1D, 0x1F));  // dark text reads on orange in both themes
    painter.drawText(badge, Qt::AlignCenter, text);
    x = static_cast<int>(badge.right()) + 10;
  }

  const QString share = cumulative()
                            ? tr("%1 of cell-steps recomputed").arg(percent(recomputed_share_))
                            : tr("%1 of layer × rows recomputed").arg(percent(recomputed_share_));
  const int room = r.right() - x;
  // In a narrow column the long wording does not fit; the short one keeps the number whole
  // instead of eliding it away.
  const QString brief = tr("%1 recomputed").arg(percent(recomputed_share_));
  const QString text = fm.horizontalAdvance(share) <= room   ? share
                       : fm.horizontalAdvance(brief) <= room ? brief
                                                             : percent(recomputed_share_);
  if (room > 40) {
    painter.setFont(g.font);
    painter.setPen(p.muted_text);
    painter.drawText(QRect(x, r.top(), room, r.height()), Qt::AlignRight | Qt::AlignVCenter,
                     fm.elidedText(text, Qt::ElideLeft, room));
  }
}

void CacheHeatmap::paintRegions(QPainter& painter, const Geometry& g) const {
  const Palette& p = palette_for(current_theme());
  const int n = layout_.positions;
  const int prompt = std::clamp(layout_.prompt_length, 0, n);
  int image_begin = std::clamp(layout_.image_begin, 0, prompt);
  int image_end = std::clamp(layout_.image_end, image_begin, prompt);
  if (layout_.image_begin < 0) image_begin = image_end = 0;
  struct Span {
    int begin, end;
    QColor color;
    QString long_label, short_label;
  };
  const Span spans[] = {
      {0, image_begin, p.prompt_region, tr("prompt"), tr("prompt")},
      {image_begin, image_end, p.image_region, tr("image · %1 rows").arg(image_end - image_begin),
       tr("image")},
      {image_end, prompt, p.prompt_region, tr("prompt · %1 rows").arg(prompt - image_end),
       tr("prompt")},
      {prompt, n, p.answer_region, tr("answer · %1 rows").arg(n - prompt), tr("answer")},
  };
  const QFontMetrics sm(g.small);
  painter.setFont(g.small);
  for (const Span& s : spans) {
    if (s.end <= s.begin) continue;
    const double x0 = g.x_of(s.begin, n), x1 = g.x_of(s.end, n);
    const QRectF r(x0 + 0.5, g.regions.top(), std::max(1.0, x1 - x0 - 1), g.regions.height());
    painter.setPen(Qt::NoPen);
    painter.setBrush(s.color);
    painter.drawRoundedRect(r, 3, 3);
    QString label;
    if (sm.horizontalAdvance(s.long_label) + 8 <= r.width()) {
      label = s.long_label;
    } else if (sm.horizontalAdvance(s.short_label) + 8 <= r.width()) {
      label = s.short_label;
    }
    if (!label.isEmpty()) {
      painter.setPen(p.text);
      painter.drawText(r.adjusted(4, 0, -4, 0), Qt::AlignLeft | Qt::AlignVCenter, label);
    }
  }
}

const QImage& CacheHeatmap::cellImage(int columns) const {
  const Theme theme = current_theme();
  if (!image_dirty_ && columns == image_columns_ && theme == image_theme_ && mode_ == image_mode_) {
    return image_;
  }
  const Palette& p = palette_for(theme);
  const int layers = layout_.layers, positions = layout_.positions;
  const bool cum = cumulative();
  QRgb lut[5];
  for (int i = 0; i < 5; ++i) lut[i] = p.cells[i].rgb();
  image_ = QImage(columns, layers, QImage::Format_RGB32);
  for (int l = 0; l < layers; ++l) {
    auto* out = reinterpret_cast<QRgb*>(image_.scanLine(l));
    const size_t row = static_cast<size_t>(l) * positions;
    for (int c = 0; c < columns; ++c) {
      const int begin = static_cast<int>(static_cast<int64_t>(c) * positions / columns);
      const int end =
          std::max(begin + 1, static_cast<int>(static_cast<int64_t>(c + 1) * positions / columns));
      int best = begin;
      float best_share = -1;
      bool all_uncomputed = true;
      for (int i = begin; i < end; ++i) {
        const uint8_t state = frame_.cells[row + i];
        if (state != static_cast<uint8_t>(Cell::NotComputed)) all_uncomputed = false;
        if (cum) {
          if (frame_.recompute_share[row + i] > best_share) {
            best_share = frame_.recompute_share[row + i];
          }
        } else if (rank(state) > rank(frame_.cells[row + best])) {
          best = i;
        }
      }
      if (cum) {
        // Cells never computed have no cache at all: blank, apart from "never recomputed".
        out[c] =
            all_uncomputed && best_share <= 0 ? p.panel.rgb() : p.share_color(best_share).rgb();
      } else {
        const uint8_t state = frame_.cells[row + best];
        out[c] = lut[state < 5 ? state : 0];
      }
    }
  }
  image_columns_ = columns;
  image_theme_ = theme;
  image_mode_ = mode_;
  image_dirty_ = false;
  return image_;
}

void CacheHeatmap::paintMap(QPainter& painter, const Geometry& g, double device_ratio,
                            bool hover) const {
  const Palette& p = palette_for(current_theme());
  const int layers = layout_.layers, positions = layout_.positions;
  const int columns =
      std::clamp(static_cast<int>(std::ceil(g.map.width() * device_ratio)), 1, positions);
  painter.save();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  painter.setRenderHint(QPainter::Antialiasing, false);
  painter.drawImage(g.map, cellImage(columns));

  // Thin gaps between cells when they are big enough to read as tiles.
  QColor gap = p.background;
  gap.setAlpha(170);
  painter.setPen(QPen(gap, 1));
  if (g.row_h >= 7) {
    for (int l = 1; l < layers; ++l) {
      const int y = static_cast<int>(std::round(g.map.top() + l * g.row_h));
      painter.drawLine(QPointF(g.map.left(), y - 0.5), QPointF(g.map.right(), y - 0.5));
    }
  }
  if (g.col_w >= 6) {
    for (int c = 1; c < positions; ++c) {
      const int x = static_cast<int>(std::round(g.x_of(c, positions)));
      painter.drawLine(QPointF(x - 0.5, g.map.top()), QPointF(x - 0.5, g.map.bottom()));
    }
  }
  painter.setPen(QPen(p.outline, 1));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(g.map.adjusted(-0.5, -0.5, 0.5, 0.5));
  painter.restore();

  if (hover && hover_layer_ >= 0 && hover_layer_ < layers && hover_position_ >= 0 &&
      hover_position_ < positions) {
    QRectF cell(g.x_of(hover_position_, positions), g.map.top() + hover_layer_ * g.row_h,
                std::max(g.col_w, 1.0), g.row_h);
    const QPointF c = cell.center();
    cell.setWidth(std::max(cell.width(), 6.0));
    cell.setHeight(std::max(cell.height(), 6.0));
    cell.moveCenter(c);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(p.background, 3.5));
    painter.drawRect(cell);
    painter.setPen(QPen(p.text, 1.5));
    painter.drawRect(cell);
  }
}

void CacheHeatmap::paintMarkers(QPainter& painter, const Geometry& g) const {
  const Palette& p = palette_for(current_theme());
  const int positions = layout_.positions, layers = layout_.layers;

  // The current block: a dark (light, in the dark theme) frame with a halo so it reads on any cell.
  const int b0 = std::clamp(frame_.block_begin, 0, positions);
  const int b1 = std::clamp(frame_.block_end, 0, positions);
  if (frame_.block_begin >= 0 && b1 > b0) {
    QRectF r(g.x_of(b0, positions), g.map.top(), g.x_of(b1, positions) - g.x_of(b0, positions),
             g.map.height());
    if (r.width() < 4) r.adjust(-(4 - r.width()) / 2, 0, (4 - r.width()) / 2, 0);
    // The frame sits just outside the block's cells, with a hairline gap, so their colour shows.
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(p.background, 1));
    painter.drawRect(r.adjusted(-0.5, -0.5, 0.5, 0.5));
    painter.setPen(QPen(p.block_outline, 2));
    painter.drawRect(r.adjusted(-2, -2, 2, 2));
  }

  // Boundary: a dashed line on the top edge of the first fully recomputed layer, across the map
  // and the drift strip.
  if (frame_.boundary_layer >= 0 && frame_.boundary_layer < layers) {
    const double y = std::round(g.map.top() + frame_.boundary_layer * g.row_h);
    const double x1 = g.drift.isEmpty() ? g.map.right() : g.drift.right();
    painter.setPen(QPen(p.background, 4));
    painter.drawLine(QPointF(g.map.left(), y), QPointF(g.map.right(), y));
    QPen dash(p.boundary, 2, Qt::CustomDashLine);
    dash.setDashPattern({4, 2.5});
    painter.setPen(dash);
    painter.drawLine(QPointF(g.map.left() - 4, y), QPointF(x1, y));
  }

  // Tracked rows: small triangles pointing down at their columns.
  painter.setPen(Qt::NoPen);
  painter.setBrush(p.tracked);
  for (int row : frame_.tracked) {
    if (row < 0 || row >= positions) continue;
    const double cx = g.x_of(row + 0.5, positions);
    const double top = g.tracked.top() + 1, bottom = g.tracked.bottom() - 1;
    const QPointF tri[3] = {{cx - 4.5, top}, {cx + 4.5, top}, {cx, bottom}};
    painter.drawPolygon(tri, 3);
  }

  // Decode rows: ticks under the map.
  painter.setBrush(p.decode_row);
  for (int row : frame_.decode_rows) {
    if (row < 0 || row >= positions) continue;
    const double x0 = g.x_of(row, positions), x1 = g.x_of(row + 1, positions);
    double w = x1 - x0 > 3 ? x1 - x0 - 1 : 2;
    const double cx = (x0 + x1) / 2;
    painter.drawRect(QRectF(cx - w / 2, g.decode.top() + 2, w, g.decode.height() - 3));
  }
}

void CacheHeatmap::paintLayerLabels(QPainter& painter, const Geometry& g) const {
  const Palette& p = palette_for(current_theme());
  const int layers = layout_.layers;
  int every = 1;
  while (every < layers && g.row_h * every < g.line * 0.95) every *= 2;
  painter.setFont(g.small);
  const QFontMetrics sm(g.small);
  const int boundary =
      frame_.boundary_layer >= 0 && frame_.boundary_layer < layers ? frame_.boundary_layer : -1;
  auto centre = [&](int l) { return g.map.top() + (l + 0.5) * g.row_h; };
  painter.setPen(p.muted_text);
  for (int l = 0; l < layers; l += every) {
    if (boundary >= 0 && l != boundary && std::abs(centre(l) - centre(boundary)) < g.line) continue;
    if (l == boundary) continue;
    const QRectF r(g.labels.left(), centre(l) - g.line / 2.0, g.labels.width() - 4, g.line);
    painter.drawText(r, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("L%1").arg(l));
  }
  if (boundary >= 0) {
    // The boundary layer's label becomes a pill in the boundary colour.
    const QString text = QStringLiteral("L%1").arg(boundary);
    const double w = sm.horizontalAdvance(text) + 8, h = std::min<double>(g.line + 2, 18);
    const QRectF pill(g.labels.right() - 2 - w, centre(boundary) - h / 2, w, h);
    painter.setPen(Qt::NoPen);
    painter.setBrush(p.boundary);
    painter.drawRoundedRect(pill, h / 2, h / 2);
    painter.setPen(p.background);
    painter.drawText(pill, Qt::AlignCenter, text);
  }
}

void CacheHeatmap::paintAxis(QPainter& painter, const Geometry& g) const {
  const Palette& p = palette_for(current_theme());
  const int positions = layout_.positions;
  const QFontMetrics sm(g.small);
  const double step =
      std::max(1.0, nice_step(positions, std::max(2, static_cast<int>(g.map.width() / 70))));
  painter.setFont(g.small);
  double last_right = -1e9;
  for (double t = 0; t < positions; t += step) {
    const double x = g.x_of(t + 0.5, positions);
    const QString text = QString::number(static_cast<int>(t));
    const double w = sm.horizontalAdvance(text);
    double left = std::clamp(x - w / 2, g.map.left(), g.map.right() - w);
    if (left < last_right + 6) continue;
    painter.setPen(QPen(p.outline, 1));
    painter.drawLine(QPointF(x, g.axis.top()), QPointF(x, g.axis.top() + 2));
    painter.setPen(p.muted_text);
    painter.drawText(QRectF(left, g.axis.top() + 1, w + 1, g.line), Qt::AlignLeft, text);
    last_right = left + w;
  }
}

void CacheHeatmap::paintDrift(QPainter& painter, const Geometry& g) const {
  const Palette& p = palette_for(current_theme());
  const int layers = layout_.layers;
  const QFontMetrics sm(g.small);
  const QRect strip = g.drift;
  const double threshold = frame_.drift_threshold;

  painter.setFont(g.small);
  painter.setPen(p.text);
  painter.drawText(QRect(strip.left(), g.regions.top(), strip.width(), g.regions.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, tr("drift per layer"));

  std::vector<double> values(layers, std::numeric_limits<double>::quiet_NaN());
  double lo = threshold >= 0 ? threshold : 1.0, hi = 1.0;
  bool any = false;
  for (int l = 0; l < layers && l < static_cast<int>(frame_.drift.size()); ++l) {
    values[l] = frame_.drift[l];
    if (!std::isfinite(values[l])) continue;
    any = true;
    lo = std::min(lo, values[l]);
    hi = std::max(hi, values[l]);
  }
  lo = std::floor((lo - 0.02) / 0.05) * 0.05;
  if (hi - lo < 0.1) lo = hi - 0.1;

  const int value_w = sm.horizontalAdvance(QStringLiteral("0.000"));
  const double sx0 = strip.left() + 5, sx1 = strip.right() - value_w - 8;
  auto x_of = [&](double v) { return sx0 + (v - lo) / (hi - lo) * (sx1 - sx0); };

  // A light band behind the scale so the strip reads as its own small chart.
  painter.setPen(Qt::NoPen);
  painter.setBrush(p.panel);
  painter.drawRoundedRect(QRectF(sx0 - 4, g.map.top(), sx1 - sx0 + 8, g.map.height()), 3, 3);

  if (!any) {
    painter.setPen(p.muted_text);
    painter.drawText(QRectF(strip.left(), g.map.top(), strip.width(), g.map.height()),
                     Qt::AlignCenter | Qt::TextWordWrap, tr("no drift measured\nthis step"));
    return;
  }
  if (threshold >= 0) {
    QPen dash(p.drift_threshold, 1.5, Qt::CustomDashLine);
    dash.setDashPattern({3, 2});
    painter.setPen(dash);
    const double x = x_of(threshold);
    painter.drawLine(QPointF(x, g.map.top()), QPointF(x, g.map.bottom()));
  }
  const bool show_text = g.row_h >= g.line * 0.8;
  const double radius = std::clamp(g.row_h / 2 - 1, 2.0, 4.5);
  for (int l = 0; l < layers; ++l) {
    const double cy = g.map.top() + (l + 0.5) * g.row_h;
    painter.setPen(QPen(p.grid, 1));
    painter.drawLine(QPointF(sx0, cy), QPointF(sx1, cy));
    if (!std::isfinite(values[l])) {
      if (show_text) {
        painter.setPen(p.muted_text);
        painter.drawText(QRectF(sx1 + 6, cy - g.line / 2.0, value_w + 2, g.line),
                         Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("–"));
      }
      continue;
    }
    // Below the threshold the layer drifted: the strategy recomputes from there on.
    const bool drifted = threshold >= 0 && values[l] < threshold;
    const QColor color = drifted ? p.drift_threshold : p.drift_line;
    painter.setPen(QPen(p.background, 1));
    painter.setBrush(color);
    painter.drawEllipse(QPointF(x_of(values[l]), cy), radius, radius);
    if (show_text) {
      QFont f = g.small;
      f.setBold(drifted);
      painter.setFont(f);
      painter.setPen(drifted ? p.drift_threshold : p.text);
      painter.drawText(QRectF(sx1 + 6, cy - g.line / 2.0, value_w + 2, g.line),
                       Qt::AlignRight | Qt::AlignVCenter, QString::number(values[l], 'f', 3));
      painter.setFont(g.small);
    }
  }
  // Scale: both ends and the threshold under the strip.
  painter.setPen(p.muted_text);
  const QRectF axis(sx0 - 4, g.axis.top() + 1, sx1 - sx0 + 8, g.line);
  const QString lo_text = QString::number(lo, 'f', 2), hi_text = QString::number(hi, 'f', 2);
  painter.drawText(axis, Qt::AlignLeft | Qt::AlignTop, lo_text);
  painter.drawText(axis, Qt::AlignRight | Qt::AlignTop, hi_text);
  if (threshold >= 0) {
    const QString t = QString::number(threshold, 'f', 2);
    const double w = sm.horizontalAdvance(t);
    const double x = x_of(threshold) - w / 2;
    if (x > axis.left() + sm.horizontalAdvance(lo_text) + 3 &&
        x + w < axis.right() - sm.horizontalAdvance(hi_text) - 3) {
      painter.setPen(p.drift_threshold);
      painter.drawText(QRectF(x, axis.top(), w + 1, g.line), Qt::AlignLeft | Qt::AlignTop, t);
    }
  }
}

void CacheHeatmap::paintLegend(QPainter& painter, const Geometry& g) const {
  const Palette& p = palette_for(current_theme());
  std::vector<LegendItem> items;
  const bool ok = valid();
  if (ok && cumulative()) {
    items.push_back({LegendItem::Kind::Ramp, {}, tr("share of steps recomputed")});
    bool uncomputed = false;
    for (size_t i = 0; i < frame_.cells.size() && !uncomputed; ++i) {
      uncomputed = frame_.cells[i] == 0 && frame_.recompute_share[i] <= 0;
    }
    if (uncomputed) {
      items.push_back({LegendItem::Kind::Swatch, p.panel, cell_name(Cell::NotComputed)});
    }
  } else {
    // Recomputed and reused always; the rarer states only when this frame has them.
    bool present[5] = {false, true, true, false, false};
    if (ok) {
      for (uint8_t c : frame_.cells) present[c < 5 ? c : 0] = true;
    } else {
      std::fill(std::begin(present), std::end(present), true);
    }
    for (Cell c :
         {Cell::Recomputed, Cell::Partial, Cell::Reused, Cell::OffWindow, Cell::NotComputed}) {
      if (present[static_cast<int>(c)])
        items.push_back({LegendItem::Kind::Swatch, p.cell(c), cell_name(c)});
    }
  }
  if (ok) {
    if (frame_.block_begin >= 0 && frame_.block_end > frame_.block_begin) {
      items.push_back({LegendItem::Kind::Block, p.block_outline, tr("current block")});
    }
    if (!frame_.decode_rows.empty()) {
      items.push_back({LegendItem::Kind::Tick, p.decode_row, tr("rows decoded this step")});
    }
    if (!frame_.tracked.empty()) {
      items.push_back({LegendItem::Kind::Triangle, p.tracked, tr("tracked rows")});
    }
    if (frame_.boundary_layer >= 0 && frame_.boundary_layer < layout_.layers) {
      items.push_back({LegendItem::Kind::Boundary, p.boundary,
                       tr("boundary: L%1 onward recomputed in full").arg(frame_.boundary_layer)});
    }
    if (!g.drift.isEmpty() && frame_.drift_threshold >= 0) {
      items.push_back(
          {LegendItem::Kind::Threshold, p.drift_threshold,
           tr("drift threshold %1 (below: drifted)").arg(frame_.drift_threshold, 0, 'f', 2)});
    }
    if (g.rows_per_pixel > 1) {
      items.push_back({LegendItem::Kind::Note, p.muted_text,
                       tr("1 px ≈ %1 rows, showing the most recomputed").arg(g.rows_per_pixel)});
    }
  }
  const QFontMetrics sm(g.small);
  std::vector<QPoint> at;
  flow_legend(items, g.legend.width(), sm, &at);
  painter.setFont(g.small);
  const int row_h = sm.height() + 4;
  for (size_t i = 0; i < items.size(); ++i) {
    const LegendItem& item = items[i];
    const double x = g.legend.left() + at[i].x();
    const double cy = g.legend.top() + at[i].y() + row_h / 2.0;
    if (cy > g.legend.bottom() + row_h) break;  // more items than reserved: never draw off-widget
    double text_x = x + 22;
    painter.setBrush(Qt::NoBrush);
    switch (item.kind) {
      case LegendItem::Kind::Swatch:
        painter.setPen(QPen(p.outline, 1));
        painter.setBrush(item.color);
        painter.drawRoundedRect(QRectF(x + 2.5, cy - 5.5, 11, 11), 2, 2);
        break;
      case LegendItem::Kind::Block:
        painter.setPen(QPen(item.color, 2));
        painter.drawRect(QRectF(x + 2, cy - 6, 12, 12));
        break;
      case LegendItem::Kind::Tick:
        painter.setPen(Qt::NoPen);
        painter.setBrush(item.color);
        painter.drawRect(QRectF(x + 6, cy - 5, 3, 10));
        break;
      case LegendItem::Kind::Triangle: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(item.color);
        const QPointF tri[3] = {{x + 3, cy - 4}, {x + 12, cy - 4}, {x + 7.5, cy + 4}};
        painter.drawPolygon(tri, 3);
        break;
      }
      case LegendItem::Kind::Boundary:
      case LegendItem::Kind::Threshold: {
        QPen dash(item.color, 2, Qt::CustomDashLine);
        dash.setDashPattern({2.5, 1.5});
        painter.setPen(dash);
        if (item.kind == LegendItem::Kind::Boundary) {
          painter.drawLine(QPointF(x, cy), QPointF(x + 16, cy));
        } else {
          painter.drawLine(QPointF(x + 8, cy - 6), QPointF(x + 8, cy + 6));
        }
        break;
      }
      case LegendItem::Kind::Ramp: {
        painter.setPen(p.text);
        const double w0 = sm.horizontalAdvance(item.text);
        painter.drawText(QRectF(x, cy - row_h / 2.0, w0 + 1, row_h), Qt::AlignVCenter, item.text);
        double rx = x + w0 + 6;
        painter.setPen(p.muted_text);
        const double w1 = sm.horizontalAdvance(QStringLiteral("0%"));
        painter.drawText(QRectF(rx, cy - row_h / 2.0, w1 + 1, row_h), Qt::AlignVCenter,
                         QStringLiteral("0%"));
        rx += w1 + 4;
        QLinearGradient ramp(rx, 0, rx + 90, 0);
        for (int s = 0; s <= 8; ++s) ramp.setColorAt(s / 8.0, p.share_color(s / 8.0));
        painter.setPen(QPen(p.outline, 1));
        painter.setBrush(ramp);
        painter.drawRect(QRectF(rx + 0.5, cy - 5.5, 90, 11));
        painter.setPen(p.muted_text);
        painter.drawText(QRectF(rx + 94, cy - row_h / 2.0, 40, row_h), Qt::AlignVCenter,
                         QStringLiteral("100%"));
        continue;
      }
      case LegendItem::Kind::Note:
        text_x = x;
        break;
    }
    painter.setPen(item.kind == LegendItem::Kind::Note ? p.muted_text : p.text);
    painter.drawText(QRectF(text_x, cy - row_h / 2.0, sm.horizontalAdvance(item.text) + 2, row_h),
                     Qt::AlignLeft | Qt::AlignVCenter, item.text);
  }
}

std::optional<CacheHeatmap::CellInfo> CacheHeatmap::cellAt(const QPoint& point) const {
  if (!valid()) return std::nullopt;
  const Geometry g = geometry(size());
  if (g.map.width() < 1 || g.map.height() < 1 ||
      !g.map.contains(QPointF(point) + QPointF(0.5, 0.5))) {
    return std::nullopt;
  }
  const int positions = layout_.positions, layers = layout_.layers;
  const int position =
      std::clamp(static_cast<int>((point.x() + 0.5 - g.map.left()) * positions / g.map.width()), 0,
                 positions - 1);
  const int layer =
      std::clamp(static_cast<int>((point.y() + 0.5 - g.map.top()) / g.row_h), 0, layers - 1);
  CellInfo info;
  info.layer = layer;
  info.position = position;
  const size_t index = static_cast<size_t>(layer) * positions + position;
  const uint8_t state = frame_.cells[index];
  info.state = state < 5 ? static_cast<Cell>(state) : Cell::NotComputed;
  if (index < frame_.recompute_share.size()) info.share = frame_.recompute_share[index];
  if (layer < static_cast<int>(frame_.drift.size())) info.drift = frame_.drift[layer];
  if (position < layout_.position_labels.size()) info.token = layout_.position_labels[position];
  if (layout_.image_begin >= 0 && position >= layout_.image_begin && position < layout_.image_end) {
    info.region = QStringLiteral("image");
  } else if (position >= layout_.prompt_length) {
    info.region = QStringLiteral("answer");
  } else {
    info.region = QStringLiteral("prompt");
  }
  return info;
}

QString CacheHeatmap::toolTipFor(const CellInfo& info) const {
  QString where;
  if (info.region == QLatin1String("answer")) {
    where = tr("row %1 (answer %2)").arg(info.position).arg(info.position - layout_.prompt_length);
  } else {
    where = tr("row %1 (%2)").arg(info.position).arg(info.region);
  }
  QStringList parts = {tr("layer %1").arg(info.layer), where};
  if (!info.token.isEmpty()) {
    parts << (info.region == QLatin1String("image") ? info.token
                                                    : QStringLiteral("'%1'").arg(info.token));
  }
  parts << (cumulative() ? tr("this step: %1").arg(cell_name(info.state)) : cell_name(info.state));
  QString text = parts.join(QStringLiteral(" · "));
  if (std::isfinite(info.drift)) {
    text += tr("\ndrift at layer %1: %2").arg(info.layer).arg(info.drift, 0, 'f', 3);
    if (frame_.drift_threshold >= 0) {
      text += tr(" (threshold %1)").arg(frame_.drift_threshold, 0, 'f', 2);
    }
  }
  if (cumulative()) {
    text += tr("\nrecomputed in %1 of steps 1–%2").arg(percent(info.share)).arg(frame_.step + 1);
  }
  return text;
}

void CacheHeatmap::setHovered(int layer, int position) {
  if (layer == hover_layer_ && position == hover_position_) return;
  hover_layer_ = layer;
  hover_position_ = position;
  Q_EMIT cellHovered(layer, position);
  update();
}

void CacheHeatmap::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  if (auto info = cellAt(pos)) {
    setHovered(info->layer, info->position);
    QToolTip::showText(event->globalPosition().toPoint(), toolTipFor(*info), this);
  } else {
    if (hover_layer_ >= 0) QToolTip::hideText();
    setHovered(-1, -1);
  }
  QWidget::mouseMoveEvent(event);
}

void CacheHeatmap::leaveEvent(QEvent* event) {
  QToolTip::hideText();
  setHovered(-1, -1);
  QWidget::leaveEvent(event);
}

void CacheHeatmap::changeEvent(QEvent* event) {
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange ||
      event->type() == QEvent::StyleChange) {
    image_dirty_ = true;
    updateGeometry();
    update();
  }
  QWidget::changeEvent(event);
}

QSize CacheHeatmap::sizeHint() const {
  const int layers = layout_.layers > 0 ? layout_.layers : 6;
  const QFontMetrics fm(font()), sm(small_font(font()));
  const int chrome = fm.height() + 6 + 4 + sm.height() + 6 + kTrackedLane + kDecodeLane +
                     sm.height() + 2 + 8 + 2 * (sm.height() + 4) + kPad;
  return {900, chrome + std::clamp(layers * 18, 150, 480)};
}

QSize CacheHeatmap::minimumSizeHint() const {
  const int layers = layout_.layers > 0 ? layout_.layers : 6;
  const QFontMetrics fm(font()), sm(small_font(font()));
  const int chrome = fm.height() + 6 + 4 + sm.height() + 6 + kTrackedLane + kDecodeLane +
                     sm.height() + 2 + 8 + 3 * (sm.height() + 4) + kPad;
  return {260, chrome + std::max(60, layers * 3)};
}

}  // namespace cachelens::ui

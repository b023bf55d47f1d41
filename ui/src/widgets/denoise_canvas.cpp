// SPDX-License-Identifier: MIT
// DenoiseCanvas: lays the answer chips out like words (a token with a leading space starts a new
// word, other tokens attach to the previous one) and paints them by state.
#include "widgets/denoise_canvas.h"

#include <QCursor>
#include <QEvent>
#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

#include "palette.h"
#include "widgets/paint_util.h"

namespace cachelens::ui {
namespace {

constexpr int kPad = 8;
constexpr double kChipPadX = 4, kChipPadY = 2;
constexpr double kWordGap = 8, kJoinGap = 1, kMaskGap = 3, kLineGap = 4;
constexpr int kLegendGap = 16;

struct LegendEntry {
  int kind;  // index into the swatch drawing in paintLegend
  QString text;
};

std::vector<LegendEntry> legend_entries() {
  return {{0, QObject::tr("decoded this step (darker: more confident)")},
          {1, QObject::tr("decoded earlier")},
          {2, QObject::tr("masked")},
          {3, QObject::tr("after the stop token")},
          {4, QObject::tr("current block")},
          {5, QObject::tr("logits computed this step")}};
}

int legend_height(int width, const QFontMetrics& sm, std::vector<QPointF>* at) {
  const int row = sm.height() + 4;
  double x = 0, y = 0;
  for (const auto& e : legend_entries()) {
    const double w = 22 + sm.horizontalAdvance(e.text);
    if (x > 0 && x + w > width) {
      x = 0;
      y += row;
    }
    if (at) at->push_back({x, y});
    x += w + kLegendGap;
  }
  return static_cast<int>(y) + row;
}

}  // namespace

DenoiseCanvas::DenoiseCanvas(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
  QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  policy.setHeightForWidth(true);
  setSizePolicy(policy);
}

void DenoiseCanvas::setFrame(const CanvasFrame& frame) {
  frame_ = frame;
  has_frame_ = true;
  flow_dirty_ = true;
  if (hover_ >= static_cast<int>(frame_.chips.size())) hover_ = -1;
  if (hover_ >= 0 && QToolTip::isVisible() && underMouse()) {
    QToolTip::showText(QCursor::pos(), toolTipFor(hover_), this);
  }
  // Token widths change the wrapped height as the answer forms; relayout only when it does.
  const int wanted = heightForWidth(width());
  if (wanted != last_height_) {
    last_height_ = wanted;
    updateGeometry();
  }
  update();
}

void DenoiseCanvas::clearFrame() {
  frame_ = CanvasFrame{};
  has_frame_ = false;
  hover_ = -1;
  flow_dirty_ = true;
  updateGeometry();
  update();
}

QString DenoiseCanvas::displayText(int offset) const {
  const Chip& chip = frame_.chips[offset];
  QString text = chip.text;
  while (text.startsWith(QLatin1Char(' '))) text.remove(0, 1);
  if (text.isEmpty() && chip.state != Chip::State::Masked) text = QStringLiteral("␣");
  // Special tokens after the stop (a run of <|eot_id|> padding) would fill whole lines; a glyph
  // keeps the answer readable, and the tooltip still names the token.
  if (chip.state == Chip::State::AfterStop && text.startsWith(QStringLiteral("<|")) &&
      text.endsWith(QStringLiteral("|>"))) {
    text = QStringLiteral("∎");
  }
  return text;
}

DenoiseCanvas::Flow DenoiseCanvas::computeFlow(int width) const {
  Flow f;
  f.width = width;
  const QFontMetricsF fm(font()), bm(bold_font(font()));
  const QFontMetrics sm(small_font(font()));
  const double chip_h = fm.height() + 2 * kChipPadY;
  const double left = kPad, right = std::max<double>(width - kPad, left + 40);
  // Masks and single glyphs stay narrow so a 96-token answer fits a column in a few lines.
  const double min_w = fm.horizontalAdvance(QStringLiteral("m")) + 2 * kChipPadX;
  const double mask_w = min_w;
  double x = left, y = kPad + sm.height() + 6;  // below the status line
  int line = 0;
  bool break_next = false;
  const int n = has_frame_ ? static_cast<int>(frame_.chips.size()) : 0;
  for (int i = 0; i < n; ++i) {
    const Chip& chip = frame_.chips[i];
    double w = mask_w;
    if (chip.state != Chip::State::Masked) {
      const auto& metrics = chip.state == Chip::State::New ? bm : fm;
      w = std::max(min_w, metrics.horizontalAdvance(displayText(i)) + 2 * kChipPadX);
    }
    w = std::min(w, right - left);
    double gap = 0;
    if (i > 0) {
      const bool masked =
          chip.state == Chip::State::Masked || frame_.chips[i - 1].state == Chip::State::Masked;
      gap = masked ? kMaskGap : chip.text.startsWith(QLatin1Char(' ')) ? kWordGap : kJoinGap;
    }
    if (i > 0 && (break_next || x + gap + w > right)) {
      x = left;
      y += chip_h + kLineGap;
      ++line;
      gap = 0;
    }
    x += gap;
    f.chips.push_back(QRectF(x, y, w, chip_h));
    f.lines.push_back(line);
    x += w;
    break_next = chip.state != Chip::State::Masked && chip.text.contains(QStringLiteral("⏎"));
  }
  const double chips_bottom = n > 0 ? y + chip_h : y + chip_h * 2;  // room for the empty state
  f.legend_top = chips_bottom + 12;
  f.height = f.legend_top + legend_height(static_cast<int>(right - left), sm, nullptr) + kPad / 2;
  return f;
}

const DenoiseCanvas::Flow& DenoiseCanvas::flow(int width) const {
  if (flow_dirty_ || flow_.width != width) {
    flow_ = computeFlow(width);
    flow_dirty_ = false;
  }
  return flow_;
}

int DenoiseCanvas::heightForWidth(int width) const {
  return static_cast<int>(std::ceil(computeFlow(width).height));
}

QSize DenoiseCanvas::sizeHint() const {
  return {600, heightForWidth(600)};
}

QSize DenoiseCanvas::minimumSizeHint() const {
  const QFontMetrics fm(font());
  return {220, fm.height() * 4};
}

QImage DenoiseCanvas::renderImage(const QSize& size) const {
  QImage image(size.expandedTo(QSize(1, 1)), QImage::Format_ARGB32_Premultiplied);
  QPainter painter(&image);
  paint(painter, size, false);
  return image;
}

void DenoiseCanvas::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  paint(painter, size(), true);
}

void DenoiseCanvas::paint(QPainter& painter, const QSize& size, bool hover) const {
  const Palette& p = palette_for(current_theme());
  painter.fillRect(QRect(QPoint(0, 0), size), p.background);
  painter.setRenderHint(QPainter::Antialiasing, true);
  const Flow& f = flow(size.width());
  const QFont base = font(), bold = bold_font(font()), small = small_font(font());
  const QFontMetrics sm(small);

  // Status line: how far the answer is.
  painter.setFont(small);
  painter.setPen(p.muted_text);
  const QRectF status(kPad, kPad / 2.0, size.width() - 2 * kPad, sm.height() + 4);
  if (!has_frame_ || frame_.chips.empty()) {
    const QRectF box(kPad + 0.5, status.bottom() + 2.5, size.width() - 2 * kPad - 1,
                     f.legend_top - 12 - status.bottom());
    painter.setPen(QPen(p.outline, 1, Qt::DashLine));
    painter.setBrush(p.panel);
    painter.drawRoundedRect(box, 6, 6);
    painter.setFont(base);
    painter.setPen(p.muted_text);
    painter.drawText(box.adjusted(10, 0, -10, 0), Qt::AlignCenter | Qt::TextWordWrap,
                     has_frame_ ? tr("This step has no answer positions.")
                                : tr("No answer yet. Run a strategy to watch it denoise."));
    paintLegend(painter, f, size.width());
    return;
  }
  int decoded = 0, fresh = 0;
  for (const Chip& c : frame_.chips) {
    if (c.state != Chip::State::Masked) ++decoded;
    if (c.state == Chip::State::New) ++fresh;
  }
  painter.drawText(status, Qt::AlignLeft | Qt::AlignVCenter,
                   tr("Step %1 · %2 of %3 positions decoded · %4 new")
                       .arg(frame_.step + 1)  // 1-based, as in the timeline
                       .arg(decoded)
                       .arg(frame_.chips.size())
                       .arg(fresh));

  const int n = static_cast<int>(frame_.chips.size());

  // The current block: one soft band per wrapped line it covers.
  const int b0 = std::max(0, frame_.block_begin), b1 = std::min(n, frame_.block_end);
  if (frame_.block_begin >= 0 && b1 > b0) {
    QColor fill = p.block_outline, edge = p.block_outline;
    fill.setAlpha(16);
    edge.setAlpha(110);
    for (int i = b0; i < b1;) {
      QRectF band = f.chips[i];
      int j = i + 1;
      for (; j < b1 && f.lines[j] == f.lines[i]; ++j) band = band.united(f.chips[j]);
      painter.setPen(QPen(edge, 1.2, Qt::DashLine));
      painter.setBrush(fill);
      painter.drawRoundedRect(band.adjusted(-3.5, -3.5, 3.5, 3.5), 7, 7);
      i = j;
    }
  }

  std::vector<bool> decode(n, false);
  for (int r : frame_.decode_rows) {
    if (r >= 0 && r < n) decode[r] = true;
  }
  for (int i = 0; i < n; ++i) {
    const Chip& chip = frame_.chips[i];
    const QRectF r = f.chips[i].adjusted(0.5, 0.5, -0.5, -0.5);
    const double radius = std::min(6.0, r.height() / 2);
    QColor text_color = p.chip_text;
    painter.setFont(base);
    switch (chip.state) {
      case Chip::State::Masked: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(p.chip_masked);
        painter.drawRoundedRect(r, radius, radius);
        QColor hatch = p.chip_masked_text;
        hatch.setAlpha(120);
        painter.setBrush(QBrush(hatch, Qt::BDiagPattern));
        painter.setPen(QPen(p.outline, 1, Qt::DotLine));
        painter.drawRoundedRect(r, radius, radius);
        break;
      }
      case Chip::State::New:
        painter.setPen(QPen(p.chip_new_high, 1.5));
        painter.setBrush(mix(p.chip_new_low, p.chip_new_high, chip.confidence));
        painter.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius);
        painter.setFont(bold);
        break;
      case Chip::State::Earlier:
        painter.setPen(Qt::NoPen);
        painter.setBrush(p.chip_earlier);
        painter.drawRoundedRect(r, radius, radius);
        break;
      case Chip::State::AfterStop:
        painter.setPen(QPen(p.grid, 1));
        painter.setBrush(p.chip_after_stop);
        painter.drawRoundedRect(r, radius, radius);
        text_color = p.chip_masked_text;
        break;
    }
    if (chip.state != Chip::State::Masked) {
      painter.setPen(text_color);
      const QRectF text_rect = r.adjusted(kChipPadX - 0.5, 0, -kChipPadX + 0.5, 0);
      const QString text =
          QFontMetrics(painter.font())
              .elidedText(displayText(i), Qt::ElideRight, static_cast<int>(text_rect.width()) + 1);
      painter.drawText(text_rect, Qt::AlignCenter, text);
    }
    if (decode[i]) {
      painter.setPen(QPen(p.background, 1));
      painter.setBrush(p.decode_row);
      painter.drawEllipse(QPointF(r.right() - 3, r.top() + 3), 2.6, 2.6);
    }
    if (hover && i == hover_) {
      painter.setBrush(Qt::NoBrush);
      painter.setPen(QPen(p.text, 1.5));
      painter.drawRoundedRect(r.adjusted(-1.5, -1.5, 1.5, 1.5), radius + 1, radius + 1);
    }
  }
  paintLegend(painter, f, size.width());
}

void DenoiseCanvas::paintLegend(QPainter& painter, const Flow& f, int width) const {
  const Palette& p = palette_for(current_theme());
  const QFont small = small_font(font());
  const QFontMetrics sm(small);
  std::vector<QPointF> at;
  legend_height(width - 2 * kPad, sm, &at);
  const auto entries = legend_entries();
  const int row = sm.height() + 4;
  painter.setFont(small);
  for (size_t i = 0; i < entries.size(); ++i) {
    const double x = kPad + at[i].x(), cy = f.legend_top + at[i].y() + row / 2.0;
    const QRectF swatch(x + 1.5, cy - 6, 14, 12);
    switch (entries[i].kind) {
      case 0: {
        QLinearGradient g(swatch.topLeft(), swatch.topRight());
        g.setColorAt(0, p.chip_new_low);
        g.setColorAt(1, p.chip_new_high);
        painter.setPen(QPen(p.chip_new_high, 1.2));
        painter.setBrush(g);
        painter.drawRoundedRect(swatch, 3, 3);
        break;
      }
      case 1:
        painter.setPen(Qt::NoPen);
        painter.setBrush(p.chip_earlier);
        painter.drawRoundedRect(swatch, 3, 3);
        break;
      case 2: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(p.chip_masked);
        painter.drawRoundedRect(swatch, 3, 3);
        QColor hatch = p.chip_masked_text;
        hatch.setAlpha(120);
        painter.setBrush(QBrush(hatch, Qt::BDiagPattern));
        painter.setPen(QPen(p.outline, 1, Qt::DotLine));
        painter.drawRoundedRect(swatch, 3, 3);
        break;
      }
      case 3:
        painter.setPen(QPen(p.grid, 1));
        painter.setBrush(p.chip_after_stop);
        painter.drawRoundedRect(swatch, 3, 3);
        break;
      case 4: {
        QColor edge = p.block_outline;
        edge.setAlpha(110);
        painter.setPen(QPen(edge, 1.2, Qt::DashLine));
        painter.setBrush(Qt::NoBrush);
        painter.drawRoundedRect(swatch, 4, 4);
        break;
      }
      case 5:
        painter.setPen(Qt::NoPen);
        painter.setBrush(p.decode_row);
        painter.drawEllipse(swatch.center(), 3, 3);
        break;
    }
    painter.setPen(p.text);
    painter.drawText(QRectF(x + 22, cy - row / 2.0, sm.horizontalAdvance(entries[i].text) + 2, row),
                     Qt::AlignLeft | Qt::AlignVCenter, entries[i].text);
  }
}

std::optional<int> DenoiseCanvas::chipAt(const QPoint& point) const {
  if (!has_frame_) return std::nullopt;
  const Flow& f = flow(width());
  for (size_t i = 0; i < f.chips.size(); ++i) {
    if (f.chips[i].contains(QPointF(point) + QPointF(0.5, 0.5))) return static_cast<int>(i);
  }
  return std::nullopt;
}

QString DenoiseCanvas::toolTipFor(int offset) const {
  if (offset < 0 || offset >= static_cast<int>(frame_.chips.size())) return {};
  const Chip& chip = frame_.chips[offset];
  QStringList parts = {tr("answer %1").arg(offset)};
  if (chip.state == Chip::State::Masked) {
    parts << tr("masked");
  } else {
    parts << QStringLiteral("'%1'").arg(chip.text);
    if (chip.decoded_at >= 0) parts << tr("decoded at step %1").arg(chip.decoded_at + 1);
    if (chip.state == Chip::State::New || chip.confidence > 0) {
      parts << tr("confidence %1").arg(chip.confidence, 0, 'f', 2);
    }
    if (chip.state == Chip::State::AfterStop) parts << tr("after the stop token");
  }
  if (offset >= frame_.block_begin && offset < frame_.block_end) parts << tr("current block");
  return parts.join(QStringLiteral(" · "));
}

void DenoiseCanvas::mouseMoveEvent(QMouseEvent* event) {
  const auto chip = chipAt(event->position().toPoint());
  const int index = chip ? *chip : -1;
  if (index != hover_) {
    hover_ = index;
    update();
  }
  if (chip) {
    QToolTip::showText(event->globalPosition().toPoint(), toolTipFor(*chip), this);
  } else {
    QToolTip::hideText();
  }
  QWidget::mouseMoveEvent(event);
}

void DenoiseCanvas::leaveEvent(QEvent* event) {
  hover_ = -1;
  QToolTip::hideText();
  update();
  QWidget::leaveEvent(event);
}

void DenoiseCanvas::changeEvent(QEvent* event) {
  if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
    flow_dirty_ = true;
    updateGeometry();
  }
  if (event->type() == QEvent::PaletteChange) update();
  QWidget::changeEvent(event);
}

}  // namespace cachelens::ui

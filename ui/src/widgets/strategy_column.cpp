// SPDX-License-Identifier: MIT
#include "strategy_column.h"

#include <QFrame>
#include <QLabel>
#include <QVBoxLayout>

#include "widgets/denoise_canvas.h"
#include "widgets/meters_panel.h"

namespace cachelens::ui {

namespace {

QLabel* section(const QString& text) {
  auto* label = new QLabel(text);
  QFont f = label->font();
  f.setBold(true);
  f.setPointSizeF(f.pointSizeF() * 0.9);
  label->setFont(f);
  label->setEnabled(false);  // muted heading
  return label;
}

}  // namespace

StrategyColumn::StrategyColumn(const QString& strategy, const QString& title,
                               const QString& settings_text, QWidget* parent)
    : QWidget(parent), strategy_(strategy) {
  setObjectName(QStringLiteral("column_") + strategy);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(6);
  auto* heading = new QLabel(QStringLiteral("<span style='font-size:13pt; font-weight:600'>%1"
                                            "</span> &nbsp;<code>%2</code>")
                                 .arg(title.toHtmlEscaped(), strategy.toHtmlEscaped()));
  layout->addWidget(heading);
  auto* settings = new QLabel(settings_text);
  settings->setWordWrap(true);
  settings->setEnabled(false);
  settings->setToolTip(settings_text);
  layout->addWidget(settings);
  status_ = new QLabel(tr("waiting"));
  layout->addWidget(status_);

  layout->addWidget(section(tr("DENOISING")));
  canvas_ = new DenoiseCanvas;
  layout->addWidget(canvas_);
  layout->addWidget(section(tr("CACHE: LAYERS × ROWS")));
  heatmap_ = new CacheHeatmap;
  layout->addWidget(heatmap_, 1);
  layout->addWidget(section(tr("METERS")));
  meters_ = new MetersPanel;
  layout->addWidget(meters_);
  answer_ = new QLabel;
  answer_->setWordWrap(true);
  answer_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  answer_->setObjectName(QStringLiteral("answer"));
  layout->addWidget(answer_);
  setMinimumWidth(290);
}

void StrategyColumn::showStep(const ColumnRun* run, int step) {
  if (!run || run->steps() == 0) {
    canvas_->clearFrame();
    heatmap_->clearFrame();
    meters_->clear();
    answer_->clear();
    layout_set_ = false;
    return;
  }
  if (!layout_set_ && run->has_layout()) {
    heatmap_->setSequence(run->layout());
    layout_set_ = true;
  }
  canvas_->setFrame(run->canvas_frame(step));
  heatmap_->setFrame(run->heatmap_frame(step, heatmap_->mode() == CacheHeatmap::Mode::Cumulative));
  const ColumnMeters m = run->meters(step);
  meters_->setMeters(m, strategy_ == QStringLiteral("none"));
  if (m.finished) {
    answer_->setText(tr("<b>Answer:</b> %1").arg(m.answer.toHtmlEscaped()));
  } else if (run->trace()) {
    answer_->setText(tr("<i>step %1 of %2 (scrubbing)</i>").arg(m.step + 1).arg(m.steps_total));
  } else {
    answer_->setText(
        tr("<i>decoding… %1 of %2 positions</i>").arg(m.decoded).arg(m.answer_positions));
  }
}

void StrategyColumn::setHeatmapMode(CacheHeatmap::Mode mode) {
  heatmap_->setMode(mode);
}

void StrategyColumn::setStatus(const QString& text) {
  status_->setText(text);
}

QString StrategyColumn::answerText() const {
  return answer_->text();
}

}  // namespace cachelens::ui

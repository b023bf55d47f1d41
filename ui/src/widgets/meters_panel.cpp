// SPDX-License-Identifier: MIT
#include "meters_panel.h"

#include <QGridLayout>
#include <QLabel>

#include "palette.h"

namespace cachelens::ui {

MetersPanel::MetersPanel(QWidget* parent) : QWidget(parent) {
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setHorizontalSpacing(12);
  grid->setVerticalSpacing(2);
  tokens_ = addRow(tr("tokens/s"), tr("Answer tokens per second of the whole request (no prompt, "
                                      "no stop token, no leftover mask)"));
  ms_step_ = addRow(tr("ms/step"), tr("Denoising time per step"));
  steps_ = addRow(tr("steps · NFE"), tr("Denoising steps so far, and forward passes"));
  rows_ = addRow(tr("rows recomputed"),
                 tr("Share of layer-rows this strategy recomputed (V-only rows included), over "
                    "the run so far"));
  speedup_ = addRow(tr("speedup"), tr("Wall time of the `none` column / this column's"));
  agreement_ = addRow(tr("agreement"),
                      tr("Answer tokens equal to the `none` column's, over the longer answer"));
  correct_ = addRow(tr("answer"), tr("Scored against the expected answer, when one is given"));
  clear();
}

QLabel* MetersPanel::addRow(const QString& name, const QString& tip) {
  auto* grid = static_cast<QGridLayout*>(layout());
  const int row = grid->rowCount();
  auto* label = new QLabel(name);
  label->setToolTip(tip);
  auto* value = new QLabel;
  value->setToolTip(tip);
  value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  QFont bold = value->font();
  bold.setBold(true);
  value->setFont(bold);
  grid->addWidget(label, row, 0);
  grid->addWidget(value, row, 1);
  names_ << label;
  return value;
}

void MetersPanel::clear() {
  for (QLabel* l : {tokens_, ms_step_, steps_, rows_, speedup_, agreement_, correct_}) {
    l->setText(QStringLiteral("—"));
    l->setStyleSheet({});
  }
}

void MetersPanel::setMeters(const ColumnMeters& m, bool is_baseline) {
  if (m.step < 0) {
    clear();
    return;
  }
  const Palette& pal = palette_for(current_theme());
  tokens_->setText(m.tokens_per_s >= 0 ? QString::number(m.tokens_per_s, 'f', 1) : tr("running…"));
  ms_step_->setText(QString::number(m.ms_per_step, 'f', 2));
  steps_->setText(QStringLiteral("%1/%2 · %3").arg(m.step + 1).arg(m.steps_total).arg(m.nfe));
  rows_->setText(QString::number(100.0 * m.recompute_fraction, 'f', 1) + QLatin1Char('%'));
  if (!m.finished) {
    speedup_->setText(QStringLiteral("—"));
    agreement_->setText(QStringLiteral("—"));
  } else if (is_baseline) {
    speedup_->setText(tr("1.00× (baseline)"));
    agreement_->setText(tr("baseline"));
  } else if (m.speedup < 0) {
    speedup_->setText(tr("add `none`"));
    agreement_->setText(tr("add `none`"));
  } else {
    speedup_->setText(QString::number(m.speedup, 'f', 2) + QStringLiteral("×"));
    agreement_->setText(QString::number(100.0 * m.agreement, 'f', 0) + QLatin1Char('%') +
                        (m.exact_match ? tr(" (exact)") : QString()));
  }
  if (!m.finished) {
    correct_->setText(QStringLiteral("—"));
    correct_->setStyleSheet({});
  } else if (m.correct < 0) {
    correct_->setText(tr("no expected answer"));
    correct_->setStyleSheet({});
  } else {
    const QColor c = m.correct ? pal.correct : pal.incorrect;
    correct_->setText(m.correct ? tr("✓ correct") : tr("✗ incorrect"));
    correct_->setStyleSheet(QStringLiteral("color: %1").arg(c.name()));
  }
}

QString MetersPanel::text() const {
  QStringList lines;
  const QList<QLabel*> values = {tokens_, ms_step_, steps_, rows_, speedup_, agreement_, correct_};
  for (int i = 0; i < values.size(); ++i) {
    lines << names_[i]->text() + QStringLiteral(": ") + values[i]->text();
  }
  return lines.join(QLatin1Char('\n'));
}

}  // namespace cachelens::ui

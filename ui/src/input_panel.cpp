// SPDX-License-Identifier: MIT
#include "input_panel.h"

#include <QCheckBox>
#include <QGroupBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

#include "cachelens/strategy.h"
#include "widgets/image_drop.h"

namespace cachelens::ui {

InputPanel::InputPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("inputPanel"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);

  samples_ = bundled_samples();
  samples_button_ = new QToolButton;
  samples_button_->setObjectName(QStringLiteral("samplesButton"));
  samples_button_->setText(tr("Samples ▾"));
  samples_button_->setToolTip(tr("Questions about bundled images, with expected answers"));
  samples_button_->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(samples_button_);
  for (size_t i = 0; i < samples_.size(); ++i) {
    menu->addAction(samples_[i].title, this, [this, i] { applySample(static_cast<int>(i)); });
  }
  samples_button_->setMenu(menu);
  samples_button_->setEnabled(!samples_.empty());
  layout->addWidget(samples_button_, 0, Qt::AlignLeft);

  image_ = new ImageDrop;
  layout->addWidget(image_);

  layout->addWidget(new QLabel(tr("Question")));
  prompt_ = new QPlainTextEdit;
  prompt_->setObjectName(QStringLiteral("prompt"));
  prompt_->setPlaceholderText(tr("Ask about the image… (Ctrl+Enter runs)"));
  prompt_->setMaximumHeight(80);
  prompt_->installEventFilter(this);
  connect(prompt_, &QPlainTextEdit::textChanged, this, &InputPanel::updateRunEnabled);
  layout->addWidget(prompt_);
  layout->addWidget(new QLabel(tr("Expected answer (optional)")));
  expected_ = new QLineEdit;
  expected_->setObjectName(QStringLiteral("expected"));
  expected_->setPlaceholderText(tr("scores each column ✓/✗"));
  layout->addWidget(expected_);

  auto* group = new QGroupBox(tr("Strategies (one column each)"));
  auto* boxes = new QVBoxLayout(group);
  for (const StrategyInfo& info : strategy_catalog()) {
    auto* box = new QCheckBox(QString::fromStdString(info.name));
    box->setObjectName(QStringLiteral("pick_") + QString::fromStdString(info.name));
    box->setToolTip(QString::fromStdString(info.title + ": " + info.description));
    connect(box, &QCheckBox::toggled, this, [this] {
      updateRunEnabled();
      Q_EMIT strategiesChanged(selectedStrategies());
    });
    boxes->addWidget(box);
    strategy_boxes_.push_back(box);
  }
  layout->addWidget(group);

  auto* settings = new QPushButton(tr("Settings…"));
  settings->setObjectName(QStringLiteral("settingsButton"));
  settings->setToolTip(tr("Decoding and per-strategy parameters"));
  connect(settings, &QPushButton::clicked, this, &InputPanel::settingsRequested);
  layout->addWidget(settings);

  run_ = new QPushButton(tr("Run  (Ctrl+Enter)"));
  run_->setObjectName(QStringLiteral("runButton"));
  run_->setDefault(true);
  connect(run_, &QPushButton::clicked, this, &InputPanel::runRequested);
  stop_ = new QPushButton(tr("Stop"));
  stop_->setObjectName(QStringLiteral("stopButton"));
  stop_->setShortcut(Qt::Key_Escape);
  connect(stop_, &QPushButton::clicked, this, &InputPanel::stopRequested);
  layout->addWidget(run_);
  layout->addWidget(stop_);
  layout->addStretch(1);
  setFixedWidth(280);
  setRunning(false);
}

QString InputPanel::prompt() const {
  return prompt_->toPlainText().trimmed();
}
void InputPanel::setPrompt(const QString& text) {
  prompt_->setPlainText(text);
}
QString InputPanel::expected() const {
  return expected_->text().trimmed();
}
void InputPanel::setExpected(const QString& text) {
  expected_->setText(text);
}

QStringList InputPanel::selectedStrategies() const {
  QStringList names;
  for (QCheckBox* box : strategy_boxes_) {
    if (box->isChecked()) names << box->text();
  }
  return names;
}

void InputPanel::setSelectedStrategies(const QStringList& names) {
  for (QCheckBox* box : strategy_boxes_) {
    const QSignalBlocker block(box);
    box->setChecked(names.contains(box->text()));
  }
  updateRunEnabled();
}

void InputPanel::applySample(int index) {
  if (index < 0 || index >= static_cast<int>(samples_.size())) return;
  const Sample& s = samples_[static_cast<size_t>(index)];
  if (!image_->setImageFile(s.image)) return;
  setPrompt(s.question);
  setExpected(s.expected);
  Q_EMIT sampleApplied(s.gen_length);
}

void InputPanel::setRunning(bool running) {
  running_ = running;
  stop_->setEnabled(running);
  updateRunEnabled();
}

void InputPanel::setReady(bool ready) {
  ready_ = ready;
  updateRunEnabled();
}

void InputPanel::updateRunEnabled() {
  const bool ok = ready_ && !running_ && !prompt().isEmpty() && !selectedStrategies().isEmpty();
  run_->setEnabled(ok);
  if (!ready_) {
    run_->setToolTip(tr("Waiting for the model to load"));
  } else if (selectedStrategies().isEmpty()) {
    run_->setToolTip(tr("Pick at least one strategy"));
  } else if (prompt().isEmpty()) {
    run_->setToolTip(tr("Type a question"));
  } else {
    run_->setToolTip(tr("Run every picked strategy on this input"));
  }
}

bool InputPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == prompt_ && event->type() == QEvent::KeyPress) {
    auto* key = static_cast<QKeyEvent*>(event);
    if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
        (key->modifiers() & Qt::ControlModifier)) {
      if (run_->isEnabled()) Q_EMIT runRequested();
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace cachelens::ui

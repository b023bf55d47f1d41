// SPDX-License-Identifier: MIT
#include "timeline_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace cachelens::ui {

namespace {
// Replay at 1x shows 8 steps a second: slow enough to follow single tokens being decoded.
constexpr double kBaseStepsPerSecond = 8.0;
}  // namespace

TimelineBar::TimelineBar(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("timeline"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 4, 8, 4);
  play_ = new QToolButton;
  play_->setObjectName(QStringLiteral("timelinePlay"));
  play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  play_->setToolTip(tr("Replay every column in lockstep (Space)"));
  play_->setShortcut(Qt::Key_Space);
  connect(play_, &QToolButton::clicked, this, &TimelineBar::togglePlay);
  layout->addWidget(play_);
  slider_ = new QSlider(Qt::Horizontal);
  slider_->setObjectName(QStringLiteral("timelineSlider"));
  slider_->setToolTip(tr("Scrub the denoising steps of every column"));
  connect(slider_, &QSlider::valueChanged, this, [this](int value) {
    updateLabel();
    Q_EMIT stepChanged(value);
  });
  layout->addWidget(slider_, 1);
  label_ = new QLabel;
  label_->setMinimumWidth(110);
  layout->addWidget(label_);
  speed_ = new QComboBox;
  speed_->setToolTip(tr("Replay speed"));
  for (double s : {0.25, 0.5, 1.0, 2.0, 4.0, 8.0}) {
    speed_->addItem(QString::number(s) + QStringLiteral("×"), s);
  }
  speed_->setCurrentIndex(2);
  connect(speed_, &QComboBox::currentIndexChanged, this, [this] {
    if (isPlaying()) timer_->setInterval(int(1000.0 / (kBaseStepsPerSecond * speed())));
  });
  layout->addWidget(speed_);
  timer_ = new QTimer(this);
  connect(timer_, &QTimer::timeout, this, &TimelineBar::advance);
  setSteps(0);
}

void TimelineBar::setSteps(int steps) {
  pause();
  steps_ = steps;
  const QSignalBlocker block(slider_);
  slider_->setRange(0, std::max(0, steps - 1));
  slider_->setValue(std::max(0, steps - 1));
  setEnabled(steps > 0);
  updateLabel();
}

int TimelineBar::step() const {
  return slider_->value();
}
bool TimelineBar::isPlaying() const {
  return timer_->isActive();
}
double TimelineBar::speed() const {
  return speed_->currentData().toDouble();
}

void TimelineBar::setStep(int step) {
  slider_->setValue(step);
}

void TimelineBar::play() {
  if (steps_ == 0) return;
  if (step() >= steps_ - 1) setStep(0);
  timer_->start(int(1000.0 / (kBaseStepsPerSecond * speed())));
  play_->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
}

void TimelineBar::pause() {
  timer_->stop();
  play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
}

void TimelineBar::togglePlay() {
  isPlaying() ? pause() : play();
}

void TimelineBar::setSpeed(double multiplier) {
  const int index = speed_->findData(multiplier);
  if (index >= 0) speed_->setCurrentIndex(index);
}

void TimelineBar::advance() {
  if (step() >= steps_ - 1) {
    pause();
    return;
  }
  setStep(step() + 1);
}

void TimelineBar::updateLabel() {
  label_->setText(steps_ ? tr("step %1 / %2").arg(step() + 1).arg(steps_) : tr("no run yet"));
}

}  // namespace cachelens::ui

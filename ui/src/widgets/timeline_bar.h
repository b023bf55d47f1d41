// SPDX-License-Identifier: MIT
// The timeline under the columns: scrub or replay every step of every column in lockstep.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace cachelens::ui {

class TimelineBar : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineBar(QWidget* parent = nullptr);

  // steps: the longest column's step count; 0 disables the bar.
  void setSteps(int steps);
  int steps() const { return steps_; }
  int step() const;
  bool isPlaying() const;
  double speed() const;  // replay rate multiplier

 public Q_SLOTS:
  void setStep(int step);  // emits stepChanged when it changes
  void play();             // from the start when at the last step
  void pause();
  void togglePlay();
  void setSpeed(double multiplier);

 Q_SIGNALS:
  void stepChanged(int step);

 private:
  void advance();
  void updateLabel();
  int steps_ = 0;
  QSlider* slider_ = nullptr;
  QToolButton* play_ = nullptr;
  QComboBox* speed_ = nullptr;
  QLabel* label_ = nullptr;
  QTimer* timer_ = nullptr;
};

}  // namespace cachelens::ui

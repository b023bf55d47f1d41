// SPDX-License-Identifier: MIT
// The left-hand input panel: image, prompt (Ctrl+Enter runs), optional expected answer, bundled
// samples, the strategies to compare (one column each), settings, Run and Stop.
#pragma once

#include <QStringList>
#include <QWidget>
#include <vector>

#include "samples.h"

class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace cachelens::ui {

class ImageDrop;

class InputPanel : public QWidget {
  Q_OBJECT
 public:
  explicit InputPanel(QWidget* parent = nullptr);

  ImageDrop* imageDrop() const { return image_; }
  QString prompt() const;
  void setPrompt(const QString& text);
  QString expected() const;
  void setExpected(const QString& text);
  QStringList selectedStrategies() const;  // catalog order
  void setSelectedStrategies(const QStringList& names);
  const std::vector<Sample>& samples() const { return samples_; }
  void applySample(int index);

  // Running: Run disabled, Stop enabled. Ready: whether a model is loaded.
  void setRunning(bool running);
  void setReady(bool ready);

 Q_SIGNALS:
  void runRequested();
  void stopRequested();
  void settingsRequested();
  void strategiesChanged(const QStringList& names);
  void sampleApplied(int gen_length);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void updateRunEnabled();
  ImageDrop* image_ = nullptr;
  QPlainTextEdit* prompt_ = nullptr;
  QLineEdit* expected_ = nullptr;
  QToolButton* samples_button_ = nullptr;
  std::vector<QCheckBox*> strategy_boxes_;
  QPushButton *run_ = nullptr, *stop_ = nullptr;
  std::vector<Sample> samples_;
  bool running_ = false, ready_ = false;
};

}  // namespace cachelens::ui

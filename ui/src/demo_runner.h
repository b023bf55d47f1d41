// SPDX-License-Identifier: MIT
// `cachelens --demo --screenshot FILE.png`: loads the default model, runs the first bundled
// sample through none, fast-dllm-dual and elastic, saves a screenshot of the window after the
// run and quits with 0 (1 on any failure, with the reason on stderr).
#pragma once

#include <QObject>
#include <QString>

namespace cachelens::ui {

class MainWindow;

class DemoRunner : public QObject {
  Q_OBJECT
 public:
  DemoRunner(MainWindow* window, QString screenshot);

 private:
  void onModelReady();
  void onRunCompleted(bool ok);
  void fail(const QString& why);
  MainWindow* window_;
  QString screenshot_;
  bool started_ = false;
};

}  // namespace cachelens::ui

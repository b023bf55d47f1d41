// SPDX-License-Identifier: MIT
#include "demo_runner.h"

#include <QApplication>
#include <QTimer>
#include <cstdio>

#include "input_panel.h"
#include "main_window.h"

namespace cachelens::ui {

DemoRunner::DemoRunner(MainWindow* window, QString screenshot)
    : QObject(window), window_(window), screenshot_(std::move(screenshot)) {
  connect(window_, &MainWindow::modelReady, this, &DemoRunner::onModelReady);
  connect(window_, &MainWindow::modelFailed, this, [this](const QString& m) { fail(m); });
  connect(window_, &MainWindow::runCompleted, this, &DemoRunner::onRunCompleted);
}

void DemoRunner::onModelReady() {
  if (started_) return;
  started_ = true;
  InputPanel* input = window_->input();
  if (input->samples().empty()) {
    fail(QStringLiteral("no bundled samples (resources/eval/shapes-test.jsonl) were found"));
    return;
  }
  input->applySample(0);
  input->setSelectedStrategies(
      {QStringLiteral("none"), QStringLiteral("fast-dllm-dual"), QStringLiteral("elastic")});
  window_->startRun();
  if (!window_->isRunning()) fail(QStringLiteral("the run did not start: ") + window_->lastError());
}

void DemoRunner::onRunCompleted(bool ok) {
  if (!ok) {
    fail(QStringLiteral("the run did not finish: ") + window_->lastError());
    return;
  }
  // One more event-loop turn so the final step is painted before the grab.
  QTimer::singleShot(200, this, [this] {
    const QString error = window_->saveScreenshot(screenshot_);
    if (!error.isEmpty()) {
      fail(error);
      return;
    }
    std::fprintf(stdout, "screenshot saved to %s\n", qPrintable(screenshot_));
    QApplication::exit(0);
  });
}

void DemoRunner::fail(const QString& why) {
  std::fprintf(stderr, "cachelens --demo: %s\n", qPrintable(why));
  QApplication::exit(1);
}

}  // namespace cachelens::ui

// SPDX-License-Identifier: MIT
// Shared set-up for the GUI tests: an isolated settings folder, and a main window on the
// embedded model that is loaded before the test goes on.
#pragma once

#include <QApplication>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include "cachelens/runtime.h"
#include "input_panel.h"
#include "main_window.h"
#include "widgets/image_drop.h"

namespace cachelens::ui::testing {

// Runs a QTest object with QSettings (and the paste cache) under a fresh folder, never the
// user's config.
template <typename TestObject>
int run_gui_tests(int argc, char** argv) {
  QTemporaryDir config;
  qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
  qputenv("XDG_CACHE_HOME", config.path().toUtf8());
  tune_process_allocator();  // as the app does
  QApplication app(argc, argv);
  TestObject test;
  return QTest::qExec(&test, argc, argv);
}

inline std::unique_ptr<MainWindow> loaded_window(bool persist = false) {
  WindowOptions options;
  options.persist_settings = persist;
  auto window = std::make_unique<MainWindow>(options);
  QSignalSpy ready(window.get(), &MainWindow::modelReady);
  window->resize(1400, 900);
  window->show();
  if (!window->model() && !ready.wait(60000)) return nullptr;
  return window;
}

// The first bundled sample (a question the embedded model answers) on the given strategies.
inline void set_sample(MainWindow& window, const QStringList& strategies) {
  window.input()->applySample(0);
  window.input()->setSelectedStrategies(strategies);
}

}  // namespace cachelens::ui::testing

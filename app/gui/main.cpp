// SPDX-License-Identifier: MIT
// cachelens: the desktop app. `cachelens [--model DIR] [IMAGE]` opens the window;
// `cachelens --demo --screenshot FILE.png` runs the scripted demo and exits.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <cstdio>

#include "cachelens/runtime.h"
#include "demo_runner.h"
#include "input_panel.h"
#include "main_window.h"
#include "widgets/image_drop.h"

int main(int argc, char** argv) {
  cachelens::tune_process_allocator();  // as the CLI does: timings must compare across the two
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("CacheLens"));
  QApplication::setOrganizationName(QStringLiteral("CacheLens"));
  QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/cachelens-256.png")));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Watch LLaDA-V denoise and see what each KV-cache strategy recomputed."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption model({QStringLiteral("m"), QStringLiteral("model")},
                           QStringLiteral("A LLaDA-V checkpoint folder (default: the embedded "
                                          "model)."),
                           QStringLiteral("DIR"));
  QCommandLineOption demo(QStringLiteral("demo"),
                          QStringLiteral("Run the first sample through none, fast-dllm-dual and "
                                         "elastic, then exit."));
  QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                QStringLiteral("With --demo: save the window to this PNG."),
                                QStringLiteral("FILE"));
  QCommandLineOption dark(QStringLiteral("dark"), QStringLiteral("Use the dark theme."));
  QCommandLineOption cumulative(QStringLiteral("cumulative"),
                                QStringLiteral("Start with the cumulative heatmap (share of steps "
                                               "each cell was recomputed)."));
  parser.addOption(dark);
  parser.addOption(cumulative);
  parser.addOption(model);
  parser.addOption(demo);
  parser.addOption(screenshot);
  parser.addPositionalArgument(QStringLiteral("image"), QStringLiteral("An image to open."),
                               QStringLiteral("[IMAGE]"));
  parser.process(app);
  if (parser.isSet(demo) && !parser.isSet(screenshot)) {
    std::fprintf(stderr, "cachelens: --demo needs --screenshot FILE.png\n");
    return 2;
  }

  cachelens::ui::WindowOptions options;
  options.model_dir = parser.value(model);
  options.persist_settings = !parser.isSet(demo);
  cachelens::ui::MainWindow window(options);
  if (parser.isSet(dark)) window.setDarkTheme(true);
  if (parser.isSet(cumulative)) window.setCumulative(true);
  if (parser.isSet(demo)) new cachelens::ui::DemoRunner(&window, parser.value(screenshot));
  if (!parser.positionalArguments().isEmpty()) {
    window.input()->imageDrop()->setImageFile(parser.positionalArguments().first());
  }
  window.show();
  return app.exec();
}

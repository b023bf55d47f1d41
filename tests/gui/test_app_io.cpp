// SPDX-License-Identifier: MIT
// What goes in and out of the app: exports written and read back, a bad image refused with an
// error dialog while the app stays usable, settings validated and remembered, the benchmark tab.
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>

#include "benchmark_view.h"
#include "cachelens/trace.h"
#include "gui_support.h"
#include "settings_dialog.h"
#include "settings_store.h"
#include "widgets/accuracy_plot.h"

using namespace cachelens::ui;
using namespace cachelens::ui::testing;

namespace {

QMessageBox* error_dialog(QWidget* window) {
  return window->findChild<QMessageBox*>(QStringLiteral("errorDialog"));
}

bool run_to_end(MainWindow& window) {
  QSignalSpy done(&window, &MainWindow::runCompleted);
  window.startRun();
  return done.wait(120000) && done.first().first().toBool();
}

}  // namespace

class AppIoTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void exportsATraceThatReadsBack() {
    auto window = loaded_window();
    QVERIFY(window);
    set_sample(*window, {QStringLiteral("none"), QStringLiteral("elastic")});
    QVERIFY(run_to_end(*window));
    QTemporaryDir out;
    const QString file = out.filePath(QStringLiteral("elastic.trace.json"));
    QCOMPARE(window->exportTrace(1, file), QString());
    const cachelens::Trace back = cachelens::load_trace(file.toStdString());
    const cachelens::Trace& shown = *window->columnRun(1).trace();
    QCOMPARE(back.settings.strategy.name, std::string("elastic"));
    QCOMPARE(back.summary.answer, shown.summary.answer);
    QCOMPARE(back.events.size(), shown.events.size());
    QVERIFY(back.events.back()->cells == shown.events.back()->cells);
    QCOMPARE(QDir(out.path()).entryList(QDir::Files).size(), 1);  // no temp file left behind

    const QString png = out.filePath(QStringLiteral("heatmap.png"));
    QCOMPARE(window->exportHeatmap(1, png), QString());
    const QImage image(png);
    QCOMPARE(image.size(), QSize(1600, 480));

    const QString csv = out.filePath(QStringLiteral("comparison.csv"));
    QCOMPARE(window->exportComparison(csv), QString());
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith(QStringLiteral("strategy,answer,correct,tokens_per_s")));
    QVERIFY(lines[1].startsWith(QStringLiteral("none,")));
    QVERIFY(lines[2].startsWith(QStringLiteral("elastic,")));

    // A target under a plain file cannot be written: an error naming the file, nothing written.
    const QString bad = out.filePath(QStringLiteral("comparison.csv/x.json"));
    const QString error = window->exportTrace(1, bad);
    QVERIFY(!error.isEmpty());
    QVERIFY(error.contains(QStringLiteral("x.json")));
  }

  void aBadImageGivesAnErrorDialogAndTheAppStaysUsable() {
    auto window = loaded_window();
    QVERIFY(window);
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("broken.png"));
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("\x89PNG\r\n\x1a\n this is not really a png");
    }
    QVERIFY(!window->input()->imageDrop()->setImageFile(bad));
    QTRY_VERIFY(error_dialog(window.get()));
    QMessageBox* box = error_dialog(window.get());
    QVERIFY(box->text().contains(QStringLiteral("broken.png")));
    box->accept();
    QTRY_VERIFY(!error_dialog(window.get()));
    // The app goes on: a real sample runs to the end.
    set_sample(*window, {QStringLiteral("none")});
    QVERIFY(run_to_end(*window));
  }

  void invalidSettingsAreRefusedNamingTheField() {
    RunSettings run;
    SettingsDialog dialog(run);
    // Every strategy parameter has an editor named after it.
    QVERIFY(dialog.findChild<QWidget*>(QStringLiteral("elastic.gamma")));
    QVERIFY(dialog.findChild<QWidget*>(QStringLiteral("dllm-cache.prompt_interval")));
    // Gen length 30 with block length 32 cannot be split into blocks.
    auto* gen = dialog.findChild<QSpinBox*>(QStringLiteral("gen_length"));
    QVERIFY(gen);
    gen->setValue(30);
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    bool shown = false;
    for (QLabel* label : dialog.findChildren<QLabel*>()) {
      if (label->isVisibleTo(&dialog) && label->text().contains(QStringLiteral("gen length 30"))) {
        shown = true;
      }
    }
    QVERIFY(shown);
    dialog.resetAll();
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
  }

  void settingsAreRememberedBetweenRuns() {
    QSettings().clear();
    RunSettings run;
    run.decode.gen_length = 64;
    run.decode.block_length = 32;
    run.decode.steps = 64;
    run.decode.rule = cachelens::UnmaskRule::Threshold;
    run.decode.threshold = 0.8;
    run.strategy_values["elastic"]["gamma"] = "0.75";
    run.strategy_values["elastic"]["no-such-key"] = "1";  // dropped: the catalog has no such key
    run.columns = {QStringLiteral("none"), QStringLiteral("dllm-cache")};
    run.dark_theme = true;
    {
      QSettings s;
      save_run_settings(s, run);
    }
    QSettings s;
    const RunSettings back = load_run_settings(s);
    QCOMPARE(back.decode.gen_length, int64_t(64));
    QCOMPARE(back.decode.block_length, int64_t(32));
    QCOMPARE(back.decode.rule, cachelens::UnmaskRule::Threshold);
    QCOMPARE(back.decode.threshold, 0.8);
    QCOMPARE(back.strategy(QStringLiteral("elastic")).get_double("gamma"), 0.75);
    QCOMPARE(back.strategy_values.at("elastic").count("no-such-key"), size_t(0));
    QCOMPARE(back.columns, run.columns);
    QVERIFY(back.dark_theme);

    // A window that persists settings starts from them.
    auto window = loaded_window(/*persist=*/true);
    QVERIFY(window);
    QCOMPARE(window->runSettings().decode.gen_length, int64_t(64));
    QCOMPARE(window->input()->selectedStrategies(), run.columns);
    QSettings().clear();
  }

  void benchmarksAnEvalSetIntoTheTableAndPlot() {
    auto window = loaded_window();
    QVERIFY(window);
    BenchmarkView* bench = window->benchmark();
    bench->setLimit(4);
    bench->setStrategies({QStringLiteral("none"), QStringLiteral("fast-dllm-dual")});
    QSignalSpy finished(bench, &BenchmarkView::running);
    bench->start();
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() >= 2, 180000);
    QVERIFY(bench->report());
    QCOMPARE(bench->report()->items, int64_t(4));
    QCOMPARE(bench->table()->rowCount(), 2);
    QCOMPARE(bench->table()->item(0, 0)->text(), QStringLiteral("none"));
    QCOMPARE(bench->table()->item(1, 0)->text(), QStringLiteral("fast-dllm-dual"));
    QCOMPARE(bench->plot()->points().size(), size_t(2));

    // A missing set is refused before anything runs.
    bench->setSetPath(QStringLiteral("/nonexistent/set.jsonl"));
    bench->start();
    QTRY_VERIFY(error_dialog(window.get()));
    QVERIFY(error_dialog(window.get())->text().contains(QStringLiteral("set.jsonl")));
  }
};

int main(int argc, char** argv) {
  return run_gui_tests<AppIoTest>(argc, argv);
}

#include "test_app_io.moc"

// SPDX-License-Identifier: MIT
// The app end to end under the offscreen platform: load the embedded model, run strategies side
// by side to the last step, scrub and replay the timeline, stop midway, close mid-run.
#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <cmath>

#include "gui_support.h"
#include "widgets/cache_heatmap.h"
#include "widgets/denoise_canvas.h"
#include "widgets/meters_panel.h"
#include "widgets/strategy_column.h"
#include "widgets/timeline_bar.h"

using namespace cachelens::ui;
using namespace cachelens::ui::testing;

class AppRunTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void loadsTheEmbeddedModel() {
    auto window = loaded_window();
    QVERIFY(window);
    const auto& info = window->model()->info;
    QCOMPARE(QString::fromStdString(info.name), QStringLiteral("lladav-shapes-2.6m"));
    QVERIFY(window->findChild<QLabel*>(QStringLiteral("modelLabel"))
                ->text()
                .contains(QStringLiteral("2.55M parameters")));
    QVERIFY(window->model()->token_texts->size() == size_t(info.config.text.vocab_size));
    QVERIFY(window->model()->mask_id >= 0);
    // The image counter uses the loaded model: the sample becomes its 105 image rows.
    window->input()->applySample(0);
    auto* image_info =
        window->input()->imageDrop()->findChild<QLabel*>(QStringLiteral("imageInfo"));
    QVERIFY(image_info);
    QVERIFY(image_info->text().contains(QStringLiteral("192×192 px · 105 image rows")));
  }

  void runsTwoStrategiesToTheLastStep() {
    auto window = loaded_window();
    QVERIFY(window);
    set_sample(*window, {QStringLiteral("none"), QStringLiteral("fast-dllm-dual")});
    QSignalSpy done(window.get(), &MainWindow::runCompleted);
    window->startRun();
    QVERIFY(window->isRunning());
    QVERIFY(done.wait(120000));
    QCOMPARE(done.first().first().toBool(), true);
    QCOMPARE(window->columns().size(), size_t(2));
    for (int c = 0; c < 2; ++c) {
      const ColumnRun& run = window->columnRun(c);
      QVERIFY(run.trace());
      QVERIFY(run.steps() > 0);
      QCOMPARE(run.steps(), int(run.trace()->events.size()));
      StrategyColumn* column = window->columns()[size_t(c)];
      QVERIFY(column->canvas()->hasFrame());
      QCOMPARE(column->canvas()->frameStep(), run.steps() - 1);
      QVERIFY(column->heatmap()->hasFrame());
      QCOMPARE(column->heatmap()->frameStep(), run.steps() - 1);
      // The canvas shows the trace's answer: every answer token decoded, in order.
      const CanvasFrame last = run.canvas_frame(run.steps() - 1);
      QString text;
      for (const Chip& chip : last.chips) {
        if (chip.state == Chip::State::Earlier || chip.state == Chip::State::New) text += chip.text;
      }
      QCOMPARE(text.trimmed(), QString::fromStdString(run.trace()->summary.answer).trimmed());
    }
    // The embedded model answers the first sample; `none` is the baseline of the cached column.
    QCOMPARE(window->columnRun(0).trace()->summary.correct, 1);
    QVERIFY(window->columns()[0]->meters()->text().contains(QStringLiteral("✓ correct")));
    const auto& dual = window->columnRun(1).trace()->summary;
    QVERIFY(dual.baseline.present);
    QVERIFY(dual.recompute_fraction < window->columnRun(0).trace()->summary.recompute_fraction);
    QVERIFY(window->columns()[1]->meters()->text().contains(QStringLiteral("×")));
    // The heatmap answers hover with a real cell.
    CacheHeatmap* map = window->columns()[1]->heatmap();
    bool found = false;
    for (int x = 0; x < map->width() && !found; x += 4) {
      for (int y = 0; y < map->height() && !found; y += 4) {
        const auto cell = map->cellAt(QPoint(x, y));
        if (cell && cell->layer >= 0 && cell->position >= 0) found = true;
      }
    }
    QVERIFY(found);
  }

  void scrubsAndReplaysTheTimeline() {
    auto window = loaded_window();
    QVERIFY(window);
    set_sample(*window, {QStringLiteral("none"), QStringLiteral("elastic")});
    QSignalSpy done(window.get(), &MainWindow::runCompleted);
    window->startRun();
    QVERIFY(done.wait(120000));
    TimelineBar* timeline = window->timeline();
    const int longest = std::max(window->columnRun(0).steps(), window->columnRun(1).steps());
    QCOMPARE(timeline->steps(), longest);
    QCOMPARE(timeline->step(), longest - 1);
    timeline->setStep(0);
    for (StrategyColumn* column : window->columns()) {
      QCOMPARE(column->canvas()->frameStep(), 0);
      QCOMPARE(column->heatmap()->frameStep(), 0);
    }
    // Step 0 shows exactly the tokens decoded at step 0 (a stop token among them is drawn as
    // after-the-stop), and nothing as decoded earlier.
    const CanvasFrame first = window->columnRun(0).canvas_frame(0);
    int fresh = 0, earlier = 0;
    for (const Chip& chip : first.chips) {
      fresh += chip.state != Chip::State::Masked && chip.decoded_at == 0;
      earlier += chip.state == Chip::State::Earlier;
    }
    QCOMPARE(fresh, int(window->columnRun(0).event(0)->decoded_positions.size()));
    QCOMPARE(earlier, 0);
    // The cumulative view: `none` recomputes every cell at every step, so every share is 1;
    // Elastic-Cache reuses some of them (below its boundary layer after the first step), and the
    // mean share over the cells is the run's recomputed fraction of layer-rows.
    window->setCumulative(true);
    QCOMPARE(window->columns()[0]->heatmap()->mode(), CacheHeatmap::Mode::Cumulative);
    const HeatmapFrame none_cum = window->columnRun(0).heatmap_frame(longest - 1, true);
    QVERIFY(!none_cum.recompute_share.empty());
    for (float share : none_cum.recompute_share) QCOMPARE(share, 1.0f);
    const HeatmapFrame elastic_cum = window->columnRun(1).heatmap_frame(longest - 1, true);
    double mean = 0;
    for (float share : elastic_cum.recompute_share) mean += share;
    mean /= double(elastic_cum.recompute_share.size());
    QVERIFY(mean > 0.0 && mean < 1.0);
    QVERIFY(std::abs(mean - window->columnRun(1).trace()->summary.recompute_fraction) < 1e-3);
    timeline->setSpeed(8.0);
    timeline->play();
    QVERIFY(timeline->isPlaying());
    QTRY_COMPARE_WITH_TIMEOUT(timeline->step(), longest - 1, 30000);
    QTRY_VERIFY(!timeline->isPlaying());
    QCOMPARE(window->columns()[0]->canvas()->frameStep(), window->columnRun(0).steps() - 1);
  }

  void stopsARunMidway() {
    auto window = loaded_window();
    QVERIFY(window);
    // The sample sets its own gen length, so the long run's settings come after it.
    window->input()->applySample(0);
    RunSettings settings = window->runSettings();
    settings.decode.gen_length = settings.decode.block_length = settings.decode.steps = 256;
    window->setRunSettings(settings);
    window->input()->setSelectedStrategies({QStringLiteral("none"), QStringLiteral("dkv-decode"),
                                            QStringLiteral("dllm-cache"),
                                            QStringLiteral("elastic")});
    QSignalSpy done(window.get(), &MainWindow::runCompleted);
    window->startRun();
    QTRY_VERIFY_WITH_TIMEOUT(window->columnRun(0).steps() > 0, 60000);
    window->stop();
    QVERIFY(done.wait(60000));
    QCOMPARE(done.first().first().toBool(), false);
    QVERIFY(!window->isRunning());
    // The last column never finished; what ran is kept and can be scrubbed.
    QVERIFY(!window->columnRun(3).trace());
    QVERIFY(window->timeline()->steps() > 0);
    // And the app runs again afterwards.
    settings.decode.gen_length = settings.decode.block_length = settings.decode.steps = 32;
    window->setRunSettings(settings);
    window->input()->setSelectedStrategies({QStringLiteral("none")});
    window->startRun();
    QVERIFY(done.wait(120000));
    QCOMPARE(done.last().first().toBool(), true);
  }

  void closingMidRunShutsDownCleanly() {
    auto window = loaded_window();
    QVERIFY(window);
    set_sample(*window, {QStringLiteral("none"), QStringLiteral("dkv-decode")});
    RunSettings settings = window->runSettings();
    settings.decode.gen_length = settings.decode.block_length = settings.decode.steps = 256;
    window->setRunSettings(settings);
    QSignalSpy done(window.get(), &MainWindow::runCompleted);
    window->startRun();
    QTRY_VERIFY_WITH_TIMEOUT(window->columnRun(0).steps() > 0, 60000);
    window->close();
    // Closing stops the engine within a layer: the run ends cancelled, not completed.
    QVERIFY(done.wait(60000));
    QCOMPARE(done.first().first().toBool(), false);
    window.reset();  // joins the engine thread
  }
};

int main(int argc, char** argv) {
  return run_gui_tests<AppRunTest>(argc, argv);
}

#include "test_app_run.moc"

// SPDX-License-Identifier: MIT
#include "main_window.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "benchmark_view.h"
#include "cachelens/resources.h"
#include "engine_worker.h"
#include "export_files.h"
#include "input_panel.h"
#include "palette.h"
#include "settings_dialog.h"
#include "widgets/cache_heatmap.h"
#include "widgets/image_drop.h"
#include "widgets/strategy_column.h"
#include "widgets/timeline_bar.h"

namespace cachelens::ui {

namespace {

// Painting follows the screen, not the engine: a small model decodes far faster than 30 fps.
constexpr int kRepaintMs = 33;

QString human_bytes(int64_t bytes) {
  if (bytes >= (int64_t(1) << 30)) return QString::number(bytes / double(1 << 30), 'f', 1) + " GB";
  if (bytes >= (int64_t(1) << 20)) return QString::number(bytes / double(1 << 20), 'f', 1) + " MB";
  return QString::number(bytes / 1024.0, 'f', 0) + " KB";
}

QString human_count(int64_t n) {
  if (n >= 1000000000) return QString::number(n / 1e9, 'f', 2) + "B";
  if (n >= 1000000) return QString::number(n / 1e6, 'f', 2) + "M";
  return QString::number(n / 1e3, 'f', 1) + "K";
}

}  // namespace

MainWindow::MainWindow(const WindowOptions& options, QWidget* parent)
    : QMainWindow(parent), options_(options) {
  register_run_types();
  setObjectName(QStringLiteral("mainWindow"));
  setWindowTitle(tr("CacheLens"));
  if (options_.persist_settings) {
    QSettings stored;
    settings_ = load_run_settings(stored);
  }
  set_theme(settings_.dark_theme ? Theme::Dark : Theme::Light);

  auto* central = new QWidget;
  auto* outer = new QHBoxLayout(central);
  outer->setContentsMargins(0, 0, 0, 0);
  input_ = new InputPanel;
  input_->setSelectedStrategies(settings_.columns);
  outer->addWidget(input_);

  tabs_ = new QTabWidget;
  auto* inspect = new QWidget;
  auto* inspect_layout = new QVBoxLayout(inspect);
  inspect_layout->setContentsMargins(0, 0, 0, 0);
  scroll_ = new QScrollArea;
  scroll_->setWidgetResizable(true);
  scroll_->setFrameShape(QFrame::NoFrame);
  columns_host_ = new QWidget;
  columns_layout_ = new QHBoxLayout(columns_host_);
  columns_layout_->setContentsMargins(4, 4, 4, 4);
  empty_hint_ =
      new QLabel(tr("Pick a sample (or drop an image and ask a question), choose the "
                    "strategies to compare, and press Run.\nEach strategy gets a column: "
                    "the answer forming step by step, and which layers × rows its cache "
                    "recomputed or reused."));
  empty_hint_->setAlignment(Qt::AlignCenter);
  empty_hint_->setWordWrap(true);
  columns_layout_->addWidget(empty_hint_);
  scroll_->setWidget(columns_host_);
  inspect_layout->addWidget(scroll_, 1);
  timeline_ = new TimelineBar;
  inspect_layout->addWidget(timeline_);
  tabs_->addTab(inspect, tr("Inspect"));
  bench_ = new BenchmarkView;
  tabs_->addTab(bench_, tr("Benchmark"));
  outer->addWidget(tabs_, 1);
  setCentralWidget(central);

  buildMenus();
  buildStatusBar();

  connect(input_, &InputPanel::runRequested, this, &MainWindow::startRun);
  connect(input_, &InputPanel::stopRequested, this, &MainWindow::stop);
  connect(input_, &InputPanel::settingsRequested, this, [this] {
    SettingsDialog dialog(settings_, this);
    if (dialog.exec() == QDialog::Accepted) setRunSettings(dialog.settings());
  });
  connect(input_, &InputPanel::strategiesChanged, this, [this](const QStringList& names) {
    settings_.columns = names;
    saveSettings();
  });
  connect(input_, &InputPanel::sampleApplied, this, [this](int gen_length) {
    if (gen_length == settings_.decode.gen_length) return;
    // A sample's answer needs its own length (step-by-step answers are long); one token a step.
    RunSettings run = settings_;
    run.decode.gen_length = run.decode.block_length = run.decode.steps = gen_length;
    setRunSettings(run);
    statusBar()->showMessage(tr("Gen length set to %1 for this sample").arg(gen_length), 5000);
  });
  connect(input_->imageDrop(), &ImageDrop::failed, this, &MainWindow::showError);
  connect(timeline_, &TimelineBar::stepChanged, this, [this](int step) {
    if (!running_) showStep(step);
  });

  // The worker lives on its own thread; everything crossing is queued.
  thread_ = new QThread(this);
  thread_->setObjectName(QStringLiteral("engine"));
  worker_ = new EngineWorker;
  worker_->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &MainWindow::requestLoad, worker_, &EngineWorker::loadModel);
  connect(this, &MainWindow::requestRun, worker_, &EngineWorker::run);
  connect(this, &MainWindow::requestBench, worker_, &EngineWorker::runBenchmark);
  connect(worker_, &EngineWorker::loadProgress, this, &MainWindow::onLoadProgress);
  connect(worker_, &EngineWorker::modelLoaded, this, &MainWindow::onModelLoaded);
  connect(worker_, &EngineWorker::loadFailed, this, &MainWindow::onLoadFailed);
  connect(worker_, &EngineWorker::columnStarted, this, &MainWindow::onColumnStarted);
  connect(worker_, &EngineWorker::stepReady, this, &MainWindow::onStepReady);
  connect(worker_, &EngineWorker::columnFinished, this, &MainWindow::onColumnFinished);
  connect(worker_, &EngineWorker::runFinished, this, &MainWindow::onRunFinished);
  connect(worker_, &EngineWorker::benchProgress, bench_, &BenchmarkView::onProgress);
  connect(worker_, &EngineWorker::benchFinished, bench_, &BenchmarkView::onFinished);
  connect(bench_, &BenchmarkView::runRequested, this, &MainWindow::requestBench);
  connect(bench_, &BenchmarkView::stopRequested, this, &MainWindow::stop);
  connect(bench_, &BenchmarkView::failed, this, &MainWindow::showError);
  connect(bench_, &BenchmarkView::running, this, [this](bool on) {
    bench_running_ = on;
    updateReady();
  });
  thread_->start();

  repaint_ = new QTimer(this);
  repaint_->setInterval(kRepaintMs);
  connect(repaint_, &QTimer::timeout, this, &MainWindow::refreshLive);
  repaint_->start();

  setRunSettings(settings_);
  resize(1500, 960);
  loadModel(options_.model_dir.isEmpty() ? QString::fromStdString(embedded_model_dir().string())
                                         : options_.model_dir);
}

MainWindow::~MainWindow() {
  worker_->requestStop();
  thread_->quit();
  thread_->wait();
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open &image…"), QKeySequence::Open, input_->imageDrop(), &ImageDrop::browse);
  file->addAction(tr("&Paste image"), QKeySequence(tr("Ctrl+Shift+V")), input_->imageDrop(),
                  &ImageDrop::pasteFromClipboard);
  file->addSeparator();
  file->addAction(tr("Open &model folder…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open a LLaDA-V checkpoint folder (config.json, *.safetensors, tokenizer.json)"));
    if (!dir.isEmpty()) loadModel(dir);
  });
  file->addAction(tr("Use the &embedded model"), this,
                  [this] { loadModel(QString::fromStdString(embedded_model_dir().string())); });
  file->addSeparator();
  file->addAction(tr("Export &trace JSON…"), this, [this] {
    const int c = pickColumn(tr("Export trace"));
    if (c < 0) return;
    const QString f = QFileDialog::getSaveFileName(this, tr("Export trace"),
                                                   columns_[size_t(c)]->strategy() + ".trace.json",
                                                   tr("Trace JSON (*.json)"));
    if (!f.isEmpty()) showError(exportTrace(c, f));
  });
  file->addAction(tr("Export &heatmap PNG…"), this, [this] {
    const int c = pickColumn(tr("Export heatmap"));
    if (c < 0) return;
    const QString f = QFileDialog::getSaveFileName(this, tr("Export heatmap"),
                                                   columns_[size_t(c)]->strategy() + ".heatmap.png",
                                                   tr("PNG (*.png)"));
    if (!f.isEmpty()) showError(exportHeatmap(c, f));
  });
  file->addAction(tr("Export &comparison CSV…"), this, [this] {
    const QString f = QFileDialog::getSaveFileName(
        this, tr("Export comparison"), QStringLiteral("comparison.csv"), tr("CSV (*.csv)"));
    if (!f.isEmpty()) showError(exportComparison(f));
  });
  file->addAction(tr("Save &screenshot…"), this, [this] {
    const QString f = QFileDialog::getSaveFileName(
        this, tr("Save screenshot"), QStringLiteral("cachelens.png"), tr("PNG (*.png)"));
    if (!f.isEmpty()) showError(saveScreenshot(f));
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  run->addAction(tr("&Run"), QKeySequence(tr("Ctrl+R")), this, &MainWindow::startRun);
  run->addAction(tr("&Stop"), this, &MainWindow::stop);
  run->addAction(tr("S&ettings…"), input_, &InputPanel::settingsRequested);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  cumulative_action_ = view->addAction(tr("&Cumulative heatmap (share of steps recomputed)"));
  cumulative_action_->setCheckable(true);
  connect(cumulative_action_, &QAction::toggled, this, &MainWindow::setCumulative);
  dark_action_ = view->addAction(tr("&Dark theme"));
  dark_action_->setCheckable(true);
  dark_action_->setChecked(settings_.dark_theme);
  connect(dark_action_, &QAction::toggled, this, &MainWindow::setDarkTheme);

  QMenu* device = menuBar()->addMenu(tr("&Device"));
  auto* group = new QActionGroup(device);
  for (const QString& d : {QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")}) {
    QAction* a = device->addAction(d == "auto" ? tr("Auto (CUDA when usable)") : d.toUpper());
    a->setCheckable(true);
    a->setChecked(settings_.device == d);
    group->addAction(a);
    connect(a, &QAction::triggered, this, [this, d] {
      settings_.device = d;
      saveSettings();
      if (model_) loadModel(QString::fromStdString(model_->info.path.string()));
    });
  }

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About CacheLens"), this, [this] {
    QMessageBox::about(this, tr("About CacheLens"),
                       tr("<b>CacheLens</b><br>LLaDA-V denoising, step by step, and what each "
                          "KV-cache strategy recomputed or reused.<br><br>Heatmap: rows are "
                          "layers, columns are sequence rows (image, prompt, answer). Orange "
                          "cells were recomputed this step, blue ones served from the cache."));
  });
}

void MainWindow::buildStatusBar() {
  model_label_ = new QLabel(tr("no model"));
  model_label_->setObjectName(QStringLiteral("modelLabel"));
  device_label_ = new QLabel;
  device_label_->setObjectName(QStringLiteral("deviceLabel"));
  load_bar_ = new QProgressBar;
  load_bar_->setObjectName(QStringLiteral("loadProgress"));
  load_bar_->setMaximumWidth(220);
  load_bar_->setRange(0, 1000);
  load_cancel_ = new QPushButton(tr("Cancel"));
  load_cancel_->setObjectName(QStringLiteral("loadCancel"));
  connect(load_cancel_, &QPushButton::clicked, this, &MainWindow::cancelLoad);
  statusBar()->addPermanentWidget(load_bar_);
  statusBar()->addPermanentWidget(load_cancel_);
  statusBar()->addPermanentWidget(model_label_);
  statusBar()->addPermanentWidget(device_label_);
  load_bar_->hide();
  load_cancel_->hide();
}

void MainWindow::setRunSettings(const RunSettings& settings) {
  settings_ = settings;
  saveSettings();
  bench_->setRunSettings(settings_.decode,
                         [this](const QString& name) { return settings_.strategy(name); });
}

void MainWindow::saveSettings() {
  if (!options_.persist_settings) return;
  QSettings stored;
  save_run_settings(stored, settings_);
}

void MainWindow::updateReady() {
  const bool ready = model_ && !loading_;
  input_->setReady(ready && !bench_running_);
  input_->setRunning(running_);
  bench_->setReady(ready && !running_);
}

void MainWindow::loadModel(const QString& dir) {
  if (running_ || bench_running_) {
    showError(tr("Stop the current run before loading another model."));
    return;
  }
  loading_ = true;
  loading_dir_ = dir;
  load_bar_->setValue(0);
  load_bar_->show();
  load_cancel_->show();
  statusBar()->showMessage(tr("Loading %1…").arg(dir));
  updateReady();
  Q_EMIT requestLoad(dir, settings_.device);
}

void MainWindow::cancelLoad() {
  if (loading_) worker_->requestStop();
}

void MainWindow::onLoadProgress(double fraction, const QString& stage) {
  load_bar_->setValue(static_cast<int>(fraction * 1000));
  load_bar_->setFormat(stage + QStringLiteral(" %p%"));
}

void MainWindow::onModelLoaded(ModelSummaryPtr model) {
  model_ = std::move(model);
  loading_ = false;
  load_bar_->hide();
  load_cancel_->hide();
  const ModelInfo& info = model_->info;
  model_label_->setText(tr("%1 · %2 parameters · %3")
                            .arg(QString::fromStdString(info.name), human_count(info.parameters),
                                 human_bytes(info.checkpoint_bytes)));
  model_label_->setToolTip(QString::fromStdString(info.path.string()));
  // The reason ("auto: no CUDA device in this LibTorch build or machine") is what a user with a
  // GPU needs to see to understand why the run is on the CPU.
  device_label_->setText(QStringLiteral("%1 %2 · %3")
                             .arg(QString::fromStdString(info.device).toUpper(),
                                  QString::fromStdString(info.dtype),
                                  QString::fromStdString(info.device_reason)));
  device_label_->setToolTip(QString::fromStdString(info.device_reason));
  statusBar()->showMessage(
      tr("Model ready on %1: %2")
          .arg(QString::fromStdString(info.device), QString::fromStdString(info.device_reason)),
      8000);
  const ModelConfig config = info.config;
  input_->imageDrop()->setTokenCounter(
      [config](int w, int h) { return static_cast<qint64>(image_tokens_for(config, w, h)); });
  updateReady();
  Q_EMIT modelReady();
}

void MainWindow::onLoadFailed(const QString& message, bool cancelled) {
  loading_ = false;
  load_bar_->hide();
  load_cancel_->hide();
  updateReady();
  if (cancelled) {
    statusBar()->showMessage(model_ ? tr("Loading cancelled; the previous model stays loaded.")
                                    : tr("Loading cancelled; no model is loaded."),
                             8000);
  } else {
    showError(tr("Cannot load the model in '%1':\n%2").arg(loading_dir_, message));
  }
  Q_EMIT modelFailed(message);
}

QString MainWindow::settingsSummary(const QString& strategy) const {
  const StrategySettings s = settings_.strategy(strategy);
  QStringList parts;
  for (const auto& [key, value] : s.resolved()) {
    parts << QString::fromStdString(key + "=" + value);
  }
  const UnmaskRule rule = rule_for(strategy.toStdString(), settings_.decode.rule);
  QString text = tr("%1 · gen %2 · block %3 · %4 steps")
                     .arg(QString::fromLatin1(unmask_rule_name(rule)))
                     .arg(settings_.decode.gen_length)
                     .arg(settings_.decode.block_length)
                     .arg(settings_.decode.steps);
  if (!parts.isEmpty()) text += QStringLiteral("\n") + parts.join(QStringLiteral(" · "));
  return text;
}

double MainWindow::driftThreshold(const QString& strategy) const {
  // Elastic-Cache's gamma is the only drift test in the catalog; its heatmap draws that line.
  const StrategySettings s = settings_.strategy(strategy);
  return s.resolved().count("gamma") ? s.get_double("gamma") : -1.0;
}

void MainWindow::rebuildColumns(const QStringList& strategies) {
  for (StrategyColumn* c : columns_) c->deleteLater();
  columns_.clear();
  empty_hint_->setVisible(strategies.isEmpty());
  for (const QString& name : strategies) {
    const StrategyInfo& info = strategy_info(name.toStdString());
    auto* column =
        new StrategyColumn(name, QString::fromStdString(info.title), settingsSummary(name));
    column->setHeatmapMode(cumulative_ ? CacheHeatmap::Mode::Cumulative : CacheHeatmap::Mode::Step);
    columns_layout_->addWidget(column, 1);
    columns_.push_back(column);
  }
  // One x axis for every column: if any strategy measures drift, every map leaves its room.
  const bool drift = std::any_of(strategies.begin(), strategies.end(),
                                 [this](const QString& n) { return driftThreshold(n) >= 0; });
  for (StrategyColumn* c : columns_) c->heatmap()->setReserveDriftStrip(drift);
}

void MainWindow::startRun() {
  if (!model_ || running_ || loading_ || bench_running_) return;
  const QStringList strategies = input_->selectedStrategies();
  if (strategies.isEmpty() || input_->prompt().isEmpty()) {
    showError(tr("Type a question and pick at least one strategy."));
    return;
  }
  auto plan = std::make_shared<RunPlan>();
  plan->run_id = ++run_id_;
  try {
    settings_.decode.validate();
    for (const QString& name : strategies) {
      GenerateRequest request;
      request.prompt = input_->prompt().toStdString();
      request.image_path = input_->imageDrop()->imagePath().toStdString();
      request.expected_answer = input_->expected().toStdString();
      request.decode = settings_.decode;
      request.decode.rule = rule_for(name.toStdString(), settings_.decode.rule);
      request.strategy = settings_.strategy(name);
      request.strategy.validate(request.decode.rule);
      plan->columns.push_back(request);
    }
  } catch (const std::exception& e) {
    showError(tr("The run settings are not valid: %1").arg(QString::fromStdString(e.what())));
    return;
  }
  tabs_->setCurrentIndex(0);
  rebuildColumns(strategies);
  runs_.clear();
  for (const QString& name : strategies) runs_.emplace_back(name, model_, driftThreshold(name));
  running_ = true;
  timeline_->setSteps(0);
  updateReady();
  statusBar()->showMessage(tr("Running %1 strategies…").arg(strategies.size()));
  // The new columns are laid out and painted first: that burst of UI work would otherwise share
  // the CPU with the first (baseline) column and skew its timings against the others.
  QTimer::singleShot(kRepaintMs * 2, this, [this, plan] {
    if (plan->run_id == run_id_) Q_EMIT requestRun(plan);
  });
}

void MainWindow::stop() {
  worker_->requestStop();
}

void MainWindow::onColumnStarted(int run_id, int column, const ColumnLayoutInfo& layout) {
  if (run_id != run_id_ || column >= static_cast<int>(runs_.size())) return;
  runs_[size_t(column)].set_layout(layout);
  columns_[size_t(column)]->setStatus(tr("running…"));
}

void MainWindow::onStepReady(int run_id, int column, StepEventPtr event) {
  if (run_id != run_id_ || column >= static_cast<int>(runs_.size())) return;
  runs_[size_t(column)].add_step(std::move(event));
  dirty_ = true;
}

void MainWindow::onColumnFinished(int run_id, int column, TracePtr trace) {
  if (run_id != run_id_ || column >= static_cast<int>(runs_.size())) return;
  runs_[size_t(column)].finish(std::move(trace));
  columns_[size_t(column)]->setStatus(tr("done"));
  dirty_ = true;
}

void MainWindow::refreshLive() {
  if (!dirty_ || !running_) return;
  dirty_ = false;
  for (size_t i = 0; i < columns_.size(); ++i) {
    columns_[i]->showStep(&runs_[i], runs_[i].steps() - 1);
  }
}

void MainWindow::showStep(int step) {
  for (size_t i = 0; i < columns_.size() && i < runs_.size(); ++i) {
    columns_[i]->showStep(&runs_[i], step);
  }
}

void MainWindow::onRunFinished(int run_id, bool cancelled, const QString& error) {
  if (run_id != run_id_) return;
  running_ = false;
  int longest = 0;
  for (size_t i = 0; i < runs_.size(); ++i) {
    longest = std::max(longest, runs_[i].steps());
    if (!runs_[i].trace()) {
      columns_[i]->setStatus(cancelled ? tr("stopped at step %1").arg(runs_[i].steps())
                                       : tr("not run"));
    }
  }
  timeline_->setSteps(longest);
  showStep(longest - 1);
  updateReady();
  if (!error.isEmpty()) {
    showError(tr("The run failed: %1").arg(error));
  } else if (cancelled) {
    statusBar()->showMessage(tr("Stopped."), 5000);
  } else {
    statusBar()->showMessage(tr("Done. Scrub or replay the steps with the timeline."), 8000);
  }
  Q_EMIT runCompleted(!cancelled && error.isEmpty());
}

void MainWindow::showError(const QString& message) {
  if (message.isEmpty()) return;
  last_error_ = message;
  // Window-modal and non-blocking, so the engine thread and tests keep going.
  auto* box =
      new QMessageBox(QMessageBox::Warning, tr("CacheLens"), message, QMessageBox::Ok, this);
  box->setObjectName(QStringLiteral("errorDialog"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::setDarkTheme(bool dark) {
  settings_.dark_theme = dark;
  {
    const QSignalBlocker block(dark_action_);
    dark_action_->setChecked(dark);
  }
  set_theme(dark ? Theme::Dark : Theme::Light);
  saveSettings();
  if (!running_) showStep(timeline_->step());
  update();
}

void MainWindow::setCumulative(bool cumulative) {
  cumulative_ = cumulative;
  {
    const QSignalBlocker block(cumulative_action_);
    cumulative_action_->setChecked(cumulative);
  }
  for (StrategyColumn* c : columns_) {
    c->setHeatmapMode(cumulative ? CacheHeatmap::Mode::Cumulative : CacheHeatmap::Mode::Step);
  }
  // Frames carry the cumulative shares only when asked for, so the shown step is rebuilt.
  if (running_) {
    dirty_ = true;
  } else {
    showStep(timeline_->step());
  }
}

int MainWindow::pickColumn(const QString& title) {
  QStringList names;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (runs_.size() > i && runs_[i].trace()) names << columns_[i]->strategy();
  }
  if (names.isEmpty()) {
    showError(tr("Run at least one strategy to completion first."));
    return -1;
  }
  QString chosen = names.first();
  if (names.size() > 1) {
    bool ok = false;
    chosen = QInputDialog::getItem(this, title, tr("Column"), names, 0, false, &ok);
    if (!ok) return -1;
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i]->strategy() == chosen) return static_cast<int>(i);
  }
  return -1;
}

QString MainWindow::exportTrace(int column, const QString& file) const {
  if (column < 0 || column >= static_cast<int>(runs_.size())) return tr("No such column.");
  return export_trace(runs_[size_t(column)], file);
}

QString MainWindow::exportHeatmap(int column, const QString& file) const {
  if (column < 0 || column >= static_cast<int>(columns_.size())) return tr("No such column.");
  return export_png(columns_[size_t(column)]->heatmap()->renderImage(QSize(1600, 480)), file);
}

QString MainWindow::exportComparison(const QString& file) const {
  std::vector<const ColumnRun*> runs;
  for (const ColumnRun& r : runs_) runs.push_back(&r);
  if (runs.empty()) return tr("Nothing to export: run at least one strategy first.");
  return export_text(comparison_csv(runs), file);
}

QString MainWindow::saveScreenshot(const QString& file) {
  return export_png(grab().toImage(), file);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  // Stop answers within one layer, so waiting for the thread is short.
  worker_->requestStop();
  saveSettings();
  event->accept();
}

}  // namespace cachelens::ui

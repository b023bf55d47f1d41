// SPDX-License-Identifier: MIT
// The CacheLens main window: input on the left, one column per strategy, the timeline below, a
// Benchmark tab, the model and device in the status bar. It owns the EngineWorker's thread and
// only ever talks to it through queued signals (plus the atomic Stop).
#pragma once

#include <QMainWindow>
#include <QStringList>
#include <vector>

#include "column_run.h"
#include "run_types.h"
#include "settings_store.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QTabWidget;
class QThread;
class QTimer;
class QHBoxLayout;
class QAction;

namespace cachelens::ui {

class BenchmarkView;
class EngineWorker;
class InputPanel;
class StrategyColumn;
class TimelineBar;

struct WindowOptions {
  QString model_dir;  // empty: the embedded model
  // false for the scripted demo: defaults in, nothing written over the user's settings
  bool persist_settings = true;
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const WindowOptions& options = {}, QWidget* parent = nullptr);
  ~MainWindow() override;

  // For the demo, tests and the menus.
  InputPanel* input() const { return input_; }
  TimelineBar* timeline() const { return timeline_; }
  BenchmarkView* benchmark() const { return bench_; }
  const std::vector<StrategyColumn*>& columns() const { return columns_; }
  const ColumnRun& columnRun(int column) const { return runs_.at(static_cast<size_t>(column)); }
  bool isRunning() const { return running_; }
  bool isLoading() const { return loading_; }
  const ModelSummaryPtr& model() const { return model_; }
  const RunSettings& runSettings() const { return settings_; }
  void setRunSettings(const RunSettings& settings);
  QString lastError() const { return last_error_; }
  QTabWidget* tabs() const { return tabs_; }

  // Export functions return an error message, empty on success.
  QString exportTrace(int column, const QString& file) const;
  QString exportHeatmap(int column, const QString& file) const;
  QString exportComparison(const QString& file) const;
  QString saveScreenshot(const QString& file);

 public Q_SLOTS:
  void loadModel(const QString& dir);
  void cancelLoad();
  void startRun();
  void stop();
  void showError(const QString& message);
  void setDarkTheme(bool dark);
  void setCumulative(bool cumulative);

 Q_SIGNALS:
  void modelReady();
  void modelFailed(const QString& message);
  void runCompleted(bool ok);  // false: stopped or failed

  // To the worker (queued).
  void requestLoad(const QString& dir, const QString& device);
  void requestRun(cachelens::ui::RunPlanPtr plan);
  void requestBench(cachelens::ui::BenchPlanPtr plan);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void buildStatusBar();
  void rebuildColumns(const QStringList& strategies);
  void refreshLive();
  void showStep(int step);
  void saveSettings();
  void updateReady();
  int pickColumn(const QString& title);
  QString settingsSummary(const QString& strategy) const;
  // The strategy's drift threshold (Elastic's gamma), or -1 when it measures no drift.
  double driftThreshold(const QString& strategy) const;

  void onLoadProgress(double fraction, const QString& stage);
  void onModelLoaded(ModelSummaryPtr model);
  void onLoadFailed(const QString& message, bool cancelled);
  void onColumnStarted(int run_id, int column, const ColumnLayoutInfo& layout);
  void onStepReady(int run_id, int column, StepEventPtr event);
  void onColumnFinished(int run_id, int column, TracePtr trace);
  void onRunFinished(int run_id, bool cancelled, const QString& error);

  WindowOptions options_;
  RunSettings settings_;
  QThread* thread_ = nullptr;
  EngineWorker* worker_ = nullptr;
  ModelSummaryPtr model_;
  QString loading_dir_;

  InputPanel* input_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QScrollArea* scroll_ = nullptr;
  QWidget* columns_host_ = nullptr;
  QHBoxLayout* columns_layout_ = nullptr;
  QLabel* empty_hint_ = nullptr;
  std::vector<StrategyColumn*> columns_;
  std::vector<ColumnRun> runs_;
  TimelineBar* timeline_ = nullptr;
  BenchmarkView* bench_ = nullptr;

  QLabel* model_label_ = nullptr;
  QLabel* device_label_ = nullptr;
  QProgressBar* load_bar_ = nullptr;
  QPushButton* load_cancel_ = nullptr;
  QAction* dark_action_ = nullptr;
  QAction* cumulative_action_ = nullptr;

  QTimer* repaint_ = nullptr;
  bool dirty_ = false, running_ = false, loading_ = false, bench_running_ = false;
  bool cumulative_ = false;
  int run_id_ = 0;
  QString last_error_;
};

}  // namespace cachelens::ui

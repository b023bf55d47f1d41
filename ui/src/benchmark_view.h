// SPDX-License-Identifier: MIT
// The Benchmark tab: an eval set (the shipped one by default) through chosen strategies, with a
// progress bar and Stop, then the accuracy / tokens/s / speedup table and an accuracy-versus-
// throughput plot.
#pragma once

#include <QWidget>
#include <functional>
#include <vector>

#include "run_types.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace cachelens::ui {

class AccuracyPlot;

class BenchmarkView : public QWidget {
  Q_OBJECT
 public:
  explicit BenchmarkView(QWidget* parent = nullptr);

  void setReady(bool ready);  // a model is loaded and nothing else runs
  void setRunSettings(const DecodeSettings& decode,
                      std::function<StrategySettings(const QString&)> strategy_for);
  QString setPath() const;
  void setSetPath(const QString& path);
  void setLimit(int limit);
  void setStrategies(const QStringList& names);
  const EvalReportPtr& report() const { return report_; }
  QTableWidget* table() const { return table_; }
  AccuracyPlot* plot() const { return plot_; }

 public Q_SLOTS:
  void start();
  void onProgress(qint64 done, qint64 total, const QString& strategy);
  void onFinished(cachelens::ui::EvalReportPtr report, bool cancelled, const QString& error);
  void exportCsv();

 Q_SIGNALS:
  void runRequested(cachelens::ui::BenchPlanPtr plan);
  void stopRequested();
  void running(bool running);
  void failed(const QString& message);

 private:
  void showReport(const EvalReport& report);
  QLineEdit* set_ = nullptr;
  QSpinBox* limit_ = nullptr;
  std::vector<QCheckBox*> boxes_;
  QPushButton *run_ = nullptr, *stop_ = nullptr, *export_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QTableWidget* table_ = nullptr;
  AccuracyPlot* plot_ = nullptr;
  EvalReportPtr report_;
  DecodeSettings decode_;
  std::function<StrategySettings(const QString&)> strategy_for_;
  bool ready_ = false, running_ = false;
};

}  // namespace cachelens::ui

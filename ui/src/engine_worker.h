// SPDX-License-Identifier: MIT
// EngineWorker owns the engine Session on its own thread (DESIGN.md, "The UI"). The window talks
// to it through queued signals only; requestStop() is the one direct call, an atomic flag the
// engine polls before every layer, so Stop answers within one layer.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "run_types.h"

namespace cachelens::ui {

class EngineWorker : public QObject {
  Q_OBJECT
 public:
  explicit EngineWorker(QObject* parent = nullptr);
  ~EngineWorker() override;

  // Thread-safe: the running load, generation or benchmark stops at its next check.
  void requestStop();

 public Q_SLOTS:
  void loadModel(const QString& model_dir, const QString& device);
  void run(cachelens::ui::RunPlanPtr plan);
  void runBenchmark(cachelens::ui::BenchPlanPtr plan);

 Q_SIGNALS:
  void loadProgress(double fraction, const QString& stage);
  void modelLoaded(cachelens::ui::ModelSummaryPtr model);
  // The previous model (if any) stays loaded after a failure or a cancel.
  void loadFailed(const QString& message, bool cancelled);

  void columnStarted(int run_id, int column, const cachelens::ui::ColumnLayoutInfo& layout);
  void stepReady(int run_id, int column, cachelens::ui::StepEventPtr event);
  void columnFinished(int run_id, int column, cachelens::ui::TracePtr trace);
  // error is empty on success; cancelled when Stop ended it.
  void runFinished(int run_id, bool cancelled, const QString& error);

  void benchProgress(qint64 done, qint64 total, const QString& strategy);
  void benchFinished(cachelens::ui::EvalReportPtr report, bool cancelled, const QString& error);

 private:
  ColumnLayoutInfo layout_for(const GenerateRequest& request, const StepEvent& first) const;
  std::unique_ptr<Session> session_;
  std::atomic<bool> stop_{false};
};

// Registers the metatypes of run_types.h once, before any queued connection uses them.
void register_run_types();

}  // namespace cachelens::ui

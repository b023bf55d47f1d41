// SPDX-License-Identifier: MIT
// What crosses the thread boundary between the UI and the EngineWorker: immutable, shared
// records registered as Qt metatypes so queued signals can carry them.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "cachelens/engine.h"
#include "cachelens/eval.h"
#include "cachelens/trace.h"

namespace cachelens::ui {

using StepEventPtr = std::shared_ptr<const StepEvent>;
using TracePtr = std::shared_ptr<const Trace>;

// A loaded model as the UI shows it; `token_texts` maps every id to readable text.
struct ModelSummary {
  ModelInfo info;
  int32_t mask_id = -1, stop_id = -1;
  std::shared_ptr<const std::vector<QString>> token_texts;
};
using ModelSummaryPtr = std::shared_ptr<const ModelSummary>;

// One Run press: a request per column, shown in this order.
struct RunPlan {
  int run_id = 0;
  std::vector<GenerateRequest> columns;
};
using RunPlanPtr = std::shared_ptr<const RunPlan>;

// Rows of the sequence by origin, known once a column's first step arrives.
struct ColumnLayoutInfo {
  int positions = 0, layers = 0, prompt_length = 0, image_begin = -1, image_end = -1;
  QStringList labels;  // one per prompt row
};

struct BenchPlan {
  QString set_path;
  std::vector<StrategySettings> strategies;
  DecodeSettings decode;
  int64_t limit = 0;
};
using BenchPlanPtr = std::shared_ptr<const BenchPlan>;
using EvalReportPtr = std::shared_ptr<const EvalReport>;

// Readable text of a token: the decoded bytes, with line breaks and tabs shown as glyphs.
QString display_token(const std::string& decoded);

}  // namespace cachelens::ui

Q_DECLARE_METATYPE(cachelens::ui::StepEventPtr)
Q_DECLARE_METATYPE(cachelens::ui::TracePtr)
Q_DECLARE_METATYPE(cachelens::ui::ModelSummaryPtr)
Q_DECLARE_METATYPE(cachelens::ui::RunPlanPtr)
Q_DECLARE_METATYPE(cachelens::ui::ColumnLayoutInfo)
Q_DECLARE_METATYPE(cachelens::ui::BenchPlanPtr)
Q_DECLARE_METATYPE(cachelens::ui::EvalReportPtr)

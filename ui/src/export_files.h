// SPDX-License-Identifier: MIT
// Exports the user keeps: trace JSON, heatmap PNG, the comparison table as CSV, screenshots.
// Every file goes through the engine's atomic writer (temp file, then rename), so a failure never
// leaves a half-written export; each function returns an error message, empty on success.
#pragma once

#include <QImage>
#include <QString>
#include <vector>

#include "cachelens/eval.h"
#include "column_run.h"

namespace cachelens::ui {

QString export_trace(const ColumnRun& run, const QString& file);
QString export_png(const QImage& image, const QString& file);
QString export_text(const QString& text, const QString& file);

// One row per column: strategy, answer, correct, tokens/s, ms/step, steps, NFE, rows recomputed,
// speedup and agreement against none, exact match, wall ms.
QString comparison_csv(const std::vector<const ColumnRun*>& runs);
// One row per strategy of a benchmark: accuracy, then per-family accuracy, and speed columns.
QString benchmark_csv(const EvalReport& report);

}  // namespace cachelens::ui

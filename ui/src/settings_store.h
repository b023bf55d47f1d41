// SPDX-License-Identifier: MIT
// The user's run settings (decoding, per-strategy parameters, chosen columns, theme) and their
// persistence in QSettings, so they survive restarts.
#pragma once

#include <QString>
#include <QStringList>
#include <map>
#include <string>

#include "cachelens/decode.h"
#include "cachelens/strategy.h"

class QSettings;

namespace cachelens::ui {

struct RunSettings {
  DecodeSettings decode = default_decode();
  // Parameters the user changed, per strategy (key -> value text); the rest keep their defaults.
  std::map<std::string, std::map<std::string, std::string>> strategy_values;
  QStringList columns = {QStringLiteral("none"), QStringLiteral("fast-dllm-dual"),
                         QStringLiteral("elastic")};
  bool dark_theme = false;
  QString device = QStringLiteral("auto");

  // Short answers of the embedded model fit in 32 positions, one token per step.
  static DecodeSettings default_decode();
  StrategySettings strategy(const QString& name) const;
};

RunSettings load_run_settings(QSettings& settings);
// Values the catalog no longer knows are dropped rather than kept to fail every later run.
void save_run_settings(QSettings& settings, const RunSettings& run);

}  // namespace cachelens::ui

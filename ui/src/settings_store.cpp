// SPDX-License-Identifier: MIT
#include "settings_store.h"

#include <QSettings>

namespace cachelens::ui {

DecodeSettings RunSettings::default_decode() {
  DecodeSettings d;
  d.gen_length = 32;
  d.block_length = 32;
  d.steps = 32;
  return d;
}

StrategySettings RunSettings::strategy(const QString& name) const {
  StrategySettings s;
  s.name = name.toStdString();
  const auto it = strategy_values.find(s.name);
  if (it != strategy_values.end()) s.values = it->second;
  return s;
}

namespace {

bool known_param(const StrategyInfo& info, const std::string& key) {
  for (const auto& p : info.params) {
    if (p.key == key) return true;
  }
  return false;
}

}  // namespace

RunSettings load_run_settings(QSettings& settings) {
  RunSettings run;
  const DecodeSettings def = run.decode;
  settings.beginGroup(QStringLiteral("decode"));
  run.decode.gen_length =
      settings.value(QStringLiteral("gen_length"), qint64(def.gen_length)).toLongLong();
  run.decode.block_length =
      settings.value(QStringLiteral("block_length"), qint64(def.block_length)).toLongLong();
  run.decode.steps = settings.value(QStringLiteral("steps"), qint64(def.steps)).toLongLong();
  try {
    run.decode.rule = parse_unmask_rule(
        settings.value(QStringLiteral("rule"), QString::fromLatin1(unmask_rule_name(def.rule)))
            .toString()
            .toStdString());
  } catch (const std::exception&) {
    run.decode.rule = def.rule;
  }
  run.decode.threshold = settings.value(QStringLiteral("threshold"), def.threshold).toDouble();
  run.decode.factor = settings.value(QStringLiteral("factor"), def.factor).toDouble();
  run.decode.temperature =
      settings.value(QStringLiteral("temperature"), def.temperature).toDouble();
  run.decode.seed = settings.value(QStringLiteral("seed"), quint64(def.seed)).toULongLong();
  settings.endGroup();
  // A stored combination that no longer validates (e.g. edited by hand) falls back to defaults.
  try {
    run.decode.validate();
  } catch (const std::exception&) {
    run.decode = def;
  }

  for (const StrategyInfo& info : strategy_catalog()) {
    settings.beginGroup(QStringLiteral("strategy/") + QString::fromStdString(info.name));
    for (const QString& key : settings.childKeys()) {
      if (!known_param(info, key.toStdString())) continue;
      run.strategy_values[info.name][key.toStdString()] =
          settings.value(key).toString().toStdString();
    }
    settings.endGroup();
  }
  QStringList columns = settings.value(QStringLiteral("columns"), run.columns).toStringList();
  QStringList known;
  for (const QString& c : columns) {
    for (const StrategyInfo& info : strategy_catalog()) {
      if (info.name == c.toStdString() && !known.contains(c)) known << c;
    }
  }
  if (!known.isEmpty()) run.columns = known;
  run.dark_theme = settings.value(QStringLiteral("dark_theme"), run.dark_theme).toBool();
  run.device = settings.value(QStringLiteral("device"), run.device).toString();
  return run;
}

void save_run_settings(QSettings& settings, const RunSettings& run) {
  settings.beginGroup(QStringLiteral("decode"));
  settings.setValue(QStringLiteral("gen_length"), qint64(run.decode.gen_length));
  settings.setValue(QStringLiteral("block_length"), qint64(run.decode.block_length));
  settings.setValue(QStringLiteral("steps"), qint64(run.decode.steps));
  settings.setValue(QStringLiteral("rule"), QString::fromLatin1(unmask_rule_name(run.decode.rule)));
  settings.setValue(QStringLiteral("threshold"), run.decode.threshold);
  settings.setValue(QStringLiteral("factor"), run.decode.factor);
  settings.setValue(QStringLiteral("temperature"), run.decode.temperature);
  settings.setValue(QStringLiteral("seed"), quint64(run.decode.seed));
  settings.endGroup();
  for (const StrategyInfo& info : strategy_catalog()) {
    const QString group = QStringLiteral("strategy/") + QString::fromStdString(info.name);
    settings.remove(group);
    const auto it = run.strategy_values.find(info.name);
    if (it == run.strategy_values.end()) continue;
    settings.beginGroup(group);
    for (const auto& [key, value] : it->second) {
      if (known_param(info, key)) {
        settings.setValue(QString::fromStdString(key), QString::fromStdString(value));
      }
    }
    settings.endGroup();
  }
  settings.setValue(QStringLiteral("columns"), run.columns);
  settings.setValue(QStringLiteral("dark_theme"), run.dark_theme);
  settings.setValue(QStringLiteral("device"), run.device);
  settings.sync();
}

}  // namespace cachelens::ui

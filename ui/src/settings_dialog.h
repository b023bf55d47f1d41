// SPDX-License-Identifier: MIT
// Decoding settings and every strategy's parameters, built from the engine's catalog, with each
// default shown beside its editor and a reset. Invalid combinations are refused with the
// engine's own message, naming the field.
#pragma once

#include <QDialog>
#include <map>
#include <string>
#include <vector>

#include "settings_store.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QTabWidget;
class QWidget;

namespace cachelens::ui {

class SettingsDialog : public QDialog {
  Q_OBJECT
 public:
  SettingsDialog(const RunSettings& settings, QWidget* parent = nullptr);
  // The edited settings; valid once the dialog was accepted.
  RunSettings settings() const { return result_; }

 public Q_SLOTS:
  void accept() override;
  void resetCurrentTab();
  void resetAll();

 private:
  struct ParamEditor {
    std::string strategy, key, default_value;
    QWidget* editor = nullptr;
  };
  QWidget* decodeTab();
  QWidget* strategyTab(const StrategyInfo& info);
  void showDecode(const DecodeSettings& d);
  void showParam(const ParamEditor& p, const std::string& value);
  std::string paramText(const ParamEditor& p) const;
  RunSettings collect() const;

  RunSettings initial_, result_;
  QTabWidget* tabs_ = nullptr;
  QSpinBox *gen_length_ = nullptr, *block_length_ = nullptr, *steps_ = nullptr, *seed_ = nullptr;
  QComboBox* rule_ = nullptr;
  QDoubleSpinBox *threshold_ = nullptr, *factor_ = nullptr, *temperature_ = nullptr;
  std::vector<ParamEditor> params_;
  QLabel* error_ = nullptr;
};

}  // namespace cachelens::ui

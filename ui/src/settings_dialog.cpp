// SPDX-License-Identifier: MIT
#include "settings_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

namespace cachelens::ui {

namespace {

const UnmaskRule kRules[] = {UnmaskRule::Fixed, UnmaskRule::Threshold, UnmaskRule::Factor,
                             UnmaskRule::Random};

QWidget* with_default(QWidget* editor, const QString& default_text) {
  auto* row = new QWidget;
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(editor, 1);
  auto* note = new QLabel(QObject::tr("default %1").arg(default_text));
  note->setEnabled(false);  // muted: it is a hint, not a value
  layout->addWidget(note);
  return row;
}

QSpinBox* int_box(int64_t min, int64_t max) {
  auto* box = new QSpinBox;
  box->setRange(static_cast<int>(std::max<int64_t>(min, std::numeric_limits<int>::min())),
                static_cast<int>(std::min<int64_t>(max, std::numeric_limits<int>::max())));
  return box;
}

QDoubleSpinBox* double_box(double min, double max, int decimals) {
  auto* box = new QDoubleSpinBox;
  box->setRange(min, max);
  box->setDecimals(decimals);
  box->setSingleStep(std::pow(10.0, -std::min(decimals, 2)));
  return box;
}

}  // namespace

SettingsDialog::SettingsDialog(const RunSettings& settings, QWidget* parent)
    : QDialog(parent), initial_(settings), result_(settings) {
  setWindowTitle(tr("Run settings"));
  setObjectName(QStringLiteral("settingsDialog"));
  auto* layout = new QVBoxLayout(this);
  tabs_ = new QTabWidget;
  tabs_->addTab(decodeTab(), tr("Decoding"));
  for (const StrategyInfo& info : strategy_catalog()) {
    if (info.params.empty()) continue;
    tabs_->addTab(strategyTab(info), QString::fromStdString(info.name));
  }
  layout->addWidget(tabs_);
  error_ = new QLabel;
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #D55E00"));
  error_->hide();
  layout->addWidget(error_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  auto* reset = buttons->addButton(tr("Reset this tab"), QDialogButtonBox::ResetRole);
  auto* reset_all = buttons->addButton(tr("Reset all"), QDialogButtonBox::ResetRole);
  connect(reset, &QPushButton::clicked, this, &SettingsDialog::resetCurrentTab);
  connect(reset_all, &QPushButton::clicked, this, &SettingsDialog::resetAll);
  connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
  layout->addWidget(buttons);
  showDecode(settings.decode);
  for (const ParamEditor& p : params_) {
    std::string value = p.default_value;
    const auto s = settings.strategy_values.find(p.strategy);
    if (s != settings.strategy_values.end()) {
      const auto v = s->second.find(p.key);
      if (v != s->second.end()) value = v->second;
    }
    showParam(p, value);
  }
  resize(780, 480);  // wide enough for every strategy tab without scroll arrows
}

QWidget* SettingsDialog::decodeTab() {
  const DecodeSettings def = RunSettings::default_decode();
  auto* page = new QWidget;
  auto* form = new QFormLayout(page);
  gen_length_ = int_box(1, 8192);
  block_length_ = int_box(1, 8192);
  steps_ = int_box(1, 8192);
  rule_ = new QComboBox;
  for (UnmaskRule r : kRules) rule_->addItem(QString::fromLatin1(unmask_rule_name(r)));
  threshold_ = double_box(0.0, 1.0, 3);
  factor_ = double_box(0.0, 100.0, 3);
  temperature_ = double_box(0.0, 10.0, 2);
  seed_ = int_box(0, std::numeric_limits<int>::max());
  gen_length_->setObjectName(QStringLiteral("gen_length"));
  block_length_->setObjectName(QStringLiteral("block_length"));
  steps_->setObjectName(QStringLiteral("steps"));
  rule_->setObjectName(QStringLiteral("rule"));
  form->addRow(tr("Gen length"), with_default(gen_length_, QString::number(def.gen_length)));
  form->addRow(tr("Block length"), with_default(block_length_, QString::number(def.block_length)));
  form->addRow(tr("Steps"), with_default(steps_, QString::number(def.steps)));
  form->addRow(tr("Unmasking rule"),
               with_default(rule_, QString::fromLatin1(unmask_rule_name(def.rule))));
  form->addRow(tr("τ (threshold rule)"), with_default(threshold_, QString::number(def.threshold)));
  form->addRow(tr("f (factor rule)"), with_default(factor_, QString::number(def.factor)));
  form->addRow(tr("Temperature"), with_default(temperature_, QString::number(def.temperature)));
  form->addRow(tr("Seed"), with_default(seed_, QString::number(def.seed)));
  auto* note =
      new QLabel(tr("Gen length must be a multiple of the block length, and steps a "
                    "multiple of the number of blocks."));
  note->setWordWrap(true);
  note->setEnabled(false);
  form->addRow(note);
  return page;
}

QWidget* SettingsDialog::strategyTab(const StrategyInfo& info) {
  auto* page = new QWidget;
  auto* outer = new QVBoxLayout(page);
  auto* about = new QLabel(QStringLiteral("<b>%1</b><br>%2")
                               .arg(QString::fromStdString(info.title).toHtmlEscaped(),
                                    QString::fromStdString(info.description).toHtmlEscaped()));
  about->setWordWrap(true);
  outer->addWidget(about);
  auto* form = new QFormLayout;
  for (const StrategyParam& param : info.params) {
    ParamEditor p{info.name, param.key, param.default_value, nullptr};
    switch (param.type) {
      case StrategyParam::Type::Int:
        p.editor = int_box(static_cast<int64_t>(param.min), static_cast<int64_t>(param.max));
        break;
      case StrategyParam::Type::Double:
        p.editor = double_box(param.min, param.max, 4);
        break;
      case StrategyParam::Type::Bool:
        p.editor = new QCheckBox;
        break;
      case StrategyParam::Type::Choice: {
        auto* combo = new QComboBox;
        for (const auto& c : param.choices) combo->addItem(QString::fromStdString(c));
        p.editor = combo;
        break;
      }
    }
    p.editor->setObjectName(QString::fromStdString(info.name + "." + param.key));
    p.editor->setToolTip(QString::fromStdString(param.description));
    auto* label = new QLabel(QString::fromStdString(param.key));
    label->setToolTip(QString::fromStdString(param.description));
    form->addRow(label, with_default(p.editor, QString::fromStdString(param.default_value)));
    params_.push_back(p);
  }
  outer->addLayout(form);
  outer->addStretch(1);
  return page;
}

void SettingsDialog::showDecode(const DecodeSettings& d) {
  gen_length_->setValue(static_cast<int>(d.gen_length));
  block_length_->setValue(static_cast<int>(d.block_length));
  steps_->setValue(static_cast<int>(d.steps));
  rule_->setCurrentText(QString::fromLatin1(unmask_rule_name(d.rule)));
  threshold_->setValue(d.threshold);
  factor_->setValue(d.factor);
  temperature_->setValue(d.temperature);
  seed_->setValue(static_cast<int>(d.seed));
}

void SettingsDialog::showParam(const ParamEditor& p, const std::string& value) {
  const QString text = QString::fromStdString(value);
  if (auto* box = qobject_cast<QSpinBox*>(p.editor)) {
    box->setValue(text.toInt());
  } else if (auto* dbox = qobject_cast<QDoubleSpinBox*>(p.editor)) {
    dbox->setValue(text.toDouble());
  } else if (auto* check = qobject_cast<QCheckBox*>(p.editor)) {
    check->setChecked(text == QStringLiteral("true") || text == QStringLiteral("1"));
  } else if (auto* combo = qobject_cast<QComboBox*>(p.editor)) {
    combo->setCurrentText(text);
  }
}

std::string SettingsDialog::paramText(const ParamEditor& p) const {
  if (auto* box = qobject_cast<QSpinBox*>(p.editor)) return std::to_string(box->value());
  if (auto* dbox = qobject_cast<QDoubleSpinBox*>(p.editor)) {
    return QString::number(dbox->value(), 'g', 10).toStdString();
  }
  if (auto* check = qobject_cast<QCheckBox*>(p.editor)) {
    return check->isChecked() ? "true" : "false";
  }
  if (auto* combo = qobject_cast<QComboBox*>(p.editor)) return combo->currentText().toStdString();
  return p.default_value;
}

RunSettings SettingsDialog::collect() const {
  RunSettings run = initial_;
  run.decode.gen_length = gen_length_->value();
  run.decode.block_length = block_length_->value();
  run.decode.steps = steps_->value();
  run.decode.rule = parse_unmask_rule(rule_->currentText().toStdString());
  run.decode.threshold = threshold_->value();
  run.decode.factor = factor_->value();
  run.decode.temperature = temperature_->value();
  run.decode.seed = static_cast<uint64_t>(seed_->value());
  run.strategy_values.clear();
  for (const ParamEditor& p : params_) {
    const std::string value = paramText(p);
    // Only values that differ from the default are stored, so a later change of a default in
    // the engine reaches users who never touched it.
    const bool same =
        value == p.default_value || (qobject_cast<QDoubleSpinBox*>(p.editor) &&
                                     QString::fromStdString(value).toDouble() ==
                                         QString::fromStdString(p.default_value).toDouble());
    if (!same) run.strategy_values[p.strategy][p.key] = value;
  }
  return run;
}

void SettingsDialog::accept() {
  try {
    RunSettings run = collect();
    run.decode.validate();
    for (const StrategyInfo& info : strategy_catalog()) {
      StrategySettings s = run.strategy(QString::fromStdString(info.name));
      s.validate(rule_for(info.name, run.decode.rule));
    }
    result_ = run;
    QDialog::accept();
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
    error_->show();
  }
}

void SettingsDialog::resetCurrentTab() {
  if (tabs_->currentIndex() == 0) {
    showDecode(RunSettings::default_decode());
    return;
  }
  const std::string name = tabs_->tabText(tabs_->currentIndex()).toStdString();
  for (const ParamEditor& p : params_) {
    if (p.strategy == name) showParam(p, p.default_value);
  }
}

void SettingsDialog::resetAll() {
  showDecode(RunSettings::default_decode());
  for (const ParamEditor& p : params_) showParam(p, p.default_value);
  error_->hide();
}

}  // namespace cachelens::ui

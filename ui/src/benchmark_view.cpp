// SPDX-License-Identifier: MIT
#include "benchmark_view.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "cachelens/resources.h"
#include "export_files.h"
#include "widgets/accuracy_plot.h"

namespace cachelens::ui {

BenchmarkView::BenchmarkView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("benchmarkView"));
  auto* layout = new QVBoxLayout(this);
  auto* form = new QGridLayout;
  form->addWidget(new QLabel(tr("Eval set (JSONL)")), 0, 0);
  set_ = new QLineEdit;
  set_->setObjectName(QStringLiteral("benchSet"));
  set_->setText(QString::fromStdString(
      (resources_dir() / "eval" / "shapes-test.jsonl").lexically_normal().string()));
  form->addWidget(set_, 0, 1);
  auto* browse = new QPushButton(tr("Browse…"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Choose an eval set"),
                                                      QFileInfo(set_->text()).absolutePath(),
                                                      tr("Eval sets (*.jsonl)"));
    if (!file.isEmpty()) set_->setText(file);
  });
  form->addWidget(browse, 0, 2);
  form->addWidget(new QLabel(tr("Items (0 = all)")), 1, 0);
  limit_ = new QSpinBox;
  limit_->setObjectName(QStringLiteral("benchLimit"));
  limit_->setRange(0, 1000000);
  limit_->setValue(50);
  form->addWidget(limit_, 1, 1, Qt::AlignLeft);
  layout->addLayout(form);

  auto* group = new QGroupBox(tr("Strategies (none is always run as the baseline)"));
  auto* row = new QHBoxLayout(group);
  for (const StrategyInfo& info : strategy_catalog()) {
    auto* box = new QCheckBox(QString::fromStdString(info.name));
    box->setObjectName(QStringLiteral("bench_") + QString::fromStdString(info.name));
    box->setChecked(info.name == "none" || info.name == "fast-dllm-dual" || info.name == "elastic");
    row->addWidget(box);
    boxes_.push_back(box);
  }
  row->addStretch(1);
  layout->addWidget(group);

  auto* controls = new QHBoxLayout;
  run_ = new QPushButton(tr("Run benchmark"));
  run_->setObjectName(QStringLiteral("benchRun"));
  stop_ = new QPushButton(tr("Stop"));
  stop_->setObjectName(QStringLiteral("benchStop"));
  export_ = new QPushButton(tr("Export CSV…"));
  progress_ = new QProgressBar;
  progress_->setObjectName(QStringLiteral("benchProgress"));
  status_ = new QLabel(tr("Each item runs with its own gen length, one token per step."));
  controls->addWidget(run_);
  controls->addWidget(stop_);
  controls->addWidget(progress_, 1);
  controls->addWidget(export_);
  layout->addLayout(controls);
  layout->addWidget(status_);
  connect(run_, &QPushButton::clicked, this, &BenchmarkView::start);
  connect(stop_, &QPushButton::clicked, this, &BenchmarkView::stopRequested);
  connect(export_, &QPushButton::clicked, this, &BenchmarkView::exportCsv);

  auto* split = new QSplitter(Qt::Horizontal);
  table_ = new QTableWidget;
  table_->setObjectName(QStringLiteral("benchTable"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  split->addWidget(table_);
  plot_ = new AccuracyPlot;
  split->addWidget(plot_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  setReady(false);
}

void BenchmarkView::setReady(bool ready) {
  ready_ = ready;
  run_->setEnabled(ready_ && !running_);
  stop_->setEnabled(running_);
  export_->setEnabled(report_ != nullptr && !running_);
}

void BenchmarkView::setRunSettings(const DecodeSettings& decode,
                                   std::function<StrategySettings(const QString&)> strategy_for) {
  decode_ = decode;
  strategy_for_ = std::move(strategy_for);
}

QString BenchmarkView::setPath() const {
  return set_->text().trimmed();
}
void BenchmarkView::setSetPath(const QString& path) {
  set_->setText(path);
}
void BenchmarkView::setLimit(int limit) {
  limit_->setValue(limit);
}

void BenchmarkView::setStrategies(const QStringList& names) {
  for (QCheckBox* box : boxes_) box->setChecked(names.contains(box->text()));
}

void BenchmarkView::start() {
  auto plan = std::make_shared<BenchPlan>();
  plan->set_path = setPath();
  plan->decode = decode_;
  plan->limit = limit_->value();
  for (QCheckBox* box : boxes_) {
    if (!box->isChecked()) continue;
    plan->strategies.push_back(strategy_for_ ? strategy_for_(box->text())
                                             : StrategySettings{box->text().toStdString(), {}});
  }
  if (plan->strategies.empty()) {
    Q_EMIT failed(tr("Pick at least one strategy to benchmark."));
    return;
  }
  if (!QFileInfo::exists(plan->set_path)) {
    Q_EMIT failed(tr("The eval set '%1' does not exist.").arg(plan->set_path));
    return;
  }
  running_ = true;
  progress_->setRange(0, 0);
  status_->setText(tr("starting…"));
  setReady(ready_);
  Q_EMIT running(true);
  Q_EMIT runRequested(plan);
}

void BenchmarkView::onProgress(qint64 done, qint64 total, const QString& strategy) {
  progress_->setRange(0, static_cast<int>(total));
  progress_->setValue(static_cast<int>(done));
  status_->setText(tr("%1 of %2 runs · %3").arg(done).arg(total).arg(strategy));
}

void BenchmarkView::onFinished(EvalReportPtr report, bool cancelled, const QString& error) {
  running_ = false;
  progress_->setRange(0, 1);
  progress_->setValue(report ? 1 : 0);
  if (report) {
    report_ = report;
    showReport(*report);
    status_->setText(
        tr("%1 items · model %2").arg(report->items).arg(QString::fromStdString(report->model)));
  } else if (cancelled) {
    status_->setText(tr("Stopped; the previous results are kept."));
  } else {
    status_->setText(tr("Failed."));
    Q_EMIT failed(error);
  }
  setReady(ready_);
  Q_EMIT running(false);
}

void BenchmarkView::showReport(const EvalReport& report) {
  QStringList families;
  for (const auto& r : report.results) {
    for (const auto& f : r.families) {
      if (!families.contains(QString::fromStdString(f.family))) {
        families << QString::fromStdString(f.family);
      }
    }
  }
  QStringList headers = {tr("strategy"), tr("accuracy"),  tr("tokens/s"),       tr("ms/step"),
                         tr("speedup"),  tr("agreement"), tr("rows recomputed")};
  headers << families;
  table_->clear();
  table_->setColumnCount(headers.size());
  table_->setHorizontalHeaderLabels(headers);
  table_->setRowCount(static_cast<int>(report.results.size()));
  std::vector<PlotPoint> points;
  auto pct = [](double v) { return QString::number(100.0 * v, 'f', 1) + QLatin1Char('%'); };
  for (size_t i = 0; i < report.results.size(); ++i) {
    const StrategyEval& r = report.results[i];
    const int row = static_cast<int>(i);
    QStringList cells = {QString::fromStdString(r.strategy),
                         pct(r.accuracy),
                         QString::number(r.tokens_per_s, 'f', 1),
                         QString::number(r.ms_per_step, 'f', 2),
                         r.speedup < 0 ? QStringLiteral("—")
                                       : QString::number(r.speedup, 'f', 2) + QStringLiteral("×"),
                         r.agreement < 0 ? QStringLiteral("—") : pct(r.agreement),
                         pct(r.recompute_fraction)};
    for (const QString& family : families) {
      QString cell = QStringLiteral("—");
      for (const auto& f : r.families) {
        if (QString::fromStdString(f.family) == family) cell = pct(f.accuracy());
      }
      cells << cell;
    }
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(row, c, item);
    }
    points.push_back({QString::fromStdString(r.strategy), r.tokens_per_s, r.accuracy});
  }
  table_->resizeColumnsToContents();
  plot_->setPoints(points);
}

void BenchmarkView::exportCsv() {
  if (!report_) return;
  const QString file = QFileDialog::getSaveFileName(
      this, tr("Export the benchmark table"), QStringLiteral("benchmark.csv"), tr("CSV (*.csv)"));
  if (file.isEmpty()) return;
  const QString error = export_text(benchmark_csv(*report_), file);
  if (!error.isEmpty()) Q_EMIT failed(error);
}

}  // namespace cachelens::ui

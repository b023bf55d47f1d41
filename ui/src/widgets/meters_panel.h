// SPDX-License-Identifier: MIT
// A column's meters: speed, work done and quality against the `none` column and the expected
// answer, as label/value rows that stay aligned across columns.
#pragma once

#include <QWidget>

#include "column_run.h"

class QLabel;

namespace cachelens::ui {

class MetersPanel : public QWidget {
  Q_OBJECT
 public:
  explicit MetersPanel(QWidget* parent = nullptr);
  void setMeters(const ColumnMeters& meters, bool is_baseline);
  void clear();
  // "name: value" of every row, for tests and the comparison export.
  QString text() const;

 private:
  QLabel* addRow(const QString& name, const QString& tip);
  QLabel *tokens_ = nullptr, *ms_step_ = nullptr, *steps_ = nullptr, *rows_ = nullptr;
  QLabel *speedup_ = nullptr, *agreement_ = nullptr, *correct_ = nullptr;
  QList<QLabel*> names_;
};

}  // namespace cachelens::ui

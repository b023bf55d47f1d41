// SPDX-License-Identifier: MIT
#include "export_files.h"

#include <QBuffer>
#include <exception>
#include <set>

#include "cachelens/atomic_file.h"

namespace cachelens::ui {

namespace {

QString csv_field(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n'))) {
    return text;
  }
  QString quoted = text;
  quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString number(double value, int decimals = 4) {
  return QString::number(value, 'f', decimals);
}

QString optional_number(double value) {
  return value < 0 ? QString() : number(value);
}

}  // namespace

QString export_trace(const ColumnRun& run, const QString& file) {
  if (!run.trace()) return QObject::tr("The %1 column has not finished a run.").arg(run.strategy());
  try {
    save_trace(file.toStdString(), *run.trace());
    return {};
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
}

QString export_png(const QImage& image, const QString& file) {
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  if (image.isNull() || !image.save(&buffer, "PNG")) {
    return QObject::tr("Cannot encode the image for '%1'.").arg(file);
  }
  try {
    write_file_atomically(file.toStdString(),
                          [&](std::ostream& out) { out.write(bytes.constData(), bytes.size()); });
    return {};
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
}

QString export_text(const QString& text, const QString& file) {
  try {
    write_text_atomically(file.toStdString(), text.toStdString());
    return {};
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
}

QString comparison_csv(const std::vector<const ColumnRun*>& runs) {
  QStringList lines;
  lines << QStringLiteral(
      "strategy,answer,correct,tokens_per_s,ms_per_step,steps,nfe,recompute_fraction,"
      "speedup_vs_none,agreement_vs_none,exact_match_vs_none,wall_ms");
  for (const ColumnRun* run : runs) {
    if (!run || !run->trace()) continue;
    const RunSummary& s = run->trace()->summary;
    const BaselineComparison& b = s.baseline;
    QStringList row;
    row << csv_field(run->strategy()) << csv_field(QString::fromStdString(s.answer))
        << (s.correct < 0 ? QString() : QString::number(s.correct)) << number(s.tokens_per_s, 2)
        << number(s.ms_per_step, 3) << QString::number(s.steps) << QString::number(s.nfe)
        << number(s.recompute_fraction) << (b.present ? number(b.speedup) : QString())
        << (b.present ? number(b.token_agreement) : QString())
        << (b.present ? QString::number(int(b.exact_match)) : QString()) << number(s.wall_ms, 2);
    lines << row.join(QLatin1Char(','));
  }
  return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString benchmark_csv(const EvalReport& report) {
  std::set<std::string> families;
  for (const auto& r : report.results) {
    for (const auto& f : r.families) families.insert(f.family);
  }
  QStringList header = {QStringLiteral("strategy"),
                        QStringLiteral("unmask"),
                        QStringLiteral("items"),
                        QStringLiteral("accuracy"),
                        QStringLiteral("tokens_per_s"),
                        QStringLiteral("ms_per_step"),
                        QStringLiteral("speedup_vs_none"),
                        QStringLiteral("agreement_vs_none"),
                        QStringLiteral("recompute_fraction")};
  for (const auto& f : families) header << QStringLiteral("accuracy_") + QString::fromStdString(f);
  QStringList lines = {header.join(QLatin1Char(','))};
  for (const auto& r : report.results) {
    QStringList row;
    row << csv_field(QString::fromStdString(r.strategy)) << QString::fromStdString(r.unmask)
        << QString::number(r.items) << number(r.accuracy) << number(r.tokens_per_s, 2)
        << number(r.ms_per_step, 3) << optional_number(r.speedup) << optional_number(r.agreement)
        << number(r.recompute_fraction);
    for (const auto& name : families) {
      QString cell;
      for (const auto& f : r.families) {
        if (f.family == name) cell = number(f.accuracy());
      }
      row << cell;
    }
    lines << row.join(QLatin1Char(','));
  }
  return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

}  // namespace cachelens::ui

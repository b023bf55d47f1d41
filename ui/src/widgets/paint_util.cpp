// SPDX-License-Identifier: MIT
#include "widgets/paint_util.h"

#include <algorithm>
#include <cmath>

namespace cachelens::ui {

QFont bold_font(const QFont& base) {
  QFont f = base;
  f.setBold(true);
  return f;
}

QFont small_font(const QFont& base) {
  QFont f = base;
  if (base.pointSizeF() > 0) {
    f.setPointSizeF(std::max(7.0, base.pointSizeF() * 0.86));
  } else {
    f.setPixelSize(std::max(9, static_cast<int>(base.pixelSize() * 0.86)));
  }
  return f;
}

QColor mix(const QColor& a, const QColor& b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                          static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                          static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

double nice_step(double span, int count) {
  const double raw = span / std::max(1, count);
  const double power = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-12))));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10.0 * power;
}

}  // namespace cachelens::ui

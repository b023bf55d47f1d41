// SPDX-License-Identifier: MIT
// Small drawing helpers the painting widgets share: derived fonts, colour mixing and axis ticks.
#pragma once

#include <QColor>
#include <QFont>

namespace cachelens::ui {

QFont bold_font(const QFont& base);
// About 86% of the base size, never below a readable 7 pt (or 9 px).
QFont small_font(const QFont& base);
// Linear mix of a and b, t in [0, 1].
QColor mix(const QColor& a, const QColor& b, double t);
// 1, 2 or 5 times a power of ten, so that `span` holds about `count` steps.
double nice_step(double span, int count);

}  // namespace cachelens::ui

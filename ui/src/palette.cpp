// SPDX-License-Identifier: MIT
// The light and dark palettes, the OKLab ramp of the cumulative heatmap, and the application-wide
// Qt style and QPalette for each theme.
#include "palette.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace cachelens::ui {
namespace {

Palette make_light() {
  Palette p;
  p.background = QColor(0xF6, 0xF7, 0xF8);
  p.panel = QColor(0xFF, 0xFF, 0xFF);
  p.text = QColor(0x1C, 0x1D, 0x1F);
  p.muted_text = QColor(0x66, 0x6B, 0x73);
  p.grid = QColor(0xE2, 0xE4, 0xE7);
  p.outline = QColor(0xC2, 0xC6, 0xCC);
  p.cells[0] = QColor(0xE6, 0xE7, 0xEA);  // not computed: a quiet grey
  p.cells[1] = QColor(0xE6, 0x9F, 0x00);  // recomputed: Okabe-Ito orange, light
  p.cells[2] = QColor(0x00, 0x72, 0xB2);  // reused: Okabe-Ito blue, dark
  p.cells[3] = QColor(0xA8, 0xCD, 0xE8);  // off-window: a pale version of reused
  p.cells[4] = QColor(0xCC, 0x79, 0xA7);  // V only: Okabe-Ito reddish purple
  p.chip_masked = QColor(0xEE, 0xF0, 0xF2);
  p.chip_new_low = QColor(0xFA, 0xDD, 0xAE);
  p.chip_new_high = QColor(0xE6, 0x9F, 0x00);
  p.chip_earlier = QColor(0xE2, 0xE7, 0xED);
  p.chip_after_stop = QColor(0xF3, 0xF3, 0xF4);
  p.chip_text = QColor(0x1C, 0x1D, 0x1F);
  p.chip_masked_text = QColor(0x9A, 0xA0, 0xA8);
  p.block_outline = QColor(0x1C, 0x1D, 0x1F);
  p.decode_row = QColor(0xA8, 0x3E, 0x7E);
  p.tracked = QColor(0x00, 0x9E, 0x73);
  p.boundary = QColor(0x1C, 0x1D, 0x1F);
  p.drift_line = QColor(0x4A, 0x4F, 0x57);
  p.drift_threshold = QColor(0xD5, 0x5E, 0x00);
  p.image_region = QColor(0xC6, 0xB6, 0xE0);
  p.prompt_region = QColor(0xA8, 0xD8, 0xC6);
  p.answer_region = QColor(0xF4, 0xD0, 0x96);
  p.correct = QColor(0x00, 0x72, 0xB2);
  p.incorrect = QColor(0xD5, 0x5E, 0x00);
  p.plot_series = QColor(0x00, 0x72, 0xB2);
  return p;
}

Palette make_dark() {
  Palette p;
  p.background = QColor(0x1E, 0x1F, 0x22);
  p.panel = QColor(0x27, 0x29, 0x2D);
  p.text = QColor(0xE8, 0xEA, 0xED);
  p.muted_text = QColor(0x9A, 0xA0, 0xA7);
  p.grid = QColor(0x3A, 0x3D, 0x42);
  p.outline = QColor(0x56, 0x5B, 0x62);
  p.cells[0] = QColor(0x38, 0x3B, 0x40);
  p.cells[1] = QColor(0xF2, 0xA9, 0x1E);  // brighter than reused, as in the light theme
  p.cells[2] = QColor(0x2E, 0x86, 0xC8);
  p.cells[3] = QColor(0x24, 0x45, 0x60);  // off-window: a dim version of reused
  p.cells[4] = QColor(0xE6, 0xA3, 0xCC);  // lighter than reused for protan and deutan readers
  p.chip_masked = QColor(0x2E, 0x31, 0x36);
  p.chip_new_low = QColor(0x55, 0x40, 0x1C);
  p.chip_new_high = QColor(0xB0, 0x68, 0x00);  // dark enough for light bold text
  p.chip_earlier = QColor(0x3B, 0x40, 0x47);
  p.chip_after_stop = QColor(0x2A, 0x2C, 0x30);
  p.chip_text = QColor(0xF2, 0xF3, 0xF5);
  p.chip_masked_text = QColor(0x70, 0x76, 0x7E);
  p.block_outline = QColor(0xF5, 0xF6, 0xF7);
  p.decode_row = QColor(0xE3, 0x9B, 0xC8);
  p.tracked = QColor(0x3C, 0xC8, 0xA0);
  p.boundary = QColor(0xF5, 0xF6, 0xF7);
  p.drift_line = QColor(0xC4, 0xC8, 0xCE);
  p.drift_threshold = QColor(0xFF, 0x8A, 0x4C);
  p.image_region = QColor(0x5C, 0x4D, 0x7E);
  p.prompt_region = QColor(0x2F, 0x66, 0x55);
  p.answer_region = QColor(0x7A, 0x58, 0x22);
  p.correct = QColor(0x56, 0xB4, 0xE9);
  p.incorrect = QColor(0xFF, 0x8A, 0x4C);
  p.plot_series = QColor(0x56, 0xB4, 0xE9);
  return p;
}

// OKLab (Björn Ottosson's definition) so the cumulative ramp changes lightness evenly.
struct Lab {
  double l, a, b;
};

double to_linear(double c) {
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}
double to_srgb(double c) {
  c = std::clamp(c, 0.0, 1.0);
  return c <= 0.0031308 ? c * 12.92 : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
}

Lab to_lab(const QColor& color) {
  const double r = to_linear(color.redF()), g = to_linear(color.greenF()),
               b = to_linear(color.blueF());
  const double l = std::cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const double m = std::cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const double s = std::cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return {0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
          1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
          0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s};
}

QColor from_lab(const Lab& c) {
  const double l = std::pow(c.l + 0.3963377774 * c.a + 0.2158037573 * c.b, 3);
  const double m = std::pow(c.l - 0.1055613458 * c.a - 0.0638541728 * c.b, 3);
  const double s = std::pow(c.l - 0.0894841775 * c.a - 1.2914855480 * c.b, 3);
  return QColor::fromRgbF(
      static_cast<float>(to_srgb(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s)),
      static_cast<float>(to_srgb(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s)),
      static_cast<float>(to_srgb(-0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s)));
}

using Ramp = std::array<QColor, 256>;

// Piecewise in OKLab through `stops`, spaced evenly over [0, 1].
Ramp make_ramp(const std::vector<QColor>& stops) {
  Ramp ramp;
  const int segments = static_cast<int>(stops.size()) - 1;
  for (size_t i = 0; i < ramp.size(); ++i) {
    const double t = static_cast<double>(i) / (ramp.size() - 1) * segments;
    const int k = std::min(static_cast<int>(t), segments - 1);
    const Lab from = to_lab(stops[k]), to = to_lab(stops[k + 1]);
    const double f = t - k;
    ramp[i] = from_lab(
        {from.l + (to.l - from.l) * f, from.a + (to.a - from.a) * f, from.b + (to.b - from.b) * f});
  }
  return ramp;
}

const Palette& light_palette() {
  static const Palette p = make_light();
  return p;
}
const Palette& dark_palette() {
  static const Palette p = make_dark();
  return p;
}

Theme g_theme = Theme::Light;

}  // namespace

const QColor& Palette::cell(Cell state) const {
  const auto index = static_cast<size_t>(state);
  return index < 5 ? cells[index] : cells[0];
}

QColor Palette::share_color(double share) const {
  // One ramp per palette, built on first use; the heatmap calls this per cell.
  // Neutral at 0, the recomputed orange halfway, a strong end (dark in the light theme, bright in
  // the dark one): lightness changes monotonically and the hue stays warm, so no muddy middle.
  static const Ramp light =
      make_ramp({QColor(0xE2, 0xE4, 0xE8), light_palette().cells[1], QColor(0x8F, 0x34, 0x00)});
  static const Ramp dark =
      make_ramp({QColor(0x32, 0x35, 0x3B), QColor(0xB8, 0x69, 0x0A), QColor(0xFF, 0xC8, 0x5E)});
  const Ramp& ramp = this == &dark_palette() ? dark : light;
  if (!(share >= 0.0)) share = 0.0;  // NaN too
  const auto index = static_cast<size_t>(std::lround(std::min(share, 1.0) * 255.0));
  return ramp[index];
}

const Palette& palette_for(Theme theme) {
  return theme == Theme::Dark ? dark_palette() : light_palette();
}

Theme current_theme() {
  return g_theme;
}

void set_theme(Theme theme) {
  g_theme = theme;
  apply_theme(theme);
}

void apply_theme(Theme theme) {
  if (!qApp) return;
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  const Palette& p = palette_for(theme);
  const bool dark = theme == Theme::Dark;
  QPalette qp;
  qp.setColor(QPalette::Window, p.background);
  qp.setColor(QPalette::WindowText, p.text);
  qp.setColor(QPalette::Base, p.panel);
  qp.setColor(QPalette::AlternateBase, dark ? QColor(0x2D, 0x30, 0x34) : QColor(0xF1, 0xF3, 0xF5));
  qp.setColor(QPalette::ToolTipBase, p.panel);
  qp.setColor(QPalette::ToolTipText, p.text);
  qp.setColor(QPalette::PlaceholderText, p.muted_text);
  qp.setColor(QPalette::Text, p.text);
  qp.setColor(QPalette::Button, dark ? QColor(0x32, 0x35, 0x3A) : QColor(0xEC, 0xEE, 0xF0));
  qp.setColor(QPalette::ButtonText, p.text);
  qp.setColor(QPalette::BrightText, dark ? QColor(0xFF, 0x8A, 0x4C) : QColor(0xD5, 0x5E, 0x00));
  qp.setColor(QPalette::Highlight, dark ? QColor(0x2E, 0x86, 0xC8) : QColor(0x00, 0x72, 0xB2));
  qp.setColor(QPalette::HighlightedText, QColor(0xFF, 0xFF, 0xFF));
  qp.setColor(QPalette::Link, dark ? QColor(0x56, 0xB4, 0xE9) : QColor(0x00, 0x5A, 0x8C));
  qp.setColor(QPalette::Light, dark ? QColor(0x45, 0x49, 0x4F) : QColor(0xFF, 0xFF, 0xFF));
  qp.setColor(QPalette::Midlight, dark ? QColor(0x3A, 0x3D, 0x42) : QColor(0xE4, 0xE6, 0xE9));
  qp.setColor(QPalette::Mid, p.outline);
  qp.setColor(QPalette::Dark, dark ? QColor(0x16, 0x17, 0x19) : QColor(0xA0, 0xA4, 0xAA));
  qp.setColor(QPalette::Shadow, dark ? QColor(0x0C, 0x0C, 0x0D) : QColor(0x70, 0x74, 0x7A));
  for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
    qp.setColor(QPalette::Disabled, role, p.muted_text);
  }
  qp.setColor(QPalette::Disabled, QPalette::Highlight, p.outline);
  QApplication::setPalette(qp);
}

QString cell_name(Cell cell) {
  switch (cell) {
    case Cell::Recomputed:
      return QStringLiteral("recomputed");
    case Cell::Reused:
      return QStringLiteral("reused");
    case Cell::OffWindow:
      return QStringLiteral("masked, off-window");
    case Cell::Partial:
      return QStringLiteral("V only");
    case Cell::NotComputed:
      break;
  }
  return QStringLiteral("not computed");
}

QString chip_state_name(Chip::State state) {
  switch (state) {
    case Chip::State::New:
      return QStringLiteral("decoded this step");
    case Chip::State::Earlier:
      return QStringLiteral("decoded earlier");
    case Chip::State::AfterStop:
      return QStringLiteral("after the stop token");
    case Chip::State::Masked:
      break;
  }
  return QStringLiteral("masked");
}

}  // namespace cachelens::ui

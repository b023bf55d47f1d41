// SPDX-License-Identifier: MIT
// The app's two colour themes (light and dark) and the human names of cell and chip states. Every
// painting widget takes its colours from palette_for(current_theme()) at paint time, so switching
// the theme is one call to set_theme().
#pragma once

#include <QColor>
#include <QString>

#include "view_data.h"

namespace cachelens::ui {

enum class Theme { Light, Dark };

// Colours come from the Okabe-Ito set where they carry meaning, and the pairs a reader must tell
// apart also differ in lightness, so they survive colour-blindness and greyscale printing.
struct Palette {
  QColor background, panel, text, muted_text, grid, outline;
  QColor
      cells[5];  // indexed by Cell: not computed, recomputed, reused, off-window, V-only (partial)
  QColor chip_masked, chip_new_low, chip_new_high, chip_earlier, chip_after_stop, chip_text,
      chip_masked_text;
  QColor block_outline, decode_row, tracked, boundary, drift_line, drift_threshold;
  QColor image_region, prompt_region, answer_region;
  QColor correct, incorrect, plot_series;

  const QColor& cell(Cell state) const;  // out-of-range values map to "not computed"
  // The cumulative-view colour for a share of steps recomputed in [0, 1]: neutral at 0, the
  // recomputed orange in the middle, a strong orange at 1 (OKLab, lightness monotonic).
  QColor share_color(double share) const;
};

const Palette& palette_for(Theme theme);
Theme current_theme();          // global; widgets read it at paint time
void set_theme(Theme theme);    // stores the theme and calls apply_theme
void apply_theme(Theme theme);  // Fusion style and a matching QPalette for the whole QApplication

QString cell_name(Cell cell);  // "recomputed", "reused", "masked, off-window", "V only", ...
QString chip_state_name(Chip::State state);  // "masked", "decoded this step", ...

}  // namespace cachelens::ui

// SPDX-License-Identifier: MIT
// How much of the image rows can tell one picture from another: the training diagnostic that
// shows when a model is learning to carry the picture into the prompt, or training it out
// (docs/benchmarks.md, "Why the embedded model misses the target").
#pragma once

#include <vector>

#include "cachelens/image.h"
#include "cachelens/vision_model.h"

namespace cachelens {

struct ImageRowStats {
  // Each base-crop row is divided by its RMS (what the language tower's RMSNorm sees); the mean
  // row over the pictures at each row index is taken away; this is the RMS of what is left. About
  // 0.9 at initialisation; 0 when every picture gives the same rows.
  double picture_part = 0.0;
  double rms = 0.0;  // RMS of the projected base-crop rows, before that normalisation
  int64_t images = 0;
};

// The stats over `images` (at least two). Only the base crop's rows are used: their number and
// meaning per index are the same for every picture, whatever its aspect ratio.
ImageRowStats measure_image_rows(const VisionModel& vision, const std::vector<Image>& images);

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// What one denoising step did, as an immutable record: the UI draws it, the CLI exports it.
#pragma once

#include <cstdint>
#include <vector>

namespace cachelens {

struct StepEvent {
  int64_t step = 0;   // 0-based over the whole run
  int64_t block = 0;  // semi-autoregressive block
  int64_t step_in_block = 0;
  // The answer region after this step: token ids, with the mask id where still masked.
  std::vector<int32_t> answer_ids;
  // Positions (relative to the answer start) decoded at this step and their confidences
  // (fp64 softmax probability of the chosen token; uniform scores under `random`).
  std::vector<int64_t> decoded_positions;
  std::vector<double> decoded_confidences;
  std::vector<int64_t> rows_per_layer;  // rows the language tower computed at each layer
  int64_t total_rows = 0;               // positions in the sequence (a full recompute's rows)
  int64_t nfe = 0;                      // forwards so far
  double step_ms = 0.0;
  double elapsed_ms = 0.0;
};

}  // namespace cachelens

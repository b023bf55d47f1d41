// SPDX-License-Identifier: MIT
// Turns what the executor computed in one step into the trace's layers x positions map, and keeps
// which cells were ever computed in the run (a cell never computed has no cached value).
#pragma once

#include <cstdint>
#include <vector>

#include "cachelens/language_model.h"
#include "cachelens/trace.h"

namespace cachelens {

class StepCells {
 public:
  StepCells(int64_t layers, int64_t positions);

  // `masked`: 1 where a position was a mask at the start of the step; `decode_rows`: the
  // positions whose logits the step computed (a mask elsewhere that was reused is off-window).
  RecomputeMap record(const ForwardStats& stats, const std::vector<uint8_t>& masked,
                      const std::vector<int64_t>& decode_rows);

 private:
  int64_t layers_, positions_;
  std::vector<std::vector<uint8_t>> ever_;  // [layer][position]
};

// Positions of an int64 tensor (undefined -> empty).
std::vector<int64_t> positions_of(const torch::Tensor& rows);

}  // namespace cachelens

// SPDX-License-Identifier: MIT
#include "decode/step_cells.h"

#include <torch/torch.h>

namespace cachelens {

std::vector<int64_t> positions_of(const torch::Tensor& rows) {
  if (!rows.defined()) return {};
  const auto cpu = rows.to(torch::kCPU, torch::kInt64).contiguous();
  return {cpu.data_ptr<int64_t>(), cpu.data_ptr<int64_t>() + cpu.numel()};
}

StepCells::StepCells(int64_t layers, int64_t positions)
    : layers_(layers),
      positions_(positions),
      ever_(static_cast<size_t>(layers), std::vector<uint8_t>(static_cast<size_t>(positions))) {}

RecomputeMap StepCells::record(const ForwardStats& stats, const std::vector<uint8_t>& masked,
                               const std::vector<int64_t>& decode_rows) {
  RecomputeMap map(layers_, positions_);
  std::vector<uint8_t> decodable(static_cast<size_t>(positions_), 0);
  for (int64_t p : decode_rows) decodable[static_cast<size_t>(p)] = 1;
  std::vector<CellState> states(static_cast<size_t>(positions_));
  // Most plans compute the same row tensor at every layer: read it back once, not per layer (on
  // a GPU each read-back is a sync).
  const c10::TensorImpl* last_rows = nullptr;
  std::vector<int64_t> last_positions;
  const auto computed_positions = [&](const torch::Tensor& rows) -> const std::vector<int64_t>& {
    if (rows.unsafeGetTensorImpl() != last_rows) {
      last_rows = rows.unsafeGetTensorImpl();
      last_positions = positions_of(rows);
    }
    return last_positions;
  };
  for (int64_t l = 0; l < layers_; ++l) {
    auto& ever = ever_[static_cast<size_t>(l)];
    for (int64_t p = 0; p < positions_; ++p) {
      const auto i = static_cast<size_t>(p);
      states[i] = !ever[i]                     ? CellState::NotComputed
                  : masked[i] && !decodable[i] ? CellState::OffWindow
                                               : CellState::Reused;
    }
    for (int64_t p : positions_of(stats.partial_rows[static_cast<size_t>(l)])) {
      states[static_cast<size_t>(p)] = CellState::Partial;
    }
    const auto& computed = stats.computed_rows[static_cast<size_t>(l)];
    if (!computed.defined()) {
      std::fill(states.begin(), states.end(), CellState::Recomputed);
      std::fill(ever.begin(), ever.end(), 1);
    } else {
      for (int64_t p : computed_positions(computed)) {
        states[static_cast<size_t>(p)] = CellState::Recomputed;
        ever[static_cast<size_t>(p)] = 1;
      }
    }
    map.set_layer(l, states);
  }
  return map;
}

}  // namespace cachelens

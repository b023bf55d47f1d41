// SPDX-License-Identifier: MIT
// The layers x positions map of a step, run-length encoded per layer. Runs are kept merged (no
// two adjacent runs share a state), so equal maps compare equal however they were built.
#include <cstdint>
#include <string>
#include <vector>

#include "cachelens/error.h"
#include "cachelens/trace.h"

namespace cachelens {
namespace {

constexpr CellState kAllStates[] = {CellState::NotComputed, CellState::Recomputed,
                                    CellState::Reused, CellState::OffWindow, CellState::Partial};

bool is_valid_state(CellState state) {
  return static_cast<uint8_t>(state) <= static_cast<uint8_t>(CellState::Partial);
}

void check_layer(int64_t layer, int64_t layers) {
  if (layer < 0 || layer >= layers) {
    fail("recompute map: layer ", layer, " is out of range (the map has ", layers, " layers)");
  }
}

}  // namespace

const char* cell_state_name(CellState state) {
  switch (state) {
    case CellState::NotComputed:
      return "not-computed";
    case CellState::Recomputed:
      return "recomputed";
    case CellState::Reused:
      return "reused";
    case CellState::OffWindow:
      return "off-window";
    case CellState::Partial:
      return "partial";
  }
  return "?";
}

CellState parse_cell_state(const std::string& name) {
  for (const CellState state : kAllStates) {
    if (name == cell_state_name(state)) return state;
  }
  std::vector<std::string> allowed;
  for (const CellState state : kAllStates) allowed.emplace_back(cell_state_name(state));
  fail("unknown cell state '", name, "' (allowed: ", join_names(allowed), ")");
}

RecomputeMap::RecomputeMap(int64_t layers, int64_t positions) : positions_(positions) {
  if (layers < 0 || positions < 0) {
    fail("recompute map: layers and positions must not be negative (got ", layers, " x ", positions,
         ")");
  }
  const std::vector<CellRun> all_not_computed =
      positions > 0 ? std::vector<CellRun>{{CellState::NotComputed, positions}}
                    : std::vector<CellRun>{};
  runs_.assign(static_cast<size_t>(layers), all_not_computed);
}

void RecomputeMap::set_layer(int64_t layer, const std::vector<CellState>& states) {
  check_layer(layer, layers());
  if (static_cast<int64_t>(states.size()) != positions_) {
    fail("recompute map: layer ", layer, " has ", states.size(), " cells, expected ", positions_);
  }
  std::vector<CellRun> runs;
  for (const CellState state : states) {
    if (!is_valid_state(state)) {
      fail("recompute map: layer ", layer, " has an invalid cell state ", static_cast<int>(state));
    }
    if (!runs.empty() && runs.back().state == state) {
      ++runs.back().length;
    } else {
      runs.push_back({state, 1});
    }
  }
  runs_[static_cast<size_t>(layer)] = std::move(runs);
}

void RecomputeMap::set_runs(int64_t layer, std::vector<CellRun> runs) {
  check_layer(layer, layers());
  std::vector<CellRun> merged;
  merged.reserve(runs.size());
  int64_t covered = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    const CellRun& run = runs[i];
    if (run.length <= 0) {
      fail("recompute map: run ", i, " of layer ", layer, " has length ", run.length,
           ", expected a positive length");
    }
    if (!is_valid_state(run.state)) {
      fail("recompute map: run ", i, " of layer ", layer, " has an invalid cell state ",
           static_cast<int>(run.state));
    }
    // Checked before adding so a huge length cannot overflow the sum.
    if (run.length > positions_ - covered) {
      fail("recompute map: the runs of layer ", layer, " cover more than the map's ", positions_,
           " positions");
    }
    covered += run.length;
    if (!merged.empty() && merged.back().state == run.state) {
      merged.back().length += run.length;
    } else {
      merged.push_back(run);
    }
  }
  if (covered != positions_) {
    fail("recompute map: the runs of layer ", layer, " cover ", covered, " positions, expected ",
         positions_);
  }
  runs_[static_cast<size_t>(layer)] = std::move(merged);
}

const std::vector<CellRun>& RecomputeMap::runs(int64_t layer) const {
  check_layer(layer, layers());
  return runs_[static_cast<size_t>(layer)];
}

std::vector<CellState> RecomputeMap::layer_states(int64_t layer) const {
  std::vector<CellState> states;
  states.reserve(static_cast<size_t>(positions_));
  for (const CellRun& run : runs(layer)) states.insert(states.end(), run.length, run.state);
  return states;
}

CellState RecomputeMap::at(int64_t layer, int64_t position) const {
  const auto& layer_runs = runs(layer);
  if (position < 0 || position >= positions_) {
    fail("recompute map: position ", position, " is out of range (the map has ", positions_,
         " positions)");
  }
  int64_t begin = 0;
  for (const CellRun& run : layer_runs) {
    if (position < begin + run.length) return run.state;
    begin += run.length;
  }
  fail("recompute map: layer ", layer, " does not cover position ", position);  // unreachable
}

int64_t RecomputeMap::count(CellState state) const {
  int64_t total = 0;
  for (int64_t layer = 0; layer < layers(); ++layer) total += count(layer, state);
  return total;
}

int64_t RecomputeMap::count(int64_t layer, CellState state) const {
  int64_t total = 0;
  for (const CellRun& run : runs(layer)) {
    if (run.state == state) total += run.length;
  }
  return total;
}

}  // namespace cachelens

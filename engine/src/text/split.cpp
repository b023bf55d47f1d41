// SPDX-License-Identifier: MIT
#include "text/split.h"

#include <algorithm>
#include <string>

#include "cachelens/error.h"

namespace cachelens::text {
namespace {

struct Segment {
  size_t begin, end;
  bool delimiter;
};

}  // namespace

SplitBehavior parse_split_behavior(std::string_view name, std::string_view origin) {
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  fail(origin, ": unknown Split behavior '", name,
       "' (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous)");
}

std::vector<std::pair<size_t, size_t>> split_ranges(const Regex& regex, std::string_view text,
                                                    SplitBehavior behavior, bool invert) {
  // The text as alternating gaps and matches; `invert` swaps which of them are delimiters.
  std::vector<Segment> segments;
  size_t prev = 0;
  for (const auto& [b, e] : regex.find_all(text)) {
    if (b > prev) segments.push_back({prev, b, invert});
    segments.push_back({b, e, !invert});
    prev = e;
  }
  if (prev < text.size()) segments.push_back({prev, text.size(), invert});

  std::vector<Segment> kept;
  bool previous_delimiter = false;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      kept = segments;
      break;
    case SplitBehavior::kRemoved:
      for (const auto& s : segments)
        if (!s.delimiter) kept.push_back(s);
      break;
    case SplitBehavior::kMergedWithPrevious:
      // A delimiter joins the piece before it, unless that piece is itself a delimiter.
      for (const auto& s : segments) {
        if (s.delimiter && !previous_delimiter && !kept.empty()) {
          kept.back().end = s.end;
        } else {
          kept.push_back(s);
        }
        previous_delimiter = s.delimiter;
      }
      break;
    case SplitBehavior::kMergedWithNext:
      for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
        if (it->delimiter && !previous_delimiter && !kept.empty()) {
          kept.back().begin = it->begin;
        } else {
          kept.push_back(*it);
        }
        previous_delimiter = it->delimiter;
      }
      std::reverse(kept.begin(), kept.end());
      break;
    case SplitBehavior::kContiguous:
      // Runs of adjacent delimiters become one piece.
      for (const auto& s : segments) {
        if (s.delimiter && previous_delimiter && !kept.empty()) {
          kept.back().end = s.end;
        } else {
          kept.push_back(s);
        }
        previous_delimiter = s.delimiter;
      }
      break;
  }
  std::vector<std::pair<size_t, size_t>> out;
  out.reserve(kept.size());
  for (const auto& s : kept)
    if (s.end > s.begin) out.emplace_back(s.begin, s.end);
  return out;
}

}  // namespace cachelens::text

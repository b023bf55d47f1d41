// SPDX-License-Identifier: MIT
// Hugging Face's Split pre-tokenizer: cut text at a regex's matches and keep, drop or merge the
// matched parts according to the behaviour.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "text/regex.h"

namespace cachelens::text {

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// "Removed", "Isolated", ...; throws Error naming `origin` for anything else.
SplitBehavior parse_split_behavior(std::string_view name, std::string_view origin);

// Non-empty byte ranges of `text`. With kIsolated they cover the whole text; with `invert` the
// matches are the kept pieces and the text between them the delimiters.
std::vector<std::pair<size_t, size_t>> split_ranges(const Regex& regex, std::string_view text,
                                                    SplitBehavior behavior, bool invert = false);

}  // namespace cachelens::text

// SPDX-License-Identifier: MIT
// A small backtracking Unicode regex engine, enough for Hugging Face pre-tokenizer Split patterns
// (Oniguruma/Perl leftmost-first semantics over code points). Supported: alternation, (?:) (?i:)
// (?i) (?>) (?=) (?!), named/plain groups (not captured), classes with ranges, negation and
// nesting, \p{..} \P{..} \s \S \d \D \w \W \b \B \A \z \Z ^ $ ., escapes \r \n \t \f \v \e \a \xHH
// \x{H..} \uHHHH, quantifiers ? * + {n} {n,} {n,m} with lazy (?) and possessive (+) forms.
// Case-insensitive matching uses simple one-to-one case folding (no "ß" ~ "ss").
// Not supported (a clear Error): lookbehind, backreferences, class intersection, POSIX classes.
// Limits (a clear Error, never a hang or a crash): a step budget per match attempt, and a repeat
// of a multi-character group such as (?:ab)+ may match only a few hundred times (it recurses);
// repeats of one-character items (\p{L}+, [^\s]*, (?:a|b)+) are loops and have no such limit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cachelens::text {

namespace rx {
struct Node;
}

struct RegexMatch {
  size_t begin = 0;  // code-point indices, end exclusive
  size_t end = 0;
};

class Regex {
 public:
  // Backtracking steps allowed for one match attempt before giving up with an Error.
  static constexpr uint64_t kDefaultStepBudget = 5'000'000;

  explicit Regex(std::string_view pattern);  // throws Error naming the pattern and position
  const std::string& pattern() const { return pattern_; }
  void set_step_budget(uint64_t steps) { step_budget_ = steps; }

  // The leftmost-first match starting at code point `from` or later.
  std::optional<RegexMatch> search(const std::vector<char32_t>& cps, size_t from = 0) const;
  // Whether the pattern matches at exactly `at`; the match's end.
  std::optional<size_t> match_at(const std::vector<char32_t>& cps, size_t at) const;
  // Every non-overlapping match in UTF-8 text, as byte ranges [begin, end).
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view utf8) const;

 private:
  std::string pattern_;
  std::shared_ptr<const rx::Node> root_;
  uint64_t step_budget_ = kDefaultStepBudget;
};

}  // namespace cachelens::text

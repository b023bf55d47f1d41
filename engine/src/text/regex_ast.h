// SPDX-License-Identifier: MIT
// The parsed form of a regex, shared by the parser and the backtracking matcher.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "text/unicode_tables.h"

namespace cachelens::text::rx {

// One property inside a class: a generated table or a hot built-in (letters, \s, ...).
struct Property {
  bool (*builtin)(char32_t) = nullptr;
  const RangeTable* table = nullptr;
  bool negated = false;
  bool matches(char32_t c) const {
    const bool in = builtin ? builtin(c) : in_table(*table, c);
    return in != negated;
  }
};

// Every single-code-point matcher: a literal, `.`, an escape like \s, or a bracket class.
struct CharSet {
  std::vector<CodeRange> ranges;
  std::vector<Property> properties;
  std::vector<CharSet> nested;  // [a[bc]] unions
  bool negated = false;
  bool icase = false;  // (?i): also match the simple-case-fold equivalents of the input
  bool matches(char32_t c) const;

 private:
  bool matches_raw(char32_t c) const;
};

enum class NodeKind {
  kSet,     // one code point
  kConcat,  // children in order
  kAlt,     // leftmost-first alternatives
  kRepeat,  // child{min,max}
  kLook,    // (?=child) or (?!child)
  kAtomic,  // (?>child): no backtracking into the child once it matched
  kAssert,  // zero-width: ^ $ \A \z \Z \b \B
};

enum class RepeatMode { kGreedy, kLazy, kPossessive };
enum class AssertKind {
  kLineStart,
  kLineEnd,
  kTextStart,
  kTextEnd,
  kTextEndNewline,
  kWordB,
  kNotWordB
};

constexpr int kUnbounded = -1;

struct Node {
  NodeKind kind = NodeKind::kConcat;
  CharSet set;                                  // kSet
  std::vector<std::unique_ptr<Node>> children;  // kConcat, kAlt; child 0 for kRepeat/kLook/kAtomic
  int min = 0, max = kUnbounded;                // kRepeat
  RepeatMode mode = RepeatMode::kGreedy;        // kRepeat
  bool negative = false;                        // kLook
  AssertKind assertion = AssertKind::kLineStart;
  bool single_char = false;  // matches exactly one code point and never backtracks (fast repeat)
};

// Parses `pattern` (UTF-8); throws cachelens::Error naming the pattern and the position.
std::unique_ptr<Node> parse(std::string_view pattern);
// Whether `node` (marked single_char) matches `c`.
bool matches_one(const Node& node, char32_t c);

}  // namespace cachelens::text::rx

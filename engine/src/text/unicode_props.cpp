// SPDX-License-Identifier: MIT
#include <algorithm>
#include <utility>
#include <vector>

#include "text/unicode_tables.h"

namespace cachelens::text {
namespace {

const RangeTable& table(const char* name) {
  const RangeTable* t = find_unicode_table(name);
  return *t;  // the names used here are always generated
}

// The hot properties, resolved once; ASCII is answered without a search.
struct HotTables {
  const RangeTable& letter = table("L");
  const RangeTable& number = table("N");
  const RangeTable& digit = table("Nd");
  const RangeTable& mark = table("M");
  const RangeTable& connector = table("Pc");
  const RangeTable& space = table("White_Space");
};

const HotTables& hot() {
  static const HotTables tables;
  return tables;
}

bool ascii_letter(char32_t c) {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
bool ascii_digit(char32_t c) {
  return c >= '0' && c <= '9';
}

// (fold target, source) pairs sorted by target, for the reverse lookup.
const std::vector<std::pair<char32_t, char32_t>>& reverse_folds() {
  static const std::vector<std::pair<char32_t, char32_t>> pairs = [] {
    std::vector<std::pair<char32_t, char32_t>> out;
    out.reserve(kSimpleFoldCount);
    for (size_t i = 0; i < kSimpleFoldCount; ++i)
      out.emplace_back(kSimpleFolds[i].to, kSimpleFolds[i].from);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return pairs;
}

}  // namespace

bool in_table(const RangeTable& t, char32_t cp) {
  const CodeRange* end = t.ranges + t.size;
  const CodeRange* it =
      std::upper_bound(t.ranges, end, cp, [](char32_t c, const CodeRange& r) { return c < r.lo; });
  return it != t.ranges && cp <= (it - 1)->hi;
}

const RangeTable* find_unicode_table(std::string_view name) {
  for (size_t i = 0; i < kUnicodeTableCount; ++i)
    if (name == kUnicodeTables[i].name) return &kUnicodeTables[i].table;
  return nullptr;
}

bool is_letter(char32_t cp) {
  if (cp < 0x80) return ascii_letter(cp);
  return in_table(hot().letter, cp);
}

bool is_number(char32_t cp) {
  if (cp < 0x80) return ascii_digit(cp);
  return in_table(hot().number, cp);
}

bool is_white_space(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  return in_table(hot().space, cp);
}

bool is_decimal_digit(char32_t cp) {
  if (cp < 0x80) return ascii_digit(cp);
  return in_table(hot().digit, cp);
}

bool is_word_char(char32_t cp) {
  if (cp < 0x80) return ascii_letter(cp) || ascii_digit(cp) || cp == '_';
  return is_letter(cp) || is_number(cp) || in_table(hot().mark, cp) ||
         in_table(hot().connector, cp);
}

char32_t simple_fold(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 0x20 : cp;
  const FoldPair* end = kSimpleFolds + kSimpleFoldCount;
  const FoldPair* it = std::lower_bound(kSimpleFolds, end, cp,
                                        [](const FoldPair& p, char32_t c) { return p.from < c; });
  return (it != end && it->from == cp) ? it->to : cp;
}

size_t fold_equivalents(char32_t cp, char32_t* out, size_t capacity) {
  const char32_t target = simple_fold(cp);
  size_t n = 0;
  if (n < capacity) out[n++] = target;
  const auto& rev = reverse_folds();
  auto it = std::lower_bound(rev.begin(), rev.end(), std::make_pair(target, char32_t{0}));
  for (; it != rev.end() && it->first == target && n < capacity; ++it) out[n++] = it->second;
  return n;
}

}  // namespace cachelens::text

// SPDX-License-Identifier: MIT
// Recursive-descent parser for the regex subset described in regex.h. Unsupported syntax is an
// Error, never a silent different meaning, so a new tokenizer's pattern fails loudly.
#include <string>
#include <utility>

#include "cachelens/error.h"
#include "text/regex_ast.h"
#include "text/utf8.h"

namespace cachelens::text::rx {
namespace {

constexpr int kMaxRepeatCount = 100000;

bool ascii_alnum(char32_t c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

int hex_value(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return static_cast<int>((c | 0x20) - 'a' + 10);
  return -1;
}

std::unique_ptr<Node> make_set(CharSet set) {
  auto node = std::make_unique<Node>();
  node->kind = NodeKind::kSet;
  node->set = std::move(set);
  return node;
}

CharSet literal_set(char32_t c, bool icase) {
  CharSet set;
  set.ranges.push_back({c, c});
  set.icase = icase;
  return set;
}

// What an escape stands for: one code point, a property set, or a zero-width assertion.
struct Escape {
  enum Kind { kChar, kSet, kAssert } kind = kChar;
  char32_t c = 0;
  CharSet set;
  AssertKind assertion = AssertKind::kWordB;
};

class Parser {
 public:
  explicit Parser(std::string_view pattern) : pattern_(pattern), cps_(decode_utf8(pattern).cps) {}

  std::unique_ptr<Node> run() {
    auto node = parse_alternation(false);
    if (pos_ < cps_.size()) error("unmatched ')'");
    return node;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    fail("regex pattern '", pattern_, "': ", what, " at character ", pos_);
  }
  bool at_end() const { return pos_ >= cps_.size(); }
  char32_t peek(size_t ahead = 0) const {
    return pos_ + ahead < cps_.size() ? cps_[pos_ + ahead] : char32_t{0};
  }
  bool eat(char32_t c) {
    if (!at_end() && cps_[pos_] == c) return ++pos_, true;
    return false;
  }
  char32_t take() {
    if (at_end()) error("unexpected end of pattern");
    return cps_[pos_++];
  }

  std::unique_ptr<Node> parse_alternation(bool icase) {
    auto alt = std::make_unique<Node>();
    alt->kind = NodeKind::kAlt;
    alt->children.push_back(parse_sequence(icase));
    while (eat('|')) alt->children.push_back(parse_sequence(icase));
    if (alt->children.size() == 1) return std::move(alt->children[0]);
    return alt;
  }

  // `icase` is by reference: an inline (?i) changes it for the rest of the enclosing group.
  std::unique_ptr<Node> parse_sequence(bool& icase) {
    auto seq = std::make_unique<Node>();
    seq->kind = NodeKind::kConcat;
    while (!at_end() && peek() != '|' && peek() != ')') {
      auto atom = parse_atom(icase);
      if (!atom) continue;  // a flag-only group such as (?i)
      while (!at_end()) {
        auto repeated = parse_quantifier(atom);
        if (!repeated) break;
        atom = std::move(repeated);
      }
      seq->children.push_back(std::move(atom));
    }
    if (seq->children.size() == 1) return std::move(seq->children[0]);
    return seq;
  }

  // {n}, {n,}, {n,m}, {,m}; leaves pos_ untouched and returns false when it is not an interval.
  bool parse_interval(int* min, int* max) {
    size_t p = pos_;
    if (p >= cps_.size() || cps_[p] != '{') return false;
    ++p;
    auto number = [&](int* out) {
      size_t start = p;
      long value = 0;
      while (p < cps_.size() && cps_[p] >= '0' && cps_[p] <= '9') {
        value = value * 10 + (cps_[p] - '0');
        if (value > kMaxRepeatCount) error("repeat count over " + std::to_string(kMaxRepeatCount));
        ++p;
      }
      *out = static_cast<int>(value);
      return p > start;
    };
    int lo = 0, hi = 0;
    const bool has_lo = number(&lo);
    if (p < cps_.size() && cps_[p] == ',') {
      ++p;
      if (!number(&hi)) hi = kUnbounded;
      if (!has_lo && hi == kUnbounded) return false;  // "{,}" is literal text
    } else {
      if (!has_lo) return false;
      hi = lo;
    }
    if (p >= cps_.size() || cps_[p] != '}') return false;
    pos_ = p + 1;
    if (hi != kUnbounded && hi < lo) error("repeat range {n,m} with m < n");
    *min = lo, *max = hi;
    return true;
  }

  std::unique_ptr<Node> parse_quantifier(std::unique_ptr<Node>& atom) {
    int min = 0, max = kUnbounded;
    bool interval = false;
    const char32_t c = peek();
    if (c == '?') {
      ++pos_, max = 1;
    } else if (c == '*') {
      ++pos_;
    } else if (c == '+') {
      ++pos_, min = 1;
    } else if (parse_interval(&min, &max)) {
      interval = true;
    } else {
      return nullptr;
    }
    if (atom->kind == NodeKind::kAssert) error("quantifier after an anchor");
    auto rep = std::make_unique<Node>();
    rep->kind = NodeKind::kRepeat;
    rep->min = min, rep->max = max;
    if (eat('?')) {
      rep->mode = RepeatMode::kLazy;
    } else if (!interval && eat('+')) {
      // Oniguruma's Ruby syntax: {n,m}+ is two quantifiers, while ?+ *+ ++ are possessive.
      rep->mode = RepeatMode::kPossessive;
    }
    rep->children.push_back(std::move(atom));
    return rep;
  }

  std::unique_ptr<Node> parse_atom(bool& icase) {
    const char32_t c = take();
    switch (c) {
      case '(':
        return parse_group(icase);
      case '[': {
        CharSet set = parse_class(icase);
        return make_set(std::move(set));
      }
      case '.': {
        CharSet set = literal_set('\n', false);
        set.negated = true;
        return make_set(std::move(set));
      }
      case '^':
        return make_assert(AssertKind::kLineStart);
      case '$':
        return make_assert(AssertKind::kLineEnd);
      case '*':
      case '+':
      case '?':
        --pos_;
        error("nothing to repeat");
      case '{': {
        int lo, hi;
        --pos_;
        if (parse_interval(&lo, &hi)) error("nothing to repeat");
        ++pos_;
        return make_set(literal_set('{', icase));
      }
      case '\\': {
        Escape e = parse_escape(false);
        if (e.kind == Escape::kAssert) return make_assert(e.assertion);
        if (e.kind == Escape::kSet) return make_set(std::move(e.set));
        return make_set(literal_set(e.c, icase));
      }
      default:
        return make_set(literal_set(c, icase));
    }
  }

  std::unique_ptr<Node> make_assert(AssertKind kind) {
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::kAssert;
    node->assertion = kind;
    return node;
  }

  std::unique_ptr<Node> wrap(NodeKind kind, std::unique_ptr<Node> child) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->children.push_back(std::move(child));
    return node;
  }

  // After '('. Returns null for a flag-only group, which changes `icase` for the enclosing group.
  std::unique_ptr<Node> parse_group(bool& icase) {
    std::unique_ptr<Node> node;
    if (!eat('?')) {
      node = parse_alternation(icase);  // a capture group; captures are never read here
    } else if (eat(':')) {
      node = parse_alternation(icase);
    } else if (eat('=') || eat('!')) {
      const bool negative = cps_[pos_ - 1] == '!';
      node = wrap(NodeKind::kLook, parse_alternation(icase));
      node->negative = negative;
    } else if (eat('>')) {
      node = wrap(NodeKind::kAtomic, parse_alternation(icase));
    } else if (peek() == '<' && (peek(1) == '=' || peek(1) == '!')) {
      error("lookbehind is not supported");
    } else if (eat('<')) {
      while (!at_end() && peek() != '>') {
        if (!ascii_alnum(peek()) && peek() != '_') error("bad group name");
        ++pos_;
      }
      if (!eat('>')) error("unterminated group name");
      node = parse_alternation(icase);
    } else {
      bool on = true, flag_icase = icase;
      while (!at_end() && peek() != ':' && peek() != ')') {
        const char32_t f = take();
        if (f == '-') {
          on = false;
        } else if (f == 'i') {
          flag_icase = on;
        } else {
          --pos_;
          error("unsupported group flag or syntax");
        }
      }
      if (eat(')')) {
        icase = flag_icase;  // (?i) applies to the rest of the enclosing group
        return nullptr;
      }
      if (!eat(':')) error("unterminated group");
      node = parse_alternation(flag_icase);
    }
    if (!eat(')')) error("missing ')'");
    return node;
  }

  Escape parse_escape(bool in_class) {
    Escape e;
    const char32_t c = take();
    auto builtin = [&](bool (*fn)(char32_t), bool negated) {
      e.kind = Escape::kSet;
      Property p;
      p.builtin = fn;
      p.negated = negated;
      e.set.properties.push_back(p);
      return e;
    };
    auto assertion = [&](AssertKind kind) {
      if (in_class) error("anchor inside a character class");
      e.kind = Escape::kAssert;
      e.assertion = kind;
      return e;
    };
    switch (c) {
      case 'p':
      case 'P':
        e.kind = Escape::kSet;
        e.set.properties.push_back(parse_property(c == 'P'));
        return e;
      case 's':
        return builtin(is_white_space, false);
      case 'S':
        return builtin(is_white_space, true);
      case 'd':
        return builtin(is_decimal_digit, false);
      case 'D':
        return builtin(is_decimal_digit, true);
      case 'w':
        return builtin(is_word_char, false);
      case 'W':
        return builtin(is_word_char, true);
      case 'b':
        if (in_class) return e.c = 0x08, e;
        return assertion(AssertKind::kWordB);
      case 'B':
        return assertion(AssertKind::kNotWordB);
      case 'A':
        return assertion(AssertKind::kTextStart);
      case 'z':
        return assertion(AssertKind::kTextEnd);
      case 'Z':
        return assertion(AssertKind::kTextEndNewline);
      case 'r':
        return e.c = '\r', e;
      case 'n':
        return e.c = '\n', e;
      case 't':
        return e.c = '\t', e;
      case 'f':
        return e.c = '\f', e;
      case 'v':
        return e.c = '\v', e;
      case 'e':
        return e.c = 0x1B, e;
      case 'a':
        return e.c = 0x07, e;
      case '0':
        return e.c = 0, e;
      case 'x':
        if (eat('{')) {
          e.c = parse_hex(1, 8);
          if (!eat('}')) error("unterminated \\x{...}");
        } else {
          e.c = parse_hex(1, 2);
        }
        return e;
      case 'u':
        return e.c = parse_hex(4, 4), e;
      default:
        if (ascii_alnum(c)) {
          --pos_;
          error(std::string("unsupported escape \\") + static_cast<char>(c));
        }
        e.c = c;  // an escaped punctuation or non-ASCII character stands for itself
        return e;
    }
  }

  char32_t parse_hex(int min_digits, int max_digits) {
    char32_t value = 0;
    int n = 0;
    while (n < max_digits && hex_value(peek()) >= 0) value = value * 16 + hex_value(take()), ++n;
    if (n < min_digits) error("bad hex escape");
    if (value > 0x10FFFF) error("code point out of range");
    return value;
  }

  // After \p or \P: {Name}, {^Name} or a one-letter name.
  Property parse_property(bool negated) {
    std::string name;
    if (eat('{')) {
      if (eat('^')) negated = !negated;
      while (!at_end() && peek() != '}') name += static_cast<char>(take() & 0x7F);
      if (!eat('}')) error("unterminated \\p{...}");
    } else {
      name = static_cast<char>(take() & 0x7F);
    }
    static const std::pair<const char*, const char*> kAliases[] = {
        {"Letter", "L"}, {"Mark", "M"},      {"Number", "N"},         {"Punctuation", "P"},
        {"Symbol", "S"}, {"Separator", "Z"}, {"Space", "White_Space"}};
    for (const auto& [alias, real] : kAliases)
      if (name == alias) name = real;
    Property p;
    p.negated = negated;
    if (name == "L") {
      p.builtin = is_letter;
    } else if (name == "N") {
      p.builtin = is_number;
    } else if (name == "White_Space") {
      p.builtin = is_white_space;
    } else if (!(p.table = find_unicode_table(name))) {
      error("unsupported Unicode property '" + name + "'");
    }
    return p;
  }

  // After '['; nested classes are unions.
  CharSet parse_class(bool icase) {
    CharSet set;
    set.icase = icase;
    set.negated = eat('^');
    bool first = true;
    while (true) {
      if (at_end()) error("unterminated character class");
      const char32_t c = take();
      if (c == ']' && !first) break;
      first = false;
      if (c == '[') {
        if (peek() == ':') error("POSIX bracket classes are not supported");
        set.nested.push_back(parse_class(icase));
        continue;
      }
      if (c == '&' && peek() == '&') error("class intersection (&&) is not supported");
      char32_t lo = c;
      if (c == '\\') {
        Escape e = parse_escape(true);
        if (e.kind == Escape::kSet) {
          for (const auto& p : e.set.properties) set.properties.push_back(p);
          continue;
        }
        lo = e.c;
      }
      char32_t hi = lo;
      if (peek() == '-' && peek(1) != ']' && peek(1) != 0) {
        ++pos_;
        hi = take();
        if (hi == '[') error("bad range end in character class");
        if (hi == '\\') {
          Escape e = parse_escape(true);
          if (e.kind != Escape::kChar) error("a class escape cannot end a range");
          hi = e.c;
        }
        if (hi < lo) error("reversed range in character class");
      }
      set.ranges.push_back({lo, hi});
    }
    return set;
  }

  std::string pattern_;
  std::vector<char32_t> cps_;
  size_t pos_ = 0;
};

// Marks nodes that always consume exactly one code point, so repeats of them need no recursion,
// and rewrites a possessive repeat of anything else as (?>greedy repeat), its definition.
void finish(std::unique_ptr<Node>& node) {
  for (auto& child : node->children) finish(child);
  switch (node->kind) {
    case NodeKind::kSet:
      node->single_char = true;
      break;
    case NodeKind::kAlt: {
      bool all = true;
      for (auto& child : node->children) all = all && child->single_char;
      node->single_char = all;
      break;
    }
    case NodeKind::kRepeat:
      if (node->mode == RepeatMode::kPossessive && !node->children[0]->single_char) {
        node->mode = RepeatMode::kGreedy;
        auto atomic = std::make_unique<Node>();
        atomic->kind = NodeKind::kAtomic;
        atomic->children.push_back(std::move(node));
        node = std::move(atomic);
      }
      break;
    default:
      break;
  }
}

}  // namespace

bool CharSet::matches_raw(char32_t c) const {
  for (const auto& r : ranges)
    if (c >= r.lo && c <= r.hi) return true;
  for (const auto& p : properties)
    if (p.matches(c)) return true;
  for (const auto& n : nested)
    if (n.matches(c)) return true;
  return false;
}

bool CharSet::matches(char32_t c) const {
  bool in = matches_raw(c);
  if (!in && icase) {
    char32_t equivalents[8];
    const size_t n = fold_equivalents(c, equivalents, 8);
    for (size_t i = 0; i < n && !in; ++i) in = matches_raw(equivalents[i]);
  }
  return in != negated;
}

bool matches_one(const Node& node, char32_t c) {
  if (node.kind == NodeKind::kSet) return node.set.matches(c);
  for (const auto& child : node.children)
    if (matches_one(*child, c)) return true;
  return false;
}

std::unique_ptr<Node> parse(std::string_view pattern) {
  auto root = Parser(pattern).run();
  finish(root);
  return root;
}

}  // namespace cachelens::text::rx

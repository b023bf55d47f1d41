// SPDX-License-Identifier: MIT
// Backtracking matcher in continuation-passing style: run(node, i, k) matches `node` at i and then
// the continuation chain k. Repeats of single-code-point nodes are loops, so the recursion depth
// follows the pattern's shape, not the input's length. A step budget turns catastrophic
// backtracking into an Error instead of a hang.
#include <string>

#include "cachelens/error.h"
#include "text/regex.h"
#include "text/regex_ast.h"
#include "text/utf8.h"

namespace cachelens::text {
namespace {

using rx::AssertKind;
using rx::Node;
using rx::NodeKind;
using rx::RepeatMode;

// Nested run() calls (~4 per iteration of a repeated group, ~250 bytes of stack each): kept low so
// a worker thread with a small stack is safe. Tokenizer patterns only nest as deep as they read.
constexpr int kMaxDepth = 2000;

// What remains to match after the current node.
struct Cont {
  enum Kind { kSeq, kRepeat, kDone } kind;
  const Node* node = nullptr;  // kSeq: the concat; kRepeat: the repeat
  size_t index = 0;            // kSeq: next child; kRepeat: iterations done
  size_t start = 0;            // kRepeat: where the last iteration began
  const Cont* next = nullptr;
  size_t* end = nullptr;  // kDone: receives the match end
};

class Matcher {
 public:
  Matcher(const std::string& pattern, const std::vector<char32_t>& text, uint64_t budget)
      : pattern_(pattern), text_(text), budget_(budget) {}

  // The end of a match of `node` starting exactly at `at`, if any.
  bool match(const Node& node, size_t at, size_t* end) {
    steps_ = 0;
    Cont done{Cont::kDone};
    done.end = end;
    return run(node, at, &done);
  }

 private:
  void step() {
    if (++steps_ > budget_)
      fail("regex pattern '", pattern_, "': backtracking step budget (", budget_,
           ") exhausted; the pattern backtracks catastrophically on this input");
  }

  struct DepthGuard {
    explicit DepthGuard(Matcher& m) : m(m) {
      if (++m.depth_ > kMaxDepth)
        fail("regex pattern '", m.pattern_, "': recursion deeper than ", kMaxDepth,
             " (a repeated group matched too many times)");
    }
    ~DepthGuard() { --m.depth_; }
    Matcher& m;
  };

  bool resume(const Cont* k, size_t i) {
    switch (k->kind) {
      case Cont::kDone:
        *k->end = i;
        return true;
      case Cont::kSeq: {
        const auto& kids = k->node->children;
        if (k->index + 1 == kids.size()) return run(*kids[k->index], i, k->next);
        Cont rest{Cont::kSeq, k->node, k->index + 1, 0, k->next};
        return run(*kids[k->index], i, &rest);
      }
      case Cont::kRepeat: {
        const Node& rep = *k->node;
        // An empty iteration would loop forever; treat it as the last one.
        if (i == k->start) return static_cast<int>(k->index) >= rep.min && resume(k->next, i);
        return iterate(rep, k->index, i, k->next);
      }
    }
    return false;
  }

  // A general repeat after `count` iterations, now at i.
  bool iterate(const Node& rep, size_t count, size_t i, const Cont* k) {
    const bool may_stop = static_cast<int>(count) >= rep.min;
    const bool may_go = rep.max == rx::kUnbounded || static_cast<int>(count) < rep.max;
    Cont again{Cont::kRepeat, &rep, count + 1, i, k};
    if (rep.mode == RepeatMode::kLazy) {
      if (may_stop && resume(k, i)) return true;
      return may_go && run(*rep.children[0], i, &again);
    }
    if (may_go && run(*rep.children[0], i, &again)) return true;
    return may_stop && resume(k, i);
  }

  bool repeat_single(const Node& rep, size_t i, const Cont* k) {
    const Node& child = *rep.children[0];
    const size_t n = text_.size();
    const size_t max = rep.max == rx::kUnbounded ? n - i : static_cast<size_t>(rep.max);
    const auto min = static_cast<size_t>(rep.min);
    size_t count = 0;
    if (rep.mode == RepeatMode::kLazy) {
      while (count < min) {
        if (i + count >= n || !rx::matches_one(child, text_[i + count])) return false;
        ++count;
      }
      while (true) {
        step();
        if (resume(k, i + count)) return true;
        if (count >= max || i + count >= n || !rx::matches_one(child, text_[i + count]))
          return false;
        ++count;
      }
    }
    while (count < max && i + count < n && rx::matches_one(child, text_[i + count])) ++count;
    if (count < min) return false;
    if (rep.mode == RepeatMode::kPossessive) return resume(k, i + count);
    for (size_t c = count + 1; c-- > min;) {
      step();
      if (resume(k, i + c)) return true;
    }
    return false;
  }

  bool assertion(AssertKind kind, size_t i) const {
    const size_t n = text_.size();
    auto word = [&](size_t at) { return at < n && is_word_char(text_[at]); };
    switch (kind) {
      case AssertKind::kLineStart:
        return i == 0 || text_[i - 1] == '\n';
      case AssertKind::kLineEnd:
        return i == n || text_[i] == '\n';
      case AssertKind::kTextStart:
        return i == 0;
      case AssertKind::kTextEnd:
        return i == n;
      case AssertKind::kTextEndNewline:
        return i == n || (i + 1 == n && text_[i] == '\n');
      case AssertKind::kWordB:
        return (i > 0 && word(i - 1)) != word(i);
      case AssertKind::kNotWordB:
        return (i > 0 && word(i - 1)) == word(i);
    }
    return false;
  }

  bool run(const Node& node, size_t i, const Cont* k) {
    step();
    DepthGuard guard(*this);
    switch (node.kind) {
      case NodeKind::kSet:
        return i < text_.size() && node.set.matches(text_[i]) && resume(k, i + 1);
      case NodeKind::kConcat: {
        if (node.children.empty()) return resume(k, i);
        Cont rest{Cont::kSeq, &node, 0, 0, k};
        return resume(&rest, i);
      }
      case NodeKind::kAlt:
        for (const auto& child : node.children)
          if (run(*child, i, k)) return true;
        return false;
      case NodeKind::kRepeat:
        if (node.children[0]->single_char) return repeat_single(node, i, k);
        return iterate(node, 0, i, k);
      case NodeKind::kLook: {
        size_t end = 0;
        const bool found = sub_match(*node.children[0], i, &end);
        return found != node.negative && resume(k, i);
      }
      case NodeKind::kAtomic: {
        size_t end = 0;
        return sub_match(*node.children[0], i, &end) && resume(k, end);
      }
      case NodeKind::kAssert:
        return assertion(node.assertion, i) && resume(k, i);
    }
    return false;
  }

  // The first match of `node` at i, without the caller's continuation (atomic).
  bool sub_match(const Node& node, size_t i, size_t* end) {
    Cont done{Cont::kDone};
    done.end = end;
    return run(node, i, &done);
  }

  const std::string& pattern_;
  const std::vector<char32_t>& text_;
  uint64_t budget_;
  uint64_t steps_ = 0;
  int depth_ = 0;
};

}  // namespace

Regex::Regex(std::string_view pattern) : pattern_(pattern), root_(rx::parse(pattern)) {}

std::optional<size_t> Regex::match_at(const std::vector<char32_t>& cps, size_t at) const {
  Matcher m(pattern_, cps, step_budget_);
  size_t end = 0;
  if (m.match(*root_, at, &end)) return end;
  return std::nullopt;
}

std::optional<RegexMatch> Regex::search(const std::vector<char32_t>& cps, size_t from) const {
  Matcher m(pattern_, cps, step_budget_);
  for (size_t start = from; start <= cps.size(); ++start) {
    size_t end = 0;
    if (m.match(*root_, start, &end)) return RegexMatch{start, end};
  }
  return std::nullopt;
}

std::vector<std::pair<size_t, size_t>> Regex::find_all(std::string_view utf8) const {
  const DecodedText text = decode_utf8(utf8);
  std::vector<std::pair<size_t, size_t>> out;
  size_t pos = 0;
  while (pos <= text.cps.size()) {
    const auto m = search(text.cps, pos);
    if (!m) break;
    out.emplace_back(text.offsets[m->begin], text.offsets[m->end]);
    pos = m->end > m->begin ? m->end : m->end + 1;  // step past an empty match
  }
  return out;
}

}  // namespace cachelens::text

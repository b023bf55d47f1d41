// SPDX-License-Identifier: MIT
#include "text/bpe.h"

#include <queue>

#include "cachelens/error.h"
#include "text/utf8.h"

namespace cachelens::text {
namespace {

constexpr size_t kMaxCacheEntries = 100000;

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct Candidate {
  int32_t rank;
  int32_t pos;  // index of the left symbol
  int32_t left, right;
  bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
};

}  // namespace

BpeModel::BpeModel(Vocab vocab, const Merges& merges, bool ignore_merges, const std::string& origin)
    : vocab_(std::move(vocab)), ignore_merges_(ignore_merges) {
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    auto ia = vocab_.find(a), ib = vocab_.find(b), im = vocab_.find(a + b);
    if (ia == vocab_.end() || ib == vocab_.end() || im == vocab_.end())
      fail(origin, ": merge ", rank, " ('", a, "' '", b,
           "') uses or makes a token missing from model.vocab");
    merges_.emplace(pair_key(ia->second, ib->second),
                    MergeInfo{static_cast<int32_t>(rank), im->second});
  }
}

BpeModel::BpeModel(const BpeModel& other)
    : vocab_(other.vocab_), merges_(other.merges_), ignore_merges_(other.ignore_merges_) {}

BpeModel& BpeModel::operator=(const BpeModel& other) {
  if (this != &other) {
    vocab_ = other.vocab_;
    merges_ = other.merges_;
    ignore_merges_ = other.ignore_merges_;
    std::lock_guard<std::mutex> lock(*cache_mutex_);
    cache_.clear();
  }
  return *this;
}

BpeModel::BpeModel(BpeModel&&) noexcept = default;
BpeModel& BpeModel::operator=(BpeModel&&) noexcept = default;
BpeModel::~BpeModel() = default;

void BpeModel::encode(const std::string& piece, std::vector<int32_t>& out) const {
  if (ignore_merges_) {
    auto it = vocab_.find(piece);
    if (it != vocab_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  {
    std::lock_guard<std::mutex> lock(*cache_mutex_);
    auto it = cache_.find(piece);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids;
  merge_symbols(piece, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  std::lock_guard<std::mutex> lock(*cache_mutex_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_.emplace(piece, std::move(ids));
}

void BpeModel::merge_symbols(const std::string& piece, std::vector<int32_t>& out) const {
  // One symbol per character, as a doubly linked list so merges are O(1).
  std::vector<int32_t> id, prev, next;
  std::string ch;
  for (char32_t c : decode_utf8(piece).cps) {
    ch.clear();
    append_utf8(ch, c);
    auto it = vocab_.find(ch);
    if (it == vocab_.end()) continue;
    id.push_back(it->second);
  }
  const auto n = static_cast<int32_t>(id.size());
  prev.resize(n);
  next.resize(n);
  for (int32_t i = 0; i < n; ++i) prev[i] = i - 1, next[i] = i + 1 < n ? i + 1 : -1;

  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
  auto consider = [&](int32_t left) {
    if (left < 0 || next[left] < 0) return;
    auto it = merges_.find(pair_key(id[left], id[next[left]]));
    if (it != merges_.end()) heap.push({it->second.rank, left, id[left], id[next[left]]});
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i);
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    // Stale entries: a merge since changed the left symbol or its right neighbour.
    const int32_t right = next[c.pos];
    if (id[c.pos] != c.left || right < 0 || id[right] != c.right) continue;
    id[c.pos] = merges_.at(pair_key(c.left, c.right)).merged_id;
    next[c.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = c.pos;
    id[right] = -1;  // dead
    consider(prev[c.pos]);
    consider(c.pos);
  }
  for (int32_t i = 0; i < n; i = next[i] < 0 ? n : next[i]) out.push_back(id[i]);
}

}  // namespace cachelens::text

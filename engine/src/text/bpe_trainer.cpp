// SPDX-License-Identifier: MIT
// A small deterministic byte-level BPE trainer for the project's own test and embedded models.
// Words come from the Bailing split regex; the most frequent adjacent pair is merged each round,
// ties going to the lexicographically smallest (left, right) strings. Pair counts are updated
// only for the words that hold the merged pair, so larger corpora stay fast.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "cachelens/error.h"
#include "cachelens/tokenizer.h"
#include "text/byte_level.h"
#include "text/pre_tokenizer.h"
#include "text/split.h"
#include "text/utf8.h"

namespace cachelens {
namespace {

using text::kBailingSplitPattern;

// LLaDA-V's special tokens by their real names, in id order (lladav-model.md section 3.2).
const char* const kSpecialTokens[] = {
    "<|startoftext|>",    "<|endoftext|>",    "[CLS]",          "[gMASK]",
    "<|mdm_mask|>",       "<role>",           "</role>",        "<|arithmetic_start|>",
    "<|arithmetic_end|>", "<|number_start|>", "<|number_end|>", "<|start_header_id|>",
    "<|end_header_id|>",  "<|eot_id|>"};

using PairKey = uint64_t;
PairKey key_of(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

struct Word {
  std::vector<int32_t> symbols;
  int64_t count = 0;
};

class Trainer {
 public:
  explicit Trainer(const std::string& corpus) {
    for (uint8_t b : text::gpt2_byte_order()) {
      std::string s;
      text::append_utf8(s, text::byte_to_char(b));
      add_token(s);
    }
    const text::Regex regex(kBailingSplitPattern);
    std::map<std::string, int64_t> counts;  // ordered, so word order never depends on hashing
    for (const auto& [b, e] : text::split_ranges(regex, corpus, text::SplitBehavior::kIsolated))
      ++counts[text::bytes_to_chars(std::string_view(corpus).substr(b, e - b))];
    for (const auto& [word, count] : counts) {
      Word w;
      w.count = count;
      for (char32_t c : text::decode_utf8(word).cps) {
        std::string s;
        text::append_utf8(s, c);
        w.symbols.push_back(ids_.at(s));
      }
      words_.push_back(std::move(w));
    }
    for (size_t w = 0; w < words_.size(); ++w) add_pairs(w, +1);
    for (const auto& [key, count] : pair_counts_) push(key);
  }

  void train(int num_merges) {
    while (static_cast<int>(merges_.size()) < num_merges) {
      const auto best = pop_best();
      if (!best) break;  // nothing left to merge
      const int32_t a = static_cast<int32_t>(*best >> 32), b = static_cast<int32_t>(*best);
      merges_.emplace_back(tokens_[a], tokens_[b]);
      const int32_t merged = add_token(tokens_[a] + tokens_[b]);
      std::unordered_set<size_t> seen;
      for (size_t w : where_[*best]) {
        if (!seen.insert(w).second) continue;
        add_pairs(w, -1);
        merge_in_word(words_[w].symbols, a, b, merged);
        add_pairs(w, +1);
      }
      where_.erase(*best);
      for (PairKey k : touched_) push(k);
      touched_.clear();
    }
  }

  std::string to_json() const {
    using ordered = nlohmann::ordered_json;
    ordered added = ordered::array();
    ordered vocab = ordered::object();
    for (size_t id = 0; id < tokens_.size(); ++id) vocab[tokens_[id]] = id;
    int64_t next_id = static_cast<int64_t>(tokens_.size());
    for (const char* special : kSpecialTokens) {
      added.push_back({{"id", next_id++},
                       {"content", special},
                       {"single_word", false},
                       {"lstrip", false},
                       {"rstrip", false},
                       {"normalized", false},
                       {"special", true}});
    }
    ordered merges = ordered::array();
    for (const auto& [l, r] : merges_) merges.push_back(l + " " + r);
    ordered split = {{"type", "Split"},
                     {"pattern", {{"Regex", kBailingSplitPattern}}},
                     {"behavior", "Isolated"},
                     {"invert", false}};
    ordered byte_level = {{"type", "ByteLevel"},
                          {"add_prefix_space", false},
                          {"trim_offsets", true},
                          {"use_regex", false}};
    ordered root;
    root["version"] = "1.0";
    root["truncation"] = nullptr;
    root["padding"] = nullptr;
    root["added_tokens"] = added;
    root["normalizer"] = nullptr;
    root["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", {split, byte_level}}};
    root["post_processor"] = nullptr;
    root["decoder"] = {{"type", "ByteLevel"},
                       {"add_prefix_space", true},
                       {"trim_offsets", true},
                       {"use_regex", true}};
    root["model"] = {{"type", "BPE"},
                     {"dropout", nullptr},
                     {"unk_token", nullptr},
                     {"continuing_subword_prefix", nullptr},
                     {"end_of_word_suffix", nullptr},
                     {"fuse_unk", false},
                     {"byte_fallback", false},
                     {"ignore_merges", false},
                     {"vocab", vocab},
                     {"merges", merges}};
    return root.dump(2) + "\n";
  }

 private:
  // Heap entry: higher count first, then the smaller (left, right) strings.
  struct Entry {
    int64_t count;
    PairKey key;
  };
  struct Worse {
    const Trainer* t;
    bool operator()(const Entry& x, const Entry& y) const {
      if (x.count != y.count) return x.count < y.count;
      return t->pair_strings(x.key) > t->pair_strings(y.key);
    }
  };

  std::pair<const std::string&, const std::string&> pair_strings(PairKey k) const {
    return {tokens_[k >> 32], tokens_[static_cast<uint32_t>(k)]};
  }

  int32_t add_token(const std::string& s) {
    auto [it, inserted] = ids_.emplace(s, static_cast<int32_t>(tokens_.size()));
    if (inserted) tokens_.push_back(s);
    return it->second;
  }

  void add_pairs(size_t w, int sign) {
    const Word& word = words_[w];
    for (size_t i = 0; i + 1 < word.symbols.size(); ++i) {
      const PairKey k = key_of(word.symbols[i], word.symbols[i + 1]);
      pair_counts_[k] += sign * word.count;
      touched_.insert(k);
      if (sign > 0) where_[k].push_back(w);
    }
  }

  static void merge_in_word(std::vector<int32_t>& s, int32_t a, int32_t b, int32_t merged) {
    size_t out = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
        s[out++] = merged;
        ++i;
      } else {
        s[out++] = s[i];
      }
    }
    s.resize(out);
  }

  void push(PairKey k) {
    const int64_t count = pair_counts_[k];
    if (count > 0) heap_.push({count, k});
  }

  // The best pair whose heap count is still current (entries go stale as counts change).
  std::optional<PairKey> pop_best() {
    while (!heap_.empty()) {
      const Entry e = heap_.top();
      heap_.pop();
      auto it = pair_counts_.find(e.key);
      if (it != pair_counts_.end() && it->second == e.count) return e.key;
    }
    return std::nullopt;
  }

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<Word> words_;
  std::unordered_map<PairKey, int64_t> pair_counts_;
  std::unordered_map<PairKey, std::vector<size_t>> where_;  // words that may hold the pair
  std::unordered_set<PairKey> touched_;
  std::priority_queue<Entry, std::vector<Entry>, Worse> heap_{Worse{this}};
  std::vector<std::pair<std::string, std::string>> merges_;
};

}  // namespace

std::string train_byte_level_bpe_json(const std::string& corpus, int num_merges) {
  if (num_merges < 0) fail("train_byte_level_bpe_json: num_merges must be >= 0, got ", num_merges);
  Trainer trainer(corpus);
  trainer.train(num_merges);
  return trainer.to_json();
}

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// The BPE model: a vocabulary of byte-level strings and ranked merges. A piece is split into its
// characters, then the adjacent pair with the lowest merge rank (leftmost on ties) is merged until
// none applies, as Hugging Face's BPE does.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cachelens::text {

class BpeModel {
 public:
  using Vocab = std::unordered_map<std::string, int32_t>;
  using Merges = std::vector<std::pair<std::string, std::string>>;

  BpeModel() = default;
  // Throws Error naming `origin` when a merge uses or makes a string missing from the vocab.
  BpeModel(Vocab vocab, const Merges& merges, bool ignore_merges, const std::string& origin);
  BpeModel(const BpeModel& other);
  BpeModel& operator=(const BpeModel& other);
  BpeModel(BpeModel&&) noexcept;
  BpeModel& operator=(BpeModel&&) noexcept;
  ~BpeModel();

  // Appends the ids of one byte-level piece. Characters missing from the vocabulary are dropped
  // (Hugging Face's behaviour without an unk token).
  void encode(const std::string& piece, std::vector<int32_t>& out) const;
  const Vocab& vocab() const { return vocab_; }

 private:
  void merge_symbols(const std::string& piece, std::vector<int32_t>& out) const;

  struct MergeInfo {
    int32_t rank;
    int32_t merged_id;
  };
  Vocab vocab_;
  std::unordered_map<uint64_t, MergeInfo> merges_;  // key: left id << 32 | right id
  bool ignore_merges_ = false;
  // Repeated pieces (" the", "Ġ") are common; a copy starts with an empty cache.
  mutable std::unique_ptr<std::mutex> cache_mutex_ = std::make_unique<std::mutex>();
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;
};

}  // namespace cachelens::text

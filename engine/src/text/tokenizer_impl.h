// SPDX-License-Identifier: MIT
// Tokenizer's private state, shared by its loading and its encode/decode code.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cachelens/tokenizer.h"
#include "text/bpe.h"
#include "text/pre_tokenizer.h"

namespace cachelens {

struct Tokenizer::Impl {
  std::string origin;  // the file, for messages
  text::BpeModel bpe;
  std::optional<text::PreTokenizer> pre_tokenizer;  // set once loaded
  std::vector<AddedToken> added;
  std::unordered_map<std::string, int32_t> added_ids;  // content -> id
  std::unordered_set<int32_t> special_ids;
  // Added-token indices by the first byte of their content, longest first (longest match wins).
  std::array<std::vector<size_t>, 256> added_by_first_byte;
  std::vector<std::string> token_texts;  // by id; empty where no token has that id
  std::vector<std::string> token_bytes;  // by id: the bytes the token decodes to
  std::vector<bool> has_id;

  // Parses a tokenizer.json document; `origin` prefixes every message.
  static std::unique_ptr<Impl> load(const nlohmann::json& root, const std::string& origin);
  // `impl`, or an Error when the tokenizer was never loaded (default-constructed or moved from).
  static const Impl& get(const std::unique_ptr<Impl>& impl);

  // Fills the lookup tables above from `bpe` and `added`.
  void index_tokens();
  // The added token starting at `pos` (the longest if several), or null.
  const AddedToken* added_at(std::string_view text, size_t pos, bool parse_special) const;
  // Pre-tokenize + BPE for text holding no added token.
  void encode_plain(std::string_view text, std::vector<int32_t>& ids) const;
};

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// Byte-level BPE read from a Hugging Face tokenizer.json: the pre-tokenizer's Split regex (run by
// the project's own Unicode regex engine), the GPT-2 byte<->unicode map, ranked merges, and added
// tokens matched as whole strings before BPE. Special ids are looked up by their text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cachelens {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool special = true;
};

class Tokenizer {
 public:
  static Tokenizer from_file(const std::filesystem::path& tokenizer_json);
  static Tokenizer from_json_text(const std::string& text, const std::string& origin);
  Tokenizer();
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  Tokenizer(const Tokenizer&);
  Tokenizer& operator=(const Tokenizer&);

  // Added tokens in the text are matched first (longest match wins) when `parse_special`; without
  // it only the non-special ones are (Hugging Face's split_special_tokens).
  std::vector<int32_t> encode(std::string_view text, bool parse_special = true) const;
  // Byte-level inverse over the whole run (never per id, so multi-byte UTF-8 survives); invalid
  // UTF-8 at the end of a partial run is kept as U+FFFD.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special = false) const;

  std::optional<int32_t> find_id(std::string_view token_text) const;
  int32_t id_of(std::string_view token_text) const;  // throws Error naming the token
  std::string token_text(int32_t id) const;          // the vocabulary string ("Ġthe")
  bool is_special(int32_t id) const;
  // len(tokenizer): the largest id in the vocabulary or added tokens, plus one.
  int64_t size() const;
  const std::vector<AddedToken>& added_tokens() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A small byte-level BPE vocabulary learnt from `corpus`: 256 byte tokens, then `num_merges`
// merges, then the LLaDA-V special tokens by their real names (<|startoftext|>, <|endoftext|>,
// <|mdm_mask|>, <|start_header_id|>, <|end_header_id|>, <|eot_id|>, ...). Returns tokenizer.json
// text in the Hugging Face format, with the Bailing Split regex + ByteLevel pre-tokenizer.
std::string train_byte_level_bpe_json(const std::string& corpus, int num_merges);

}  // namespace cachelens

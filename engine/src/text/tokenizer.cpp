// SPDX-License-Identifier: MIT
// Tokenizer: added-token matching, pre-tokenize + BPE for the text between, byte-level decode.
#include "cachelens/tokenizer.h"

#include "cachelens/error.h"
#include "text/tokenizer_impl.h"
#include "text/utf8.h"

namespace cachelens {
const Tokenizer::Impl& Tokenizer::Impl::get(const std::unique_ptr<Impl>& impl) {
  if (!impl || !impl->pre_tokenizer) fail("tokenizer used before it was loaded from a file");
  return *impl;
}

// Special tokens count only when `parse_special`; non-special added tokens always do, as in
// Hugging Face.
const AddedToken* Tokenizer::Impl::added_at(std::string_view text, size_t pos,
                                            bool parse_special) const {
  for (size_t index : added_by_first_byte[static_cast<uint8_t>(text[pos])]) {
    const AddedToken& t = added[index];
    if (t.special && !parse_special) continue;
    if (text.compare(pos, t.content.size(), t.content) == 0) return &t;
  }
  return nullptr;
}

void Tokenizer::Impl::encode_plain(std::string_view text, std::vector<int32_t>& ids) const {
  if (text.empty()) return;
  std::vector<std::string> pieces;
  pre_tokenizer->run(text, pieces);
  for (const std::string& piece : pieces) bpe.encode(piece, ids);
}

Tokenizer::Tokenizer() : impl_(std::make_unique<Impl>()) {}
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::Tokenizer(const Tokenizer& other)
    : impl_(other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr) {}
Tokenizer& Tokenizer::operator=(const Tokenizer& other) {
  if (this != &other) impl_ = other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr;
  return *this;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parse_special) const {
  const Impl& impl = Impl::get(impl_);
  std::vector<int32_t> ids;
  size_t plain_start = 0, pos = 0;
  while (pos < text.size()) {
    const AddedToken* token = impl.added_at(text, pos, parse_special);
    if (!token) {
      ++pos;
      continue;
    }
    impl.encode_plain(text.substr(plain_start, pos - plain_start), ids);
    ids.push_back(token->id);
    pos += token->content.size();
    plain_start = pos;
  }
  impl.encode_plain(text.substr(plain_start), ids);
  return ids;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
  const Impl& impl = Impl::get(impl_);
  std::string bytes;
  for (int32_t id : ids) {
    // Ids outside the vocabulary (the image placeholder, padding rows) decode to nothing, as in
    // Hugging Face.
    if (id < 0 || static_cast<size_t>(id) >= impl.has_id.size() || !impl.has_id[id]) continue;
    if (skip_special && impl.special_ids.count(id)) continue;
    bytes += impl.token_bytes[id];
  }
  return text::make_valid_utf8(bytes);
}

std::optional<int32_t> Tokenizer::find_id(std::string_view token_text) const {
  const Impl& impl = Impl::get(impl_);
  const std::string key(token_text);
  if (auto it = impl.added_ids.find(key); it != impl.added_ids.end()) return it->second;
  const auto& vocab = impl.bpe.vocab();
  if (auto it = vocab.find(key); it != vocab.end()) return it->second;
  return std::nullopt;
}

int32_t Tokenizer::id_of(std::string_view token_text) const {
  if (auto id = find_id(token_text)) return *id;
  fail(Impl::get(impl_).origin, ": no token '", token_text, "' in the vocabulary");
}

std::string Tokenizer::token_text(int32_t id) const {
  const Impl& impl = Impl::get(impl_);
  if (id < 0 || static_cast<size_t>(id) >= impl.has_id.size() || !impl.has_id[id])
    fail(impl.origin, ": no token with id ", id);
  return impl.token_texts[id];
}

bool Tokenizer::is_special(int32_t id) const {
  return Impl::get(impl_).special_ids.count(id) > 0;
}

int64_t Tokenizer::size() const {
  return static_cast<int64_t>(Impl::get(impl_).has_id.size());
}

const std::vector<AddedToken>& Tokenizer::added_tokens() const {
  return Impl::get(impl_).added;
}

}  // namespace cachelens

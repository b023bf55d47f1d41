// SPDX-License-Identifier: MIT
// Reading tokenizer.json. Every structural problem is an Error naming the file and the field.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "cachelens/atomic_file.h"
#include "cachelens/error.h"
#include "text/byte_level.h"
#include "text/tokenizer_impl.h"
#include "text/utf8.h"

namespace cachelens {
namespace {

using nlohmann::json;

const json& require(const json& parent, const char* key, const std::string& field,
                    const std::string& origin) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) fail(origin, ": missing field '", field, "'");
  return *it;
}

// Both merge formats: "a b" strings (older files) and ["a", "b"] pairs (newer files).
text::BpeModel::Merges parse_merges(const json& merges, const std::string& origin) {
  if (!merges.is_array()) fail(origin, ": field 'model.merges' must be an array");
  text::BpeModel::Merges out;
  out.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const json& m = merges[i];
    if (m.is_string()) {
      const std::string s = m.get<std::string>();
      const size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
        fail(origin, ": model.merges[", i, "] '", s, "' is not two tokens separated by a space");
      out.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (m.is_array() && m.size() == 2) {
      out.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      fail(origin, ": model.merges[", i, "] must be \"a b\" or [\"a\", \"b\"]");
    }
  }
  return out;
}

// Normalizers change the text before splitting. None is implemented, but NFC is accepted: the
// text reaching the engine (typed prompts, UTF-8 files) is NFC in practice.
void check_normalizer(const json& normalizer, const std::string& origin) {
  if (normalizer.is_null()) return;
  const std::string type = normalizer.value("type", "");
  if (type == "NFC") return;
  if (type == "Sequence") {
    for (const json& n : normalizer.at("normalizers")) check_normalizer(n, origin);
    return;
  }
  fail(origin, ": field 'normalizer' of type '", type, "' is not supported (expected null or NFC)");
}

// The bytes a token stands for, as Hugging Face's ByteLevel decoder reads it: through the
// byte-level map when every character is one of the 256, otherwise the raw text (added tokens
// such as "<image> x" with a real space).
std::string token_to_bytes(const std::string& token) {
  std::string bytes;
  for (char32_t c : text::decode_utf8(token).cps) {
    const int b = text::char_to_byte(c);
    if (b < 0) return token;
    bytes += static_cast<char>(b);
  }
  return bytes;
}

}  // namespace

std::unique_ptr<Tokenizer::Impl> Tokenizer::Impl::load(const json& root,
                                                       const std::string& origin) {
  auto impl = std::make_unique<Impl>();
  impl->origin = origin;
  if (!root.is_object()) fail(origin, ": expected a JSON object at the top level");
  const json& model = require(root, "model", "model", origin);
  const std::string type = model.value("type", "BPE");
  if (type != "BPE")
    fail(origin, ": field 'model.type' is '", type, "', expected 'BPE' (byte-level BPE)");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    auto it = model.find(key);
    if (it != model.end() && !it->is_null() && !it->get<std::string>().empty())
      fail(origin, ": field 'model.", key, "' is not supported");
  }
  const json& vocab_json = require(model, "vocab", "model.vocab", origin);
  if (!vocab_json.is_object()) fail(origin, ": field 'model.vocab' must be an object");
  text::BpeModel::Vocab vocab;
  vocab.reserve(vocab_json.size());
  for (auto it = vocab_json.begin(); it != vocab_json.end(); ++it) {
    const auto id = it.value().get<int64_t>();
    if (id < 0 || id > INT32_MAX) fail(origin, ": model.vocab['", it.key(), "'] has a bad id");
    vocab.emplace(it.key(), static_cast<int32_t>(id));
  }
  const auto merges = parse_merges(require(model, "merges", "model.merges", origin), origin);
  const bool ignore_merges = model.contains("ignore_merges") && !model["ignore_merges"].is_null() &&
                             model["ignore_merges"].get<bool>();
  impl->bpe = text::BpeModel(std::move(vocab), merges, ignore_merges, origin);

  if (auto it = root.find("added_tokens"); it != root.end() && !it->is_null()) {
    for (const json& t : *it) {
      AddedToken token;
      token.id = t.at("id").get<int32_t>();
      token.content = t.at("content").get<std::string>();
      token.special = t.value("special", false);
      if (token.id < 0 || token.content.empty())
        fail(origin, ": added_tokens entry '", token.content, "' has a bad id or empty content");
      impl->added.push_back(std::move(token));
    }
  }
  check_normalizer(root.value("normalizer", json()), origin);
  impl->pre_tokenizer = text::PreTokenizer::from_json(
      require(root, "pre_tokenizer", "pre_tokenizer", origin), origin);
  impl->index_tokens();
  return impl;
}

void Tokenizer::Impl::index_tokens() {
  int64_t size = 0;
  for (const auto& [text, id] : bpe.vocab()) size = std::max<int64_t>(size, int64_t{id} + 1);
  for (const auto& t : added) size = std::max<int64_t>(size, int64_t{t.id} + 1);
  token_texts.assign(size, std::string());
  has_id.assign(size, false);
  for (const auto& [text, id] : bpe.vocab()) token_texts[id] = text, has_id[id] = true;
  for (size_t i = 0; i < added.size(); ++i) {
    const AddedToken& t = added[i];
    token_texts[t.id] = t.content, has_id[t.id] = true;
    added_ids[t.content] = t.id;
    if (t.special) special_ids.insert(t.id);
    added_by_first_byte[static_cast<uint8_t>(t.content[0])].push_back(i);
  }
  for (auto& list : added_by_first_byte)
    std::stable_sort(list.begin(), list.end(), [&](size_t a, size_t b) {
      return added[a].content.size() > added[b].content.size();
    });
  token_bytes.resize(size);
  for (int64_t id = 0; id < size; ++id) {
    if (!has_id[id]) continue;
    token_bytes[id] = token_to_bytes(token_texts[id]);
  }
}

Tokenizer Tokenizer::from_json_text(const std::string& text, const std::string& origin) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    fail("tokenizer file '", origin, "' is not valid JSON: ", e.what());
  }
  Tokenizer tokenizer;
  try {
    tokenizer.impl_ = Impl::load(root, "tokenizer file '" + origin + "'");
  } catch (const json::exception& e) {
    fail("tokenizer file '", origin, "' has an unexpected structure: ", e.what());
  }
  return tokenizer;
}

Tokenizer Tokenizer::from_file(const std::filesystem::path& tokenizer_json) {
  return from_json_text(read_text_file(tokenizer_json), tokenizer_json.string());
}

}  // namespace cachelens

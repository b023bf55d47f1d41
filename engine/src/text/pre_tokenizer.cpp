// SPDX-License-Identifier: MIT
#include "text/pre_tokenizer.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "cachelens/error.h"
#include "text/byte_level.h"

namespace cachelens::text {

const char* const kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const char* const kBailingSplitPattern =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";

namespace {

using nlohmann::json;

// A regex that matches `literal` exactly, for Split patterns given as {"String": ...}.
std::string escape_literal(const std::string& literal) {
  std::string out;
  for (char c : literal) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isalnum(u) && c != ' ') out += '\\';
    out += c;
  }
  return out;
}

bool bool_field(const json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  return (it == j.end() || it->is_null()) ? fallback : it->get<bool>();
}

}  // namespace

PreTokenizer PreTokenizer::from_json(const json& config, const std::string& origin) {
  PreTokenizer p;
  if (!config.is_object())
    fail(origin, ": field 'pre_tokenizer' must be an object with a ByteLevel stage");
  if (config.value("type", "") == "Sequence") {
    const json& list = config.at("pretokenizers");
    for (const json& stage : list) p.add_stage(stage, origin);
  } else {
    p.add_stage(config, origin);
  }
  if (!p.has_byte_level_)
    fail(origin,
         ": field 'pre_tokenizer' has no ByteLevel stage; only byte-level BPE is supported");
  return p;
}

void PreTokenizer::add_stage(const json& config, const std::string& origin) {
  const std::string type = config.value("type", "");
  const std::string where = origin + ": pre_tokenizer stage '" + type + "'";
  if (has_byte_level_) fail(where, " after ByteLevel is not supported (ByteLevel must be last)");
  Stage stage;
  if (type == "Split") {
    const json& pattern = config.at("pattern");
    std::string regex;
    if (pattern.contains("Regex")) {
      regex = pattern.at("Regex").get<std::string>();
    } else if (pattern.contains("String")) {
      regex = escape_literal(pattern.at("String").get<std::string>());
    } else {
      fail(where, ": 'pattern' must hold 'Regex' or 'String'");
    }
    try {
      stage.regex = std::make_shared<const Regex>(regex);
    } catch (const Error& e) {
      fail(where, ": ", e.what());
    }
    stage.behavior = parse_split_behavior(config.value("behavior", "Isolated"), where);
    stage.invert = bool_field(config, "invert", false);
  } else if (type == "Digits") {
    stage.regex = std::make_shared<const Regex>(
        bool_field(config, "individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)");
  } else if (type == "ByteLevel") {
    has_byte_level_ = true;
    add_prefix_space_ = bool_field(config, "add_prefix_space", false);
    if (bool_field(config, "use_regex", true))
      byte_level_regex_ = std::make_shared<const Regex>(kGpt2SplitPattern);
    return;
  } else {
    fail(where, " is not supported (expected Split, Digits or ByteLevel)");
  }
  stages_.push_back(std::move(stage));
}

void PreTokenizer::run(std::string_view text, std::vector<std::string>& out) const {
  std::vector<std::string> pieces{std::string(text)};
  for (const Stage& stage : stages_) {
    std::vector<std::string> next;
    for (const std::string& piece : pieces)
      for (const auto& [b, e] : split_ranges(*stage.regex, piece, stage.behavior, stage.invert))
        next.push_back(piece.substr(b, e - b));
    pieces = std::move(next);
  }
  for (std::string& piece : pieces) {
    if (piece.empty()) continue;
    // Like Hugging Face, ByteLevel's add_prefix_space applies to every piece it receives.
    if (add_prefix_space_ && piece[0] != ' ') piece.insert(0, " ");
    if (!byte_level_regex_) {
      out.push_back(bytes_to_chars(piece));
      continue;
    }
    for (const auto& [b, e] : split_ranges(*byte_level_regex_, piece, SplitBehavior::kIsolated))
      out.push_back(bytes_to_chars(std::string_view(piece).substr(b, e - b)));
  }
}

}  // namespace cachelens::text

// SPDX-License-Identifier: MIT
// UTF-8 <-> code points for the tokenizer. Input text may hold invalid UTF-8: each bad byte becomes
// one U+FFFD code point for matching, while byte offsets keep pointing at the original bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cachelens::text {

struct DecodedText {
  std::vector<char32_t> cps;
  std::vector<size_t> offsets;  // byte offset of each code point, plus the total size at the end
};

DecodedText decode_utf8(std::string_view bytes);
void append_utf8(std::string& out, char32_t cp);
std::string to_utf8(const std::vector<char32_t>& cps);
// Valid UTF-8 from arbitrary bytes: each maximal invalid subpart becomes U+FFFD (the rule of
// Rust's String::from_utf8_lossy, which the Hugging Face decoders use).
std::string make_valid_utf8(std::string_view bytes);

}  // namespace cachelens::text

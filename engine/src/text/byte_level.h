// SPDX-License-Identifier: MIT
// GPT-2's reversible byte <-> code point map: every byte becomes a printable character, so a BPE
// vocabulary of strings can hold arbitrary bytes (space is "Ġ" U+0120, newline "Ċ" U+010A).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace cachelens::text {

char32_t byte_to_char(uint8_t byte);
// The byte a character stands for, or -1 when the character is not one of the 256.
int char_to_byte(char32_t c);
// Each byte of `bytes` as its character, UTF-8 encoded.
std::string bytes_to_chars(std::string_view bytes);
// The byte values in GPT-2 vocabulary order: printable bytes first ('!' is id 0), then the rest.
const std::array<uint8_t, 256>& gpt2_byte_order();

}  // namespace cachelens::text

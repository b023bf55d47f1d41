// SPDX-License-Identifier: MIT
#include "text/byte_level.h"

#include <unordered_map>

#include "text/utf8.h"

namespace cachelens::text {
namespace {

bool printable(int b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
}

struct Tables {
  std::array<char32_t, 256> to_char{};
  std::array<uint8_t, 256> order{};
  std::unordered_map<char32_t, uint8_t> to_byte;
  std::array<std::string, 256> utf8;  // to_char, pre-encoded
  Tables() {
    // Printable bytes keep their own code point; the others take 256, 257, ... in byte order.
    int slot = 0, extra = 0;
    for (int b = 0; b < 256; ++b)
      if (printable(b)) to_char[b] = static_cast<char32_t>(b), order[slot++] = b;
    for (int b = 0; b < 256; ++b)
      if (!printable(b)) to_char[b] = static_cast<char32_t>(256 + extra++), order[slot++] = b;
    for (int b = 0; b < 256; ++b) {
      to_byte[to_char[b]] = static_cast<uint8_t>(b);
      append_utf8(utf8[b], to_char[b]);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

char32_t byte_to_char(uint8_t byte) {
  return tables().to_char[byte];
}

int char_to_byte(char32_t c) {
  const auto& map = tables().to_byte;
  auto it = map.find(c);
  return it == map.end() ? -1 : it->second;
}

std::string bytes_to_chars(std::string_view bytes) {
  const auto& t = tables();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char b : bytes) out += t.utf8[static_cast<uint8_t>(b)];
  return out;
}

const std::array<uint8_t, 256>& gpt2_byte_order() {
  return tables().order;
}

}  // namespace cachelens::text

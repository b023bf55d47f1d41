// SPDX-License-Identifier: MIT
#include "text/utf8.h"

namespace cachelens::text {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

struct Step {
  char32_t cp;
  size_t len;  // bytes consumed; for an invalid sequence, its maximal subpart (at least 1)
  bool valid;
};

// One code point at `pos`. The allowed second-byte ranges exclude overlongs and surrogates, so an
// invalid sequence stops at the first byte that cannot continue it.
Step next_code_point(std::string_view s, size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return {b0, 1, true};
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {kReplacement, 1, false};
  }
  size_t len = 1;
  for (size_t k = 0; k < need; ++k) {
    if (pos + len >= s.size()) return {kReplacement, len, false};
    const auto b = static_cast<unsigned char>(s[pos + len]);
    if (b < lo || b > hi) return {kReplacement, len, false};
    cp = (cp << 6) | (b & 0x3F);
    ++len;
    lo = 0x80, hi = 0xBF;
  }
  return {cp, len, true};
}

}  // namespace

DecodedText decode_utf8(std::string_view bytes) {
  DecodedText out;
  out.cps.reserve(bytes.size());
  out.offsets.reserve(bytes.size() + 1);
  size_t pos = 0;
  while (pos < bytes.size()) {
    Step step = next_code_point(bytes, pos);
    if (!step.valid) step.len = 1;  // one U+FFFD per bad byte keeps every byte addressable
    out.cps.push_back(step.cp);
    out.offsets.push_back(pos);
    pos += step.len;
  }
  out.offsets.push_back(bytes.size());
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string to_utf8(const std::vector<char32_t>& cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t cp : cps) append_utf8(out, cp);
  return out;
}

std::string make_valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  while (pos < bytes.size()) {
    const Step step = next_code_point(bytes, pos);
    if (step.valid) {
      out.append(bytes.substr(pos, step.len));
    } else {
      append_utf8(out, kReplacement);
    }
    pos += step.len;
  }
  return out;
}

}  // namespace cachelens::text

// SPDX-License-Identifier: MIT
// The four scoring rules a model's answer is judged by, on normalised text: lower case, every
// character but letters, digits and + - = a space, spaces collapsed and trimmed.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cachelens/dataset.h"
#include "cachelens/error.h"

namespace cachelens {
namespace {

// What a step-by-step or concluded answer says before its final answer.
const std::string kAnswerMarker = "the answer is ";

std::string normalise(const std::string& text) {
  std::string out;
  bool space = false;
  for (unsigned char c : text) {
    const bool keep = std::isalnum(c) || c == '+' || c == '-' || c == '=';
    if (!keep) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += char(std::tolower(c));
  }
  return out;
}

std::vector<std::string> words(const std::string& normalised) {
  std::vector<std::string> out;
  std::istringstream in(normalised);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The digits starting at `pos` (after an optional minus), if there are any.
std::optional<std::string> number_at(const std::string& text, size_t pos) {
  size_t end = pos;
  if (end < text.size() && text[end] == '-') ++end;
  const size_t digits = end;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  if (end == digits) return std::nullopt;
  return text.substr(pos, end - pos);
}

// The number after the last "the answer is", else the last integer in the text.
std::optional<std::string> final_number(const std::string& normalised) {
  const size_t at = normalised.rfind(kAnswerMarker);
  if (at != std::string::npos) {
    if (auto n = number_at(normalised, at + kAnswerMarker.size())) return n;
  }
  std::optional<std::string> last;
  for (size_t i = 0; i < normalised.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(normalised[i]))) continue;
    size_t start = i;
    while (i < normalised.size() && std::isdigit(static_cast<unsigned char>(normalised[i]))) ++i;
    // A minus right before the digits belongs to them unless it is the "5 - 2" operator.
    if (start > 0 && normalised[start - 1] == '-' && (start < 2 || normalised[start - 2] == ' '))
      --start;
    last = normalised.substr(start, i - start);
  }
  return last;
}

// "007" and "7" are the same number, as are "-0" and "0"; compared as text, so no overflow.
std::string canonical_number(const std::string& number) {
  const bool negative = number[0] == '-';
  std::string digits = number.substr(negative ? 1 : 0);
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
  return (negative && digits != "0" ? "-" : "") + digits;
}

// "<colour> <shape>" mentions (plural shapes too), counted.
std::map<std::string, int> object_mentions(const std::string& normalised) {
  const std::vector<std::string> w = words(normalised);
  const auto& colours = scene_colours();
  std::map<std::string, int> out;
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    if (std::find(colours.begin(), colours.end(), w[i]) == colours.end()) continue;
    for (const std::string& shape : scene_shapes()) {
      const std::string plural = shape == "cross" ? "crosses" : shape + "s";
      if (w[i + 1] == shape || w[i + 1] == plural) ++out[w[i] + " " + shape];
    }
  }
  return out;
}

// The yes or no an answer gives: its first word ("No, the A is ..."), else the word after its last
// "the answer is" ("The A is below the B, so the answer is no.").
std::optional<std::string> yes_or_no(const std::string& normalised) {
  const auto yes_no_at = [&](size_t from) -> std::optional<std::string> {
    const std::string word = normalised.substr(from, normalised.find(' ', from) - from);
    if (word == "yes" || word == "no") return word;
    return std::nullopt;
  };
  if (auto first = yes_no_at(0)) return first;
  const size_t at = normalised.rfind(kAnswerMarker);
  if (at == std::string::npos) return std::nullopt;
  return yes_no_at(at + kAnswerMarker.size());
}

}  // namespace

bool score_answer(const std::string& scoring, const std::string& response,
                  const std::string& reference) {
  const std::string got = normalise(response), want = normalise(reference);
  if (scoring == "exact") return got == want;
  if (scoring == "yes-no") {
    const std::optional<std::string> answer = yes_or_no(want);
    return answer && yes_or_no(got) == answer;
  }
  if (scoring == "final-number") {
    const auto a = final_number(got), b = final_number(want);
    return a && b && canonical_number(*a) == canonical_number(*b);
  }
  if (scoring == "objects") {
    const auto mentions = object_mentions(want);
    return !mentions.empty() && object_mentions(got) == mentions;
  }
  fail("unknown scoring rule '", scoring, "' (expected exact, yes-no, final-number or objects)");
}

}  // namespace cachelens

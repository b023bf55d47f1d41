// SPDX-License-Identifier: MIT
// The tokenizer's regex engine and Split behaviours. Expected pieces follow the Oniguruma /
// Perl leftmost-first semantics that Hugging Face tokenizers use, worked out by hand.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

// Engine-internal headers (engine/src is not on the tests' include path).
#include "cachelens/error.h"
#include "text/regex.h"
#include "text/split.h"
#include "text/utf8.h"

namespace {

using cachelens::Error;
using cachelens::text::Regex;
using cachelens::text::SplitBehavior;
using Pieces = std::vector<std::string>;

const char* const kBailing =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";
const char* const kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const char* const kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

Pieces split(const char* pattern, const std::string& text,
             SplitBehavior behavior = SplitBehavior::kIsolated, bool invert = false) {
  Pieces out;
  for (const auto& [b, e] : cachelens::text::split_ranges(Regex(pattern), text, behavior, invert))
    out.push_back(text.substr(b, e - b));
  return out;
}

// The matched text of the first match, or "<none>".
std::string first_match(const char* pattern, const std::string& text) {
  const auto cps = cachelens::text::decode_utf8(text).cps;
  const auto m = Regex(pattern).search(cps);
  if (!m) return "<none>";
  return cachelens::text::to_utf8(
      std::vector<char32_t>(cps.begin() + m->begin, cps.begin() + m->end));
}

TEST(Regex, BailingSplitsKnownSentence) {
  EXPECT_EQ(
      split(kBailing, "Hello world's 123 numbers!!\n\n  done"),
      (Pieces{"Hello", " world", "'s", " ", "1", "2", "3", " numbers", "!!\n\n", " ", " done"}));
}

TEST(Regex, BailingKeepsBlankLinesAndSplitsDigits) {
  EXPECT_EQ(split(kBailing, "a\n\nb"), (Pieces{"a", "\n\n", "b"}));
  EXPECT_EQ(split(kBailing, "a \n\nb"), (Pieces{"a", " \n\n", "b"}));
  EXPECT_EQ(split(kBailing, "\tx\r\n\r\ny  "), (Pieces{"\tx", "\r\n\r\n", "y", "  "}));
  EXPECT_EQ(split(kBailing, "x = f(1234567);\n"),
            (Pieces{"x", " =", " f", "(", "1", "2", "3", "4", "5", "6", "7", ");\n"}));
}

TEST(Regex, BailingContractionsAreCaseInsensitive) {
  EXPECT_EQ(split(kBailing, "I'LL we'Re they'VE it's"),
            (Pieces{"I", "'LL", " we", "'Re", " they", "'VE", " it", "'s"}));
}

TEST(Regex, MultiByteLettersAndEmoji) {
  EXPECT_EQ(split(kBailing, "naïve 日本語 😀!"), (Pieces{"naïve", " 日本語", " 😀!"}));
  EXPECT_EQ(split(kBailing, "Ωμέγα١٢"), (Pieces{"Ωμέγα", "١", "٢"}));  // Arabic-Indic digits
  EXPECT_EQ(split(kBailing, "a\u3000b"), (Pieces{"a", "\u3000b"}));    // ideographic space
}

TEST(Regex, Gpt2AndLlama3Patterns) {
  EXPECT_EQ(split(kGpt2, "Hello world's 123 numbers!!\n\n  done"),
            (Pieces{"Hello", " world", "'s", " 123", " numbers", "!!", "\n\n ", " done"}));
  EXPECT_EQ(split(kGpt2, "I'LL"), (Pieces{"I", "'", "LL"}));  // GPT-2's contractions are lowercase
  EXPECT_EQ(split(kLlama3, "Hello world's 123 numbers!!\n\n  done"),
            (Pieces{"Hello", " world", "'s", " ", "123", " numbers", "!!\n\n", " ", " done"}));
  EXPECT_EQ(split(kLlama3, "x = f(1234567);\n"),
            (Pieces{"x", " =", " f", "(", "123", "456", "7", ");\n"}));
}

TEST(Regex, IsolatedPiecesCoverTheWholeInput) {
  std::mt19937 rng(42);
  const std::vector<std::string> pool = {"a", "Z",  "é",  "日",   "😀",        "1",
                                         "٣", " ",  "  ", "\n",   "\r\n",     "\t",
                                         "'", "'s", "!",  "\xff", "\xe6\x97", "_"};
  for (int trial = 0; trial < 300; ++trial) {
    std::string text;
    const int n = static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) text += pool[rng() % pool.size()];
    std::string joined;
    for (const auto& piece : split(kBailing, text)) {
      EXPECT_FALSE(piece.empty());
      joined += piece;
    }
    EXPECT_EQ(joined, text);
  }
}

TEST(Regex, PossessiveQuantifiersNeverGiveBack) {
  EXPECT_EQ(first_match("a*a", "aaa"), "aaa");
  EXPECT_EQ(first_match("a*+a", "aaa"), "<none>");
  EXPECT_EQ(first_match("a?+a", "a"), "<none>");
  EXPECT_EQ(first_match("(?:ab)*+ab", "ababab"), "<none>");
  EXPECT_EQ(first_match("(?:ab)*ab", "ababab"), "ababab");
  EXPECT_EQ(first_match("(?>a+)b", "aaab"), "aaab");
  EXPECT_EQ(first_match("(?>a|ab)c", "abc"), "<none>");
}

TEST(Regex, LazyAndCountedQuantifiers) {
  EXPECT_EQ(first_match("a+?", "aaa"), "a");
  EXPECT_EQ(first_match("<.+?>", "<a><b>"), "<a>");
  EXPECT_EQ(first_match("a{2,3}", "aaaa"), "aaa");
  EXPECT_EQ(first_match("a{2,3}?", "aaaa"), "aa");
  EXPECT_EQ(first_match("a{2}", "a"), "<none>");
  EXPECT_EQ(first_match("a{2,}", "aaaaa"), "aaaaa");
  EXPECT_EQ(first_match("x{,2}y", "xxxy"), "xxy");
  EXPECT_EQ(first_match("a{x", "a{x"), "a{x");  // not an interval: literal braces
}

TEST(Regex, Lookahead) {
  EXPECT_EQ(split(kGpt2, "a   b"), (Pieces{"a", "  ", " b"}));  // \s+(?!\S) leaves one space
  const auto cps = cachelens::text::decode_utf8("foobaz foobar").cps;
  const auto m = Regex("foo(?=bar)").search(cps);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->begin, 7u);
  EXPECT_EQ(m->end, 10u);
  EXPECT_EQ(first_match("foo(?!baz)\\w+", "foobaz foobar"), "foobar");
}

TEST(Regex, ClassesEscapesAndAnchors) {
  EXPECT_EQ(first_match("[a-c]+", "xxbcad"), "bca");
  EXPECT_EQ(first_match("[^a-c\\s]+", "ab xyz"), "xyz");
  EXPECT_EQ(first_match("[\\p{L}\\d]+", "--é9z!"), "é9z");
  EXPECT_EQ(first_match("\\P{L}+", "ab12!c"), "12!");
  EXPECT_EQ(first_match("[]a]+", "x]a]"), "]a]");
  EXPECT_EQ(first_match("[a-]+", "x-a-"), "-a-");
  EXPECT_EQ(first_match("\\x41\\u00e9\\x{1F600}", "zAé😀"), "Aé😀");
  EXPECT_EQ(first_match("a.c", "a\nc abc"), "abc");  // '.' stops at newline
  EXPECT_EQ(first_match("(?i:[sdmt])", "xS"), "S");
  EXPECT_EQ(first_match("(?i)é+", "ÉéÉ"), "ÉéÉ");
  EXPECT_EQ(first_match("(?i:[^s])", "Sx"), "x");
  EXPECT_EQ(first_match("^b", "ab\nbc"), "b");
  EXPECT_EQ(first_match("\\bcat\\b", "concat cat"), "cat");
  EXPECT_EQ(first_match("\\d+\\z", "1 22"), "22");
}

TEST(Regex, UnsupportedSyntaxNamesPatternAndPosition) {
  const std::vector<std::string> bad = {"(?<=a)b", "(a)\\1", "[[:alpha:]]", "(abc",
                                        "a)",      "*a",     "\\p{Xx}",     "[a&&b]",
                                        "[z-a]",   "\\q",    "(?x)a",       "[abc"};
  for (const auto& pattern : bad) {
    try {
      Regex re(pattern);
      ADD_FAILURE() << "no error for " << pattern;
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("'" + pattern + "'"), std::string::npos) << what;
      EXPECT_NE(what.find("at character"), std::string::npos) << what;
    }
  }
  try {
    Regex re("ab(?<=x)");
    ADD_FAILURE() << "no error for lookbehind";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lookbehind is not supported at character 4"),
              std::string::npos)
        << e.what();
  }
}

TEST(Regex, StepBudgetStopsCatastrophicBacktracking) {
  const std::string text = std::string(40, 'a') + "!";
  const auto cps = cachelens::text::decode_utf8(text).cps;
  Regex re("(a|aa)*c");
  const auto start = std::chrono::steady_clock::now();
  try {
    re.search(cps);
    FAIL() << "expected the step budget to run out";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("step budget"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  // The budget is per match attempt and adjustable: a*b backtracks 5000 times at the first start.
  const auto many_a = cachelens::text::decode_utf8(std::string(5000, 'a')).cps;
  Regex tight("a*b");
  EXPECT_FALSE(tight.search(many_a));
  tight.set_step_budget(1000);
  EXPECT_THROW(tight.search(many_a), Error);
  // A repeated multi-character group recurses; past its depth limit it is an Error, not a crash.
  const auto many_ab = cachelens::text::decode_utf8(std::string(10000, 'a') + "b").cps;
  EXPECT_THROW(Regex("(?:aa)+b").search(many_ab), Error);
  EXPECT_TRUE(Regex("(?:a|b)+").search(many_ab));  // one-character alternatives loop instead
  // A linear pattern on a long input stays well inside the budget.
  const std::string long_text(200000, ' ');
  EXPECT_EQ(split(kBailing, long_text + "x").size(), 2u);
}

TEST(Split, Behaviors) {
  EXPECT_EQ(split("\\d+", "ab12cd"), (Pieces{"ab", "12", "cd"}));
  EXPECT_EQ(split("\\d+", "ab12cd", SplitBehavior::kRemoved), (Pieces{"ab", "cd"}));
  EXPECT_EQ(split("\\d+", "ab12cd", SplitBehavior::kMergedWithPrevious), (Pieces{"ab12", "cd"}));
  EXPECT_EQ(split("\\d+", "ab12cd", SplitBehavior::kMergedWithNext), (Pieces{"ab", "12cd"}));
  EXPECT_EQ(split(",", "a,,b", SplitBehavior::kContiguous), (Pieces{"a", ",,", "b"}));
  EXPECT_EQ(split("\\d+", "ab12cd", SplitBehavior::kRemoved, true), (Pieces{"12"}));
  EXPECT_EQ(split("\\d+", "", SplitBehavior::kIsolated), Pieces{});
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  using cachelens::text::make_valid_utf8;
  EXPECT_EQ(make_valid_utf8("ok"), "ok");
  EXPECT_EQ(make_valid_utf8("\xe6\x97"), "\xEF\xBF\xBD");  // truncated: one U+FFFD
  EXPECT_EQ(make_valid_utf8("\xe6\x97"
                            "a"),
            "\xEF\xBF\xBD"
            "a");
  EXPECT_EQ(make_valid_utf8("\xff\xfe"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(make_valid_utf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(make_valid_utf8("日本"), "日本");
}

}  // namespace

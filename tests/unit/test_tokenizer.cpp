// SPDX-License-Identifier: MIT
// Byte-level BPE tokenizer: exact ids on a hand-built tokenizer.json, and round trips, special
// tokens and errors on a vocabulary trained by train_byte_level_bpe_json.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cachelens/atomic_file.h"
#include "cachelens/error.h"
#include "cachelens/tokenizer.h"
#include "test_support.h"

namespace {

using cachelens::Error;
using cachelens::Tokenizer;
using Ids = std::vector<int32_t>;
using nlohmann::json;

const char* const kBailing =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";

// A tiny tokenizer whose merges are easy to follow by hand.
json tiny_json() {
  json j;
  j["version"] = "1.0";
  j["added_tokens"] = json::array({
      {{"id", 20}, {"content", "<|eot_id|>"}, {"special", true}},
      {{"id", 21}, {"content", "<|eot"}, {"special", true}},
      {{"id", 22}, {"content", "[sep]"}, {"special", false}},
  });
  j["normalizer"] = nullptr;
  j["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "Split"},
         {"pattern", {{"Regex", kBailing}}},
         {"behavior", "Isolated"},
         {"invert", false}},
        {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
  j["model"] = {{"type", "BPE"},
                {"vocab",
                 {{"h", 0},
                  {"e", 1},
                  {"l", 2},
                  {"o", 3},
                  {"Ġ", 4},
                  {"w", 5},
                  {"r", 6},
                  {"d", 7},
                  {"he", 8},
                  {"ll", 9},
                  {"hell", 10},
                  {"hello", 11},
                  {"Ġw", 12},
                  {"or", 13},
                  {"Ġwo", 14},
                  {"Ċ", 15}}},
                {"merges", {"h e", "l l", "he ll", "hell o", "Ġ w", "o r"}}};
  return j;
}

Tokenizer tiny(const json& j = tiny_json()) {
  return Tokenizer::from_json_text(j.dump(), "tiny");
}

std::string corpus() {
  std::string text =
      "The quick brown fox jumps over the lazy dog. It's a sunny day, and the dog's owner "
      "doesn't mind. We'll see what they've done: 12 apples, 7 pears and 2024 plums!\n\n"
      "Please describe the image in detail. The image shows a red car next to a tree.\n"
      "User: what colour is the sky? Assistant: the sky is blue.\n";
  std::string out;
  for (int i = 0; i < 6; ++i) out += text;
  return out + "naïve café, 日本語のテキスト, emoji 😀🚀.\n";
}

class Trained : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    json_text_ = new std::string(cachelens::train_byte_level_bpe_json(corpus(), 150));
  }
  static void TearDownTestSuite() { delete json_text_; }
  Tokenizer load() const { return Tokenizer::from_json_text(*json_text_, "trained"); }
  static std::string* json_text_;
};
std::string* Trained::json_text_ = nullptr;

TEST(Tokenizer, KnownEncodingsFollowMergeRanks) {
  const Tokenizer t = tiny();
  EXPECT_EQ(t.encode("hello world"), (Ids{11, 12, 13, 2, 7}));
  EXPECT_EQ(t.encode("hell"), (Ids{10}));
  EXPECT_EQ(t.encode("he"), (Ids{8}));
  EXPECT_EQ(t.encode("hello\n"), (Ids{11, 15}));
  EXPECT_EQ(t.encode(""), Ids{});
  EXPECT_EQ(t.decode({11, 12, 13, 2, 7}), "hello world");
  EXPECT_EQ(t.token_text(12), "Ġw");
}

TEST(Tokenizer, MergesAsPairsGiveTheSameIds) {
  json j = tiny_json();
  j["model"]["merges"] = json::array();
  for (auto [a, b] : std::vector<std::pair<std::string, std::string>>{
           {"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {"Ġ", "w"}, {"o", "r"}})
    j["model"]["merges"].push_back({a, b});
  EXPECT_EQ(tiny(j).encode("hello world"), (Ids{11, 12, 13, 2, 7}));
}

TEST(Tokenizer, IgnoreMergesEmitsWholeVocabularyPieces) {
  EXPECT_EQ(tiny().encode(" wo"), (Ids{12, 3}));
  json j = tiny_json();
  j["model"]["ignore_merges"] = true;
  EXPECT_EQ(tiny(j).encode(" wo"), (Ids{14}));
}

TEST(Tokenizer, AddedTokensMatchFirstLongestWins) {
  const Tokenizer t = tiny();
  EXPECT_EQ(t.encode("hello<|eot_id|>world"), (Ids{11, 20, 5, 13, 2, 7}));
  EXPECT_EQ(t.encode("<|eot"), (Ids{21}));
  EXPECT_EQ(t.encode("<|eot_id|><|eot"), (Ids{20, 21}));
  EXPECT_EQ(t.encode("he[sep]he"), (Ids{8, 22, 8}));
  // Without parse_special, special tokens are plain text; non-special added tokens still match.
  const Ids plain = t.encode("he<|eot_id|>", false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 20), 0);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 21), 0);
  EXPECT_EQ(t.encode("he[sep]", false), (Ids{8, 22}));
}

TEST(Tokenizer, LookupsAndDecodeOptions) {
  const Tokenizer t = tiny();
  EXPECT_EQ(t.find_id("hello"), 11);
  EXPECT_EQ(t.find_id("<|eot_id|>"), 20);
  EXPECT_FALSE(t.find_id("nope"));
  EXPECT_NE(cachelens::test::error_message([&] { t.id_of("nope"); }).find("'nope'"),
            std::string::npos);
  EXPECT_NE(cachelens::test::error_message([&] { t.token_text(19); }).find("19"),
            std::string::npos);
  EXPECT_TRUE(t.is_special(20));
  EXPECT_FALSE(t.is_special(22));
  EXPECT_FALSE(t.is_special(11));
  EXPECT_EQ(t.size(), 23);
  ASSERT_EQ(t.added_tokens().size(), 3u);
  EXPECT_EQ(t.added_tokens()[2].content, "[sep]");
  EXPECT_EQ(t.decode({11, 20, 22}), "hello<|eot_id|>[sep]");
  EXPECT_EQ(t.decode({11, 20, 22}, true), "hello[sep]");
  EXPECT_EQ(t.decode({11, -200, 999, 19}), "hello");  // ids with no token decode to nothing
}

TEST(Tokenizer, LoneByteLevelUsesGpt2RegexAndPrefixSpace) {
  json j = tiny_json();
  j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"use_regex", true}};
  const Tokenizer t = tiny(j);
  EXPECT_EQ(t.encode("hello"), (Ids{4, 11}));
  EXPECT_EQ(t.encode("hello hello"), (Ids{4, 11, 4, 11}));
}

TEST(Tokenizer, CopiesWorkAndMovedFromThrows) {
  Tokenizer a = tiny();
  Tokenizer b = a;
  EXPECT_EQ(b.encode("hello world"), a.encode("hello world"));
  Tokenizer c = std::move(a);
  EXPECT_EQ(c.encode("hell"), (Ids{10}));
  EXPECT_THROW(Tokenizer().encode("x"), Error);
}

TEST(Tokenizer, BadFilesNameTheFileAndField) {
  cachelens::test::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    cachelens::write_text_atomically(dir / name, text);
    return (dir / name).string();
  };
  const std::string not_json = write("not_json.json", "{ this is not json");
  std::string e = cachelens::test::error_message([&] { Tokenizer::from_file(not_json); });
  EXPECT_NE(e.find(not_json), std::string::npos) << e;
  EXPECT_NE(e.find("not valid JSON"), std::string::npos) << e;

  json no_model = tiny_json();
  no_model.erase("model");
  const std::string missing = write("no_model.json", no_model.dump());
  e = cachelens::test::error_message([&] { Tokenizer::from_file(missing); });
  EXPECT_NE(e.find(missing), std::string::npos) << e;
  EXPECT_NE(e.find("'model'"), std::string::npos) << e;

  json wordpiece = tiny_json();
  wordpiece["model"]["type"] = "WordPiece";
  const std::string wrong = write("wordpiece.json", wordpiece.dump());
  e = cachelens::test::error_message([&] { Tokenizer::from_file(wrong); });
  EXPECT_NE(e.find(wrong), std::string::npos) << e;
  EXPECT_NE(e.find("model.type"), std::string::npos) << e;
  EXPECT_NE(e.find("BPE"), std::string::npos) << e;

  json bad_merge = tiny_json();
  bad_merge["model"]["merges"].push_back("x y");
  e = cachelens::test::error_message([&] { tiny(bad_merge); });
  EXPECT_NE(e.find("'x' 'y'"), std::string::npos) << e;

  json bad_regex = tiny_json();
  bad_regex["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(?<=a)b";
  e = cachelens::test::error_message([&] { tiny(bad_regex); });
  EXPECT_NE(e.find("tiny"), std::string::npos) << e;
  EXPECT_NE(e.find("lookbehind"), std::string::npos) << e;

  const std::string absent = (dir / "absent.json").string();
  e = cachelens::test::error_message([&] { Tokenizer::from_file(absent); });
  EXPECT_NE(e.find(absent), std::string::npos) << e;
}

TEST_F(Trained, JsonHasTheHuggingFaceLayout) {
  const json j = json::parse(*json_text_);
  EXPECT_EQ(j["model"]["type"], "BPE");
  EXPECT_EQ(j["model"]["ignore_merges"], false);
  EXPECT_EQ(j["model"]["merges"].size(), 150u);
  EXPECT_TRUE(j["normalizer"].is_null());
  EXPECT_EQ(j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"], kBailing);
  EXPECT_EQ(j["pre_tokenizer"]["pretokenizers"][1]["type"], "ByteLevel");
  EXPECT_EQ(j["decoder"]["type"], "ByteLevel");
  const std::vector<std::string> specials = {
      "<|startoftext|>",    "<|endoftext|>",    "[CLS]",          "[gMASK]",
      "<|mdm_mask|>",       "<role>",           "</role>",        "<|arithmetic_start|>",
      "<|arithmetic_end|>", "<|number_start|>", "<|number_end|>", "<|start_header_id|>",
      "<|end_header_id|>",  "<|eot_id|>"};
  const auto vocab_size = static_cast<int64_t>(j["model"]["vocab"].size());
  ASSERT_EQ(j["added_tokens"].size(), specials.size());
  for (size_t i = 0; i < specials.size(); ++i) {
    EXPECT_EQ(j["added_tokens"][i]["content"], specials[i]);
    EXPECT_EQ(j["added_tokens"][i]["id"], vocab_size + static_cast<int64_t>(i));
    EXPECT_EQ(j["added_tokens"][i]["special"], true);
  }
  EXPECT_EQ(cachelens::train_byte_level_bpe_json(corpus(), 150), *json_text_);  // deterministic
}

TEST(TrainBpe, StopsWhenNothingIsLeftToMerge) {
  const json j = json::parse(cachelens::train_byte_level_bpe_json("abab abab", 100));
  // Words "abab" and " abab": ab, abab, then Ġ+abab; nothing else is adjacent.
  EXPECT_EQ(j["model"]["merges"], (json{"a b", "ab ab", "Ġ abab"}));
  EXPECT_EQ(j["model"]["vocab"]["Ġabab"], 258);
  EXPECT_THROW(cachelens::train_byte_level_bpe_json("x", -1), Error);
}

TEST_F(Trained, ByteTokensUseGpt2OrderAndSpecialsAreFoundByText) {
  const Tokenizer t = load();
  EXPECT_EQ(t.find_id("!"), 0);
  EXPECT_EQ(t.find_id("Ċ"), 198);  // "\n", as in LLaDA's vocabulary
  EXPECT_EQ(t.find_id("Ġ"), 220);  // " "
  const int32_t bos = t.id_of("<|startoftext|>");
  EXPECT_EQ(t.id_of("<|mdm_mask|>"), bos + 4);
  EXPECT_EQ(t.id_of("<|eot_id|>"), bos + 13);
  EXPECT_EQ(t.size(), bos + 14);
  EXPECT_TRUE(t.is_special(t.id_of("<|mdm_mask|>")));
  EXPECT_EQ(t.encode("\n"), (Ids{198}));
  EXPECT_EQ(t.encode("1"), (Ids{t.id_of("1")}));
}

TEST_F(Trained, RoundTripsManyStrings) {
  const Tokenizer t = load();
  const std::vector<std::string> samples = {
      "",
      "The quick brown fox.",
      "  leading and trailing  ",
      "tabs\tand\r\nwindows\r\nnewlines\n\n\n",
      "naïve café résumé",
      "日本語のテキストと中文",
      "emoji 😀🚀👍🏽 and ZWJ 👩‍💻",
      "Ωμέγα Привет مرحبا १२३",
      "numbers 1234567890 and 3.14159",
      "<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
      "mask<|mdm_mask|><|mdm_mask|>end",
      "I'LL we're they've IT'S",
      std::string("nul\0byte", 8),
      "\x7f\x01 control chars"};
  for (const std::string& s : samples) {
    const Ids ids = t.encode(s);
    EXPECT_EQ(t.decode(ids), s) << s;
  }
}

TEST_F(Trained, TextBetweenAddedTokensIsPreTokenizedSeparately) {
  const Tokenizer t = load();
  const Ids ids = t.encode("<|start_header_id|>user<|end_header_id|>\n\nHi");
  Ids expected = {t.id_of("<|start_header_id|>")};
  for (int32_t id : t.encode("user")) expected.push_back(id);
  expected.push_back(t.id_of("<|end_header_id|>"));
  for (int32_t id : t.encode("\n\nHi")) expected.push_back(id);
  EXPECT_EQ(ids, expected);
  const Ids plain = t.encode("<|eot_id|>", false);
  EXPECT_GT(plain.size(), 1u);
  EXPECT_EQ(t.decode(plain), "<|eot_id|>");
  EXPECT_EQ(t.decode(t.encode("a<|eot_id|>b"), true), "ab");
}

TEST_F(Trained, PartialMultiByteRunDecodesToReplacementCharacter) {
  const Tokenizer t = load();
  const Ids ids = t.encode("鳥");  // E9 B3 A5: bytes absent from the corpus, so three tokens
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(t.decode({ids[0], ids[1]}), "\xEF\xBF\xBD");
  EXPECT_EQ(t.decode({ids[0], ids[1], t.id_of("a")}),
            "\xEF\xBF\xBD"
            "a");
  EXPECT_EQ(t.decode(ids), "鳥");
}

TEST_F(Trained, LoadsFromAFile) {
  cachelens::test::TempDir dir;
  const auto path = dir / "tokenizer.json";
  cachelens::write_text_atomically(path, *json_text_);
  const Tokenizer t = Tokenizer::from_file(path);
  EXPECT_EQ(t.encode("The quick brown fox."), load().encode("The quick brown fox."));
  // Training merged the frequent words, so they take fewer tokens than bytes.
  EXPECT_LT(t.encode("the image").size(), std::string("the image").size());
}

}  // namespace

// SPDX-License-Identifier: MIT
// The llava_llada prompt string and the tokenizer_image_token splice with its dropped newline.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cachelens/chat_template.h"
#include "cachelens/tokenizer.h"

namespace {

using cachelens::ChatOptions;
using cachelens::kImageTokenIndex;
using cachelens::Tokenizer;
using Ids = std::vector<int32_t>;

// lladav-model.md section 9.1, "Exact demo string".
const char* const kDemoPrompt =
    "<|startoftext|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful language and "
    "vision assistant. You are able to understand the visual content that the user provides, and "
    "assist the user with a variety of tasks using natural language.<|eot_id|><|start_header_id|>"
    "user<|end_header_id|>\n\n<image>\nPlease describe the image in detail.<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n";

const Tokenizer& tokenizer() {
  static const Tokenizer t = Tokenizer::from_json_text(
      cachelens::train_byte_level_bpe_json(
          "Please describe the image in detail. You are a helpful assistant.\n\nuser system "
          "assistant language vision\n",
          40),
      "chat-test");
  return t;
}

Ids concat(std::initializer_list<Ids> parts) {
  Ids out;
  for (const Ids& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(ChatTemplate, DemoPromptMatchesTheSpecExactly) {
  EXPECT_EQ(cachelens::render_chat_prompt("Please describe the image in detail.", true),
            kDemoPrompt);
  // The official demo passes "<image>\n" itself; it is not added twice.
  EXPECT_EQ(cachelens::render_chat_prompt("<image>\nPlease describe the image in detail.", true),
            kDemoPrompt);
  EXPECT_EQ(cachelens::render_chat_prompt("  Please describe the image in detail.\n", true),
            kDemoPrompt);
}

TEST(ChatTemplate, TextOnlyAndCustomSystemPrompt) {
  ChatOptions options;
  options.system_prompt = "  Be brief. ";
  EXPECT_EQ(cachelens::render_chat_prompt("\tHi there \n", false, options),
            "<|startoftext|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  options.system_prompt = "";
  EXPECT_EQ(cachelens::render_chat_prompt("Hi", false, options),
            "<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, DefaultDropsTheNewlineAfterImage) {
  const Tokenizer& t = tokenizer();
  const std::string prompt = cachelens::render_chat_prompt("Please describe the image.", true);
  const size_t at = prompt.find("<image>");
  const Ids before = t.encode(prompt.substr(0, at));
  const Ids after = t.encode(prompt.substr(at + 7));
  ASSERT_EQ(before.front(), t.id_of("<|startoftext|>"));
  ASSERT_EQ(after.front(), t.id_of("Ċ"));  // the "\n" of "<image>\n" is its own token (198)
  EXPECT_EQ(after.front(), 198);

  const Ids ids = cachelens::tokenize_with_image_placeholders(t, prompt);
  EXPECT_EQ(ids, concat({before, {kImageTokenIndex}, Ids(after.begin() + 1, after.end())}));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), kImageTokenIndex), 1);

  ChatOptions faithful;
  faithful.drop_first_token_after_image = false;
  const Ids kept = cachelens::tokenize_with_image_placeholders(t, prompt, faithful);
  EXPECT_EQ(kept, concat({before, {kImageTokenIndex}, after}));
  EXPECT_EQ(kept.size(), ids.size() + 1);
}

TEST(ChatTemplate, NoBosMeansNothingIsDropped) {
  const Tokenizer& t = tokenizer();
  const Ids ids = cachelens::tokenize_with_image_placeholders(t, "see <image>\nthis");
  EXPECT_EQ(ids, concat({t.encode("see "), {kImageTokenIndex}, t.encode("\nthis")}));
}

TEST(ChatTemplate, SeveralImagesAndTrailingImage) {
  const Tokenizer& t = tokenizer();
  const std::string prompt = "<|startoftext|>a<image>\nb<image>";
  const Ids ids = cachelens::tokenize_with_image_placeholders(t, prompt);
  const Ids first = t.encode("<|startoftext|>a");
  const Ids middle = t.encode("\nb");
  EXPECT_EQ(
      ids,
      concat(
          {first, {kImageTokenIndex}, Ids(middle.begin() + 1, middle.end()), {kImageTokenIndex}}));
  EXPECT_EQ(cachelens::tokenize_with_image_placeholders(t, "no image here"),
            t.encode("no image here"));
}

}  // namespace

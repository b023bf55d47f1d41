// SPDX-License-Identifier: MIT
// The llava_llada conversation template and the official `tokenizer_image_token` splice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cachelens/tokenizer.h"

namespace cachelens {

// Placeholder id where image embeddings are spliced in (not in the vocabulary).
constexpr int32_t kImageTokenIndex = -200;

extern const char* const kDefaultSystemPrompt;

struct ChatOptions {
  std::string system_prompt = kDefaultSystemPrompt;
  // The official code tokenizes the chunks around <image> separately and drops the first token of
  // the text after it (the "\n" of "<image>\n..."). true reproduces that; false keeps it
  // (training-faithful).
  bool drop_first_token_after_image = true;
};

// The full prompt string: <|startoftext|><|start_header_id|>system<|end_header_id|>\n\n...
// The user text is trimmed; with `with_image`, "<image>\n" is put before it unless it already
// holds "<image>".
std::string render_chat_prompt(const std::string& user_text, bool with_image,
                               const ChatOptions& options = {});

// Token ids of a rendered prompt with kImageTokenIndex at each "<image>".
std::vector<int32_t> tokenize_with_image_placeholders(const Tokenizer& tokenizer,
                                                      const std::string& prompt,
                                                      const ChatOptions& options = {});

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// The llava_llada template (lladav-model.md section 9.1) and tokenizer_image_token (section 9.3).
#include "cachelens/chat_template.h"

#include "text/unicode_tables.h"
#include "text/utf8.h"

namespace cachelens {

const char* const kDefaultSystemPrompt =
    "You are a helpful language and vision assistant. You are able to understand the visual "
    "content that the user provides, and assist the user with a variety of tasks using natural "
    "language.";

namespace {

constexpr const char* kBos = "<|startoftext|>";
constexpr const char* kImage = "<image>";

// Jinja's `trim`: strip leading and trailing whitespace (Unicode White_Space).
std::string trim(const std::string& s) {
  const text::DecodedText d = text::decode_utf8(s);
  size_t b = 0, e = d.cps.size();
  while (b < e && text::is_white_space(d.cps[b])) ++b;
  while (e > b && text::is_white_space(d.cps[e - 1])) --e;
  return s.substr(d.offsets[b], d.offsets[e] - d.offsets[b]);
}

std::string turn(const std::string& role, const std::string& content) {
  return "<|start_header_id|>" + role + "<|end_header_id|>\n\n" + trim(content) + "<|eot_id|>";
}

}  // namespace

std::string render_chat_prompt(const std::string& user_text, bool with_image,
                               const ChatOptions& options) {
  std::string user = trim(user_text);
  if (with_image && user.find(kImage) == std::string::npos)
    user = std::string(kImage) + "\n" + user;
  std::string out = kBos;  // the template prepends BOS to the first message only
  // An empty system prompt leaves the system turn out rather than sending an empty one.
  if (!trim(options.system_prompt).empty()) out += turn("system", options.system_prompt);
  out += turn("user", user);
  out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

std::vector<int32_t> tokenize_with_image_placeholders(const Tokenizer& tokenizer,
                                                      const std::string& prompt,
                                                      const ChatOptions& options) {
  // Python's prompt.split("<image>"): n placeholders give n + 1 chunks, some maybe empty.
  std::vector<std::vector<int32_t>> chunks;
  const std::string image = kImage;
  size_t start = 0;
  while (true) {
    const size_t at = prompt.find(image, start);
    chunks.push_back(tokenizer.encode(std::string_view(prompt).substr(
        start, at == std::string::npos ? std::string::npos : at - start)));
    if (at == std::string::npos) break;
    start = at + image.size();
  }
  // offset = 1 when the first chunk starts with BOS; the official code then strips `offset`
  // leading tokens from every later chunk as if each began with its own BOS, which LLaDA's
  // tokenizer never adds, so the first real token after each <image> is lost.
  const auto bos = tokenizer.find_id(kBos);
  const bool starts_with_bos = bos && !chunks[0].empty() && chunks[0][0] == *bos;
  const size_t drop = (starts_with_bos && options.drop_first_token_after_image) ? 1 : 0;

  std::vector<int32_t> ids = chunks[0];
  for (size_t c = 1; c < chunks.size(); ++c) {
    ids.push_back(kImageTokenIndex);
    const auto& chunk = chunks[c];
    if (chunk.size() > drop) ids.insert(ids.end(), chunk.begin() + drop, chunk.end());
  }
  return ids;
}

}  // namespace cachelens

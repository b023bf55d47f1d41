// SPDX-License-Identifier: MIT
#include "cachelens/chat_template.h"
#include "cachelens/train.h"

namespace cachelens {

std::string tokenizer_corpus(const std::vector<VqaItem>& items) {
  // At most this many items: the merges settle long before, and the project's regex engine then
  // splits the corpus in about a second.
  constexpr size_t kMaxItems = 20000;
  std::string corpus;
  const size_t n = std::min(items.size(), kMaxItems);
  for (size_t i = 0; i < n; ++i) {
    corpus += items[i].question;
    corpus += '\n';
    corpus += items[i].answer;
    corpus += '\n';
  }
  // Every prompt carries the system prompt and the role names: weight them as the stream does.
  const std::string template_text =
      std::string(kDefaultSystemPrompt) + "\nsystem\nuser\nassistant\n";
  for (size_t i = 0; i < std::max<size_t>(1, n / 4); ++i) corpus += template_text;
  return corpus;
}

}  // namespace cachelens

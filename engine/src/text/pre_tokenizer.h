// SPDX-License-Identifier: MIT
// The `pre_tokenizer` section of a tokenizer.json: Split / Digits stages, then ByteLevel. Produces
// the byte-level strings ("Ġthe") that BPE works on.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "text/regex.h"
#include "text/split.h"

namespace cachelens::text {

// The GPT-2 pattern ByteLevel uses when its use_regex is true.
extern const char* const kGpt2SplitPattern;
// LLaDA's (Bailing/Ling) pattern, used by the trainer.
extern const char* const kBailingSplitPattern;

class PreTokenizer {
 public:
  // `config` is the pre_tokenizer value (an object); `origin` names the file for errors.
  static PreTokenizer from_json(const nlohmann::json& config, const std::string& origin);

  // Appends the byte-level pieces of `text` to `out`.
  void run(std::string_view text, std::vector<std::string>& out) const;

 private:
  struct Stage {
    std::shared_ptr<const Regex> regex;
    SplitBehavior behavior = SplitBehavior::kIsolated;
    bool invert = false;
  };
  void add_stage(const nlohmann::json& config, const std::string& origin);

  std::vector<Stage> stages_;                      // Split and Digits, in order
  std::shared_ptr<const Regex> byte_level_regex_;  // ByteLevel's own split, when use_regex
  bool add_prefix_space_ = false;
  bool has_byte_level_ = false;
};

}  // namespace cachelens::text

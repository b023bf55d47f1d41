// SPDX-License-Identifier: MIT
// Tiny test checkpoints made once per test binary (make-test-model is deterministic by seed).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "cachelens/test_model.h"
#include "test_support.h"

namespace cachelens::test {

// A folder holding a generated checkpoint for `preset`/`seed`/options, made on first use and
// kept for the rest of the process.
inline const std::filesystem::path& generated_model(const std::string& preset, uint64_t seed = 0,
                                                    bool text_only = false,
                                                    const std::string& dtype = "",
                                                    uint64_t shard_bytes = 0) {
  static TempDir root;
  static std::map<std::string, std::filesystem::path> made;
  const std::string key = preset + "-" + std::to_string(seed) + (text_only ? "-text" : "") + "-" +
                          dtype + "-" + std::to_string(shard_bytes);
  auto it = made.find(key);
  if (it == made.end()) {
    TestModelOptions options;
    options.preset = preset;
    options.seed = seed;
    options.text_only = text_only;
    options.weights_dtype = dtype;
    options.max_shard_bytes = shard_bytes;
    const auto dir = root / key;
    make_test_model(dir, options);
    it = made.emplace(key, dir).first;
  }
  return it->second;
}

}  // namespace cachelens::test

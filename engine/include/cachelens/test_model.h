// SPDX-License-Identifier: MIT
// Random-weight checkpoints in exactly the real LLaDA-V folder format, for tests and benchmarks:
// config.json, safetensors with the real parameter names, tokenizer.json with a small byte-level
// BPE vocabulary plus the LLaDA-V special tokens by their real names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "cachelens/checkpoint.h"
#include "cachelens/config.h"

namespace cachelens {

struct TestModelOptions {
  std::string preset = "tiny";  // tiny | small | lladav-8b
  uint64_t seed = 0;
  std::string weights_dtype;     // F32 | BF16 | F16; empty: F32 (tiny, small) or BF16 (8b)
  uint64_t max_shard_bytes = 0;  // 0: one model.safetensors (8b: 3 GB shards)
  bool text_only = false;        // no vision tower, projector or mm_* fields
  // Progress in [0, 1]; return false to cancel (throws Cancelled; nothing is left half-written).
  std::function<bool(double)> on_progress;
};

// The preset's config for a tokenizer of `tokenizer_size` tokens (the real 8B shapes for
// "lladav-8b"). Throws Error listing the presets for an unknown name.
ModelConfig test_model_config(const std::string& preset, int64_t tokenizer_size, bool text_only);

// Writes the folder (created if needed). Refuses with a clear Error when the disk has too little
// free space for the checkpoint.
void make_test_model(const std::filesystem::path& out, const TestModelOptions& options);

// The tokenizer.json text of a preset's test models (the 8B preset puts the special tokens at their
// real ids, so its len(tokenizer) is the real 126349).
std::string test_tokenizer_json(const std::string& preset);

// The normal distribution a random weight is drawn from (mean + std * N(0, 1)): scales that keep
// activations O(1) through the towers, so a random model still gives varied confidences.
struct RandomInit {
  double mean = 0.0, std = 1.0;
};
RandomInit random_init_for(const TensorSpec& spec);

// The English text the test tokenizers are trained on (chat template words included).
const std::string& test_tokenizer_corpus();

}  // namespace cachelens

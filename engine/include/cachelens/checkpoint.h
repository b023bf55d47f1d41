// SPDX-License-Identifier: MIT
// A Hugging Face LLaDA-V checkpoint folder: config.json, safetensors (sharded or not) and
// tokenizer.json, with every tensor the model reads checked against the config before use.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cachelens/config.h"
#include "cachelens/safetensors.h"
#include "cachelens/tokenizer.h"

namespace cachelens {

// One tensor the model reads and the shape its config implies. The names are the real
// checkpoint's (lladav-model.md §2.2-2.3); make-test-model writes exactly this list.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

extern const char* const kVisionPrefix;  // "model.vision_tower.vision_tower.vision_model."

std::vector<TensorSpec> language_tensor_specs(const TextConfig& text);
// The vision tower's used layers, the projector and image_newline (post_layernorm, the deleted
// last layer and head.* are never read, so they are not required).
std::vector<TensorSpec> multimodal_tensor_specs(const ModelConfig& config);
std::vector<TensorSpec> expected_tensor_specs(const ModelConfig& config);

// Throws Error naming the tensor, its file and both shapes on the first mismatch, or the
// missing tensor and the folder.
void check_tensors(const SafetensorsArchive& archive, const std::vector<TensorSpec>& specs,
                   const std::filesystem::path& dir);

struct Checkpoint {
  std::filesystem::path dir;
  ModelConfig config;
  Tokenizer tokenizer;
  SafetensorsArchive archive;

  // Reads and validates everything; nothing is copied (tensors stay memory-mapped).
  static Checkpoint open(const std::filesystem::path& dir);
};

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// config.json of a LLaDA-V checkpoint folder, parsed into typed structs.
//
// The real checkpoint does not describe its vision tower in config.json (the Python code builds
// SigLIP-so400m from hard-coded defaults); a `vision_config` object, when present, overrides those
// defaults, which is how the project's own small models describe theirs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace cachelens {

struct TextConfig {
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 12288;
  int64_t num_layers = 32;  // num_hidden_layers
  int64_t num_heads = 32;   // num_attention_heads
  int64_t num_kv_heads = 32;
  int64_t head_dim = 128;  // hidden_size / num_heads unless `head_dim` is given
  int64_t vocab_size = 126464;
  double rope_theta = 500000.0;
  double rms_norm_eps = 1e-5;
  int64_t max_position_embeddings = 16384;
};

struct VisionConfig {
  int64_t image_size = 384;
  int64_t patch_size = 14;
  int64_t hidden_size = 1152;
  int64_t intermediate_size = 4304;
  int64_t num_heads = 16;
  // Layers the checkpoint's tower is built with; the last is deleted (mm_vision_select_layer=-2),
  // so `used_layers()` run.
  int64_t num_layers = 27;
  double layer_norm_eps = 1e-6;

  int64_t used_layers() const { return num_layers - 1; }
  int64_t patches_per_side() const { return image_size / patch_size; }                  // 27
  int64_t patches_per_crop() const { return patches_per_side() * patches_per_side(); }  // 729
};

struct MultimodalConfig {
  std::string projector_type = "mlp2x_gelu";
  int64_t mm_hidden_size = 1152;
  std::string image_aspect_ratio = "anyres_max_4";
  // [width, height] canvases, in list order (ties pick the first).
  std::vector<std::pair<int64_t, int64_t>> grid_pinpoints;
  std::string patch_merge_type = "spatial_unpad";
  int64_t max_num_patches = 4;  // from "anyres_max_<n>"; 0 for plain "anyres" (no maximum)
  int64_t tokenizer_model_max_length = 16384;
};

struct ModelConfig {
  std::string model_type = "llava_llada";
  TextConfig text;
  VisionConfig vision;
  MultimodalConfig mm;
  bool has_vision = true;  // false for text-only checkpoints (no mm_* fields, no vision tensors)

  // Parses config.json; errors name the file and the field.
  static ModelConfig from_file(const std::filesystem::path& config_json);
  static ModelConfig from_json_text(const std::string& text, const std::string& origin);
  // Serialises in the real checkpoint's field names (plus vision_config), for make-test-model.
  std::string to_json_text() const;
};

// "(1x1),...,(6x6)" or a JSON list; `unit` is the vision image size (384).
std::vector<std::pair<int64_t, int64_t>> expand_grid_pinpoints(const std::string& spec,
                                                               int64_t unit);

}  // namespace cachelens

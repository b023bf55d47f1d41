// SPDX-License-Identifier: MIT
// ModelConfig -> config.json in the real checkpoint's field names, so that the project's own
// models load through the same parser (and in the Python reference) as the 8B checkpoint.
#include <nlohmann/json.hpp>

#include "cachelens/config.h"
#include "cachelens/error.h"
#include "io/config_fields.h"

namespace cachelens {

std::string ModelConfig::to_json_text() const {
  using nlohmann::ordered_json;
  ordered_json j;
  j["architectures"] = {has_vision ? "LlavaLLaDAModelLM" : "LLaDAModelLM"};
  j["model_type"] = model_type;
  j["hidden_size"] = text.hidden_size;
  j["intermediate_size"] = text.intermediate_size;
  j["num_hidden_layers"] = text.num_layers;
  j["num_attention_heads"] = text.num_heads;
  j["num_key_value_heads"] = text.num_kv_heads;
  j["head_dim"] = text.head_dim;
  j["vocab_size"] = text.vocab_size;
  j["rope_theta"] = text.rope_theta;
  j["rope_scaling"] = nullptr;
  j["rms_norm_eps"] = text.rms_norm_eps;
  j["max_position_embeddings"] = text.max_position_embeddings;
  j["hidden_act"] = "silu";
  j["attention_bias"] = false;
  j["tie_word_embeddings"] = false;
  // config.json's own bos (128000) is a Llama-3 leftover; these are the tokenizer's real ids.
  j["bos_token_id"] = 126080;
  j["eos_token_id"] = 126081;
  // Refuse to write a file that would parse back to a different patch limit.
  if (max_patches_from_aspect_ratio(mm.image_aspect_ratio, "mm.image_aspect_ratio") !=
      mm.max_num_patches) {
    fail("config: mm.image_aspect_ratio '", mm.image_aspect_ratio,
         "' disagrees with mm.max_num_patches ", mm.max_num_patches);
  }
  if (has_vision) {  // mm_projector_type's presence is what marks a vision model to the parser
    j["mm_projector_type"] = mm.projector_type;
    j["mm_vision_select_layer"] = -2;
    j["mm_vision_select_feature"] = "patch";
    j["mm_use_im_start_end"] = false;
    j["mm_use_im_patch_token"] = false;
  }
  // Written for text-only models too, so that every parsed value survives a round trip.
  j["mm_hidden_size"] = mm.mm_hidden_size;
  j["mm_patch_merge_type"] = mm.patch_merge_type;
  j["image_aspect_ratio"] = mm.image_aspect_ratio;
  // Left out when empty: the parser then fills in the default (1x1)..(6x6) grid.
  if (!mm.grid_pinpoints.empty()) {
    ordered_json pinpoints = ordered_json::array();
    for (const auto& [w, h] : mm.grid_pinpoints) pinpoints.push_back({w, h});
    j["image_grid_pinpoints"] = pinpoints;
  }
  j["tokenizer_model_max_length"] = mm.tokenizer_model_max_length;
  j["tokenizer_padding_side"] = "right";
  if (has_vision) {
    j["vision_config"] = {
        {"image_size", vision.image_size},         {"patch_size", vision.patch_size},
        {"hidden_size", vision.hidden_size},       {"intermediate_size", vision.intermediate_size},
        {"num_attention_heads", vision.num_heads}, {"num_hidden_layers", vision.num_layers},
        {"layer_norm_eps", vision.layer_norm_eps},
    };
  }
  return j.dump(2) + "\n";
}

}  // namespace cachelens

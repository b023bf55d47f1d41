// SPDX-License-Identifier: MIT
#include "cachelens/checkpoint.h"

#include "cachelens/error.h"

namespace cachelens {
namespace fs = std::filesystem;

const char* const kVisionPrefix = "model.vision_tower.vision_tower.vision_model.";

std::vector<TensorSpec> language_tensor_specs(const TextConfig& t) {
  const int64_t d = t.hidden_size, f = t.intermediate_size;
  const int64_t q_out = t.num_heads * t.head_dim, kv_out = t.num_kv_heads * t.head_dim;
  std::vector<TensorSpec> specs = {{"model.embed_tokens.weight", {t.vocab_size, d}}};
  for (int64_t l = 0; l < t.num_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    specs.push_back({p + "self_attn.q_proj.weight", {q_out, d}});
    specs.push_back({p + "self_attn.k_proj.weight", {kv_out, d}});
    specs.push_back({p + "self_attn.v_proj.weight", {kv_out, d}});
    specs.push_back({p + "self_attn.o_proj.weight", {d, q_out}});
    specs.push_back({p + "mlp.gate_proj.weight", {f, d}});
    specs.push_back({p + "mlp.up_proj.weight", {f, d}});
    specs.push_back({p + "mlp.down_proj.weight", {d, f}});
    specs.push_back({p + "input_layernorm.weight", {d}});
    specs.push_back({p + "post_attention_layernorm.weight", {d}});
  }
  specs.push_back({"model.norm.weight", {d}});
  specs.push_back({"lm_head.weight", {t.vocab_size, d}});
  return specs;
}

std::vector<TensorSpec> multimodal_tensor_specs(const ModelConfig& config) {
  const auto& v = config.vision;
  const int64_t c = v.hidden_size, d = config.text.hidden_size, f = v.intermediate_size;
  const std::string p = kVisionPrefix;
  std::vector<TensorSpec> specs = {
      {p + "embeddings.patch_embedding.weight", {c, 3, v.patch_size, v.patch_size}},
      {p + "embeddings.patch_embedding.bias", {c}},
      {p + "embeddings.position_embedding.weight", {v.patches_per_crop(), c}},
  };
  for (int64_t l = 0; l < v.used_layers(); ++l) {
    const std::string q = p + "encoder.layers." + std::to_string(l) + ".";
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      specs.push_back({q + "self_attn." + proj + ".weight", {c, c}});
      specs.push_back({q + "self_attn." + proj + ".bias", {c}});
    }
    for (const char* norm : {"layer_norm1", "layer_norm2"}) {
      specs.push_back({q + norm + ".weight", {c}});
      specs.push_back({q + norm + ".bias", {c}});
    }
    specs.push_back({q + "mlp.fc1.weight", {f, c}});
    specs.push_back({q + "mlp.fc1.bias", {f}});
    specs.push_back({q + "mlp.fc2.weight", {c, f}});
    specs.push_back({q + "mlp.fc2.bias", {c}});
  }
  specs.push_back({"model.mm_projector.0.weight", {d, config.mm.mm_hidden_size}});
  specs.push_back({"model.mm_projector.0.bias", {d}});
  specs.push_back({"model.mm_projector.2.weight", {d, d}});
  specs.push_back({"model.mm_projector.2.bias", {d}});
  specs.push_back({"model.image_newline", {d}});
  return specs;
}

std::vector<TensorSpec> expected_tensor_specs(const ModelConfig& config) {
  auto specs = language_tensor_specs(config.text);
  if (config.has_vision) {
    auto mm = multimodal_tensor_specs(config);
    specs.insert(specs.end(), mm.begin(), mm.end());
  }
  return specs;
}

void check_tensors(const SafetensorsArchive& archive, const std::vector<TensorSpec>& specs,
                   const fs::path& dir) {
  for (const auto& spec : specs) {
    if (!archive.contains(spec.name)) {
      fail("checkpoint '", dir.string(), "' has no tensor '", spec.name, "' (expected shape ",
           shape_text(spec.shape), " from config.json)");
    }
    const auto& info = archive.info(spec.name);
    if (info.shape != spec.shape) {
      fail("tensor '", spec.name, "' in '", info.file.filename().string(), "' has shape ",
           shape_text(info.shape), " but config.json implies ", shape_text(spec.shape));
    }
  }
}

Checkpoint Checkpoint::open(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) fail("model folder not found: '", dir.string(), "'");
  if (!fs::is_directory(dir, ec)) {
    fail("'", dir.string(), "' is a file; expected a checkpoint folder with config.json");
  }
  for (const char* required : {"config.json", "tokenizer.json"}) {
    if (!fs::exists(dir / required, ec)) {
      fail("checkpoint folder '", dir.string(), "' has no ", required);
    }
  }
  Checkpoint checkpoint;
  checkpoint.dir = dir;
  checkpoint.config = ModelConfig::from_file(dir / "config.json");
  checkpoint.tokenizer = Tokenizer::from_file(dir / "tokenizer.json");
  checkpoint.archive = SafetensorsArchive::open_folder(dir);
  check_tensors(checkpoint.archive, expected_tensor_specs(checkpoint.config), dir);
  const int64_t used_vocab = checkpoint.tokenizer.size();
  if (used_vocab > checkpoint.config.text.vocab_size) {
    fail("tokenizer.json in '", dir.string(), "' has ", used_vocab,
         " tokens but config.json vocab_size is ", checkpoint.config.text.vocab_size);
  }
  return checkpoint;
}

}  // namespace cachelens

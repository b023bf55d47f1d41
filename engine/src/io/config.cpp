// SPDX-License-Identifier: MIT
// config.json -> ModelConfig, with every field type- and range-checked.
#include "cachelens/config.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "cachelens/atomic_file.h"
#include "cachelens/error.h"
#include "io/config_fields.h"

namespace cachelens {
namespace {

using nlohmann::json;

// Typed access to one JSON object; `prefix` names nested objects ("vision_config.") in errors.
// A null value counts as absent: HF configs write e.g. "head_dim": null for "use the default".
class Fields {
 public:
  Fields(const json& object, std::string origin, std::string prefix = "")
      : object_(object), origin_(std::move(origin)), prefix_(std::move(prefix)) {}

  bool has(const char* key) const {
    const auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
  }
  std::string where(const char* key) const {
    return "'" + origin_ + "': field '" + prefix_ + key + "'";
  }

  // A positive integer; required when `fallback` is absent.
  int64_t size(const char* key, const int64_t* fallback = nullptr) const {
    if (!has(key)) {
      if (fallback) return *fallback;
      fail("'", origin_, "': required field '", prefix_, key, "' is missing");
    }
    const json& v = object_.at(key);
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) ||
        v.get<int64_t>() <= 0) {
      fail(where(key), " must be a positive integer, got ", v.dump());
    }
    return v.get<int64_t>();
  }
  int64_t size_or(const char* key, int64_t fallback) const { return size(key, &fallback); }

  // A positive number (integer or floating point).
  double positive(const char* key, const double* fallback = nullptr) const {
    if (!has(key)) {
      if (fallback) return *fallback;
      fail("'", origin_, "': required field '", prefix_, key, "' is missing");
    }
    const json& v = object_.at(key);
    if (!v.is_number() || !(v.get<double>() > 0))
      fail(where(key), " must be a positive number, got ", v.dump());
    return v.get<double>();
  }
  double positive_or(const char* key, double fallback) const { return positive(key, &fallback); }

  std::string text_or(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const json& v = object_.at(key);
    if (!v.is_string()) fail(where(key), " must be a string, got ", v.dump());
    return v.get<std::string>();
  }

  const json& at(const char* key) const { return object_.at(key); }

 private:
  const json& object_;
  std::string origin_;
  std::string prefix_;
};

TextConfig parse_text(const Fields& f) {
  TextConfig t;
  t.hidden_size = f.size("hidden_size");
  t.intermediate_size = f.size("intermediate_size");
  t.num_layers = f.size("num_hidden_layers");
  t.num_heads = f.size("num_attention_heads");
  if (f.has("head_dim")) {
    t.head_dim = f.size("head_dim");
  } else {
    if (t.hidden_size % t.num_heads != 0) {
      fail(f.where("hidden_size"), " (", t.hidden_size,
           ") is not divisible by num_attention_heads (", t.num_heads,
           ") and no head_dim is given");
    }
    t.head_dim = t.hidden_size / t.num_heads;
  }
  t.num_kv_heads = f.size_or("num_key_value_heads", t.num_heads);
  if (t.num_heads % t.num_kv_heads != 0) {
    fail(f.where("num_key_value_heads"), " (", t.num_kv_heads,
         ") must divide num_attention_heads (", t.num_heads, ")");
  }
  t.vocab_size = f.size("vocab_size");
  t.rope_theta = f.positive("rope_theta");
  t.rms_norm_eps = f.positive("rms_norm_eps");
  t.max_position_embeddings = f.size_or("max_position_embeddings", t.max_position_embeddings);
  return t;
}

VisionConfig parse_vision(const Fields& f) {
  VisionConfig v;
  v.image_size = f.size_or("image_size", v.image_size);
  v.patch_size = f.size_or("patch_size", v.patch_size);
  v.hidden_size = f.size_or("hidden_size", v.hidden_size);
  v.intermediate_size = f.size_or("intermediate_size", v.intermediate_size);
  v.num_heads = f.size_or("num_attention_heads", v.num_heads);
  v.num_layers = f.size_or("num_hidden_layers", v.num_layers);
  v.layer_norm_eps = f.positive_or("layer_norm_eps", v.layer_norm_eps);
  // No divisibility check: SigLIP's 384/14 leaves 6 pixels the valid-padding conv never reads.
  if (v.patch_size > v.image_size) {
    fail(f.where("patch_size"), " (", v.patch_size, ") is larger than image_size (", v.image_size,
         ")");
  }
  if (v.hidden_size % v.num_heads != 0) {
    fail(f.where("hidden_size"), " (", v.hidden_size, ") is not divisible by num_attention_heads (",
         v.num_heads, ")");
  }
  return v;
}

MultimodalConfig parse_multimodal(const Fields& f, const VisionConfig& vision, bool has_vision) {
  MultimodalConfig m;
  m.projector_type = f.text_or("mm_projector_type", m.projector_type);
  m.mm_hidden_size = f.size_or("mm_hidden_size", vision.hidden_size);
  if (has_vision && m.mm_hidden_size != vision.hidden_size) {
    fail(f.where("mm_hidden_size"), " (", m.mm_hidden_size,
         ") differs from the vision tower's hidden_size (", vision.hidden_size, ")");
  }
  m.image_aspect_ratio = f.text_or("image_aspect_ratio", m.image_aspect_ratio);
  m.max_num_patches =
      max_patches_from_aspect_ratio(m.image_aspect_ratio, f.where("image_aspect_ratio"));
  if (!f.has("image_grid_pinpoints")) {
    m.grid_pinpoints = expand_pinpoints_text("(1x1),...,(6x6)", vision.image_size, "default");
  } else if (f.at("image_grid_pinpoints").is_string()) {
    m.grid_pinpoints = expand_pinpoints_text(f.at("image_grid_pinpoints").get<std::string>(),
                                             vision.image_size, f.where("image_grid_pinpoints"));
  } else {
    m.grid_pinpoints =
        pinpoints_from_json(f.at("image_grid_pinpoints"), f.where("image_grid_pinpoints"));
  }
  m.patch_merge_type = f.text_or("mm_patch_merge_type", m.patch_merge_type);
  m.tokenizer_model_max_length =
      f.size_or("tokenizer_model_max_length", m.tokenizer_model_max_length);
  return m;
}

}  // namespace

int64_t max_patches_from_aspect_ratio(const std::string& value, const std::string& where) {
  static const std::string prefix = "anyres_max_";
  if (value == "anyres") return 0;
  if (value.compare(0, prefix.size(), prefix) == 0 && value.size() > prefix.size() &&
      value.size() <= prefix.size() + 6 &&
      value.find_first_not_of("0123456789", prefix.size()) == std::string::npos) {
    const int64_t n = std::stoll(value.substr(prefix.size()));
    if (n > 0) return n;
  }
  fail(where, ": '", value, "' is not supported (expected 'anyres_max_<n>' or 'anyres')");
}

ModelConfig ModelConfig::from_file(const std::filesystem::path& config_json) {
  return from_json_text(read_text_file(config_json), config_json.string());
}

ModelConfig ModelConfig::from_json_text(const std::string& text, const std::string& origin) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    fail("'", origin, "' is not valid JSON: ", e.what());
  }
  if (!root.is_object()) fail("'", origin, "' must hold a JSON object");
  const Fields fields(root, origin);

  ModelConfig config;
  config.model_type = fields.text_or("model_type", config.model_type);
  config.text = parse_text(fields);
  config.has_vision = fields.has("mm_projector_type") || fields.has("mm_vision_tower") ||
                      fields.has("vision_config");
  if (fields.has("vision_config")) {
    const json& vision = root.at("vision_config");
    if (!vision.is_object())
      fail(fields.where("vision_config"), " must be an object, got ", vision.dump());
    config.vision = parse_vision(Fields(vision, origin, "vision_config."));
  }
  config.mm = parse_multimodal(fields, config.vision, config.has_vision);
  return config;
}

}  // namespace cachelens

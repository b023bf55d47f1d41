// SPDX-License-Identifier: MIT
// config.json parsing: the real LLaDA-V layout, pinpoint forms, vision overrides, round trips and
// errors that name the file and the field.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "cachelens/atomic_file.h"
#include "cachelens/config.h"
#include "cachelens/error.h"
#include "test_support.h"

namespace cachelens {
namespace {

using cachelens::test::expect_error;
using nlohmann::json;
using Pairs = std::vector<std::pair<int64_t, int64_t>>;

Pairs grid_1_to_6(int64_t unit) {
  Pairs out;
  for (int64_t i = 1; i <= 6; ++i)
    for (int64_t j = 1; j <= 6; ++j) out.emplace_back(unit * i, unit * j);
  return out;
}

// The LLaDA-V config.json as spec §3.1 describes it, leftovers included.
json real_config() {
  json pinpoints = json::array();
  for (const auto& [w, h] : grid_1_to_6(384)) pinpoints.push_back({w, h});
  return {
      {"architectures", {"LlavaLLaDAModelLM"}},
      {"model_type", "llava_llada"},
      {"hidden_size", 4096},
      {"intermediate_size", 12288},
      {"num_hidden_layers", 32},
      {"num_attention_heads", 32},
      {"num_key_value_heads", 32},
      {"hidden_act", "silu"},
      {"vocab_size", 126464},
      {"rope_theta", 500000.0},
      {"rope_scaling", nullptr},
      {"rms_norm_eps", 1e-05},
      {"attention_bias", false},
      {"tie_word_embeddings", false},
      {"max_position_embeddings", 16384},
      {"pretraining_tp", 1},
      {"torch_dtype", "bfloat16"},
      {"bos_token_id", 128000},
      {"eos_token_id", 126081},
      {"mm_vision_tower", "google/siglip2-so400m-patch14-384"},
      {"mm_projector_type", "mlp2x_gelu"},
      {"mm_hidden_size", 1152},
      {"mm_vision_select_layer", -2},
      {"mm_vision_select_feature", "patch"},
      {"mm_patch_merge_type", "spatial_unpad"},
      {"image_aspect_ratio", "anyres_max_4"},
      {"image_grid_pinpoints", pinpoints},
      {"mm_use_im_start_end", false},
      {"mm_use_im_patch_token", false},
      {"mm_newline_position", "grid"},
      {"tokenizer_model_max_length", 8192},
      {"tokenizer_padding_side", "right"},
  };
}

// A tiny model as the project's own make-test-model would describe it.
json tiny_config() {
  return {
      {"model_type", "llava_llada"},
      {"hidden_size", 64},
      {"intermediate_size", 96},
      {"num_hidden_layers", 2},
      {"num_attention_heads", 4},
      {"num_key_value_heads", 2},
      {"head_dim", 24},
      {"vocab_size", 300},
      {"rope_theta", 10000},
      {"rms_norm_eps", 1e-6},
      {"max_position_embeddings", 512},
      {"mm_projector_type", "mlp2x_gelu"},
      {"mm_hidden_size", 32},
      {"image_aspect_ratio", "anyres"},
      {"image_grid_pinpoints", "(1x1),...,(2x3)"},
      {"tokenizer_model_max_length", 1024},
      {"vision_config",
       {{"image_size", 28},
        {"patch_size", 7},
        {"hidden_size", 32},
        {"intermediate_size", 48},
        {"num_attention_heads", 2},
        {"num_hidden_layers", 3},
        {"layer_norm_eps", 1e-5}}},
  };
}

ModelConfig parse(const json& j) {
  return ModelConfig::from_json_text(j.dump(), "test/config.json");
}

void expect_same(const ModelConfig& a, const ModelConfig& b) {
  EXPECT_EQ(a.model_type, b.model_type);
  EXPECT_EQ(a.has_vision, b.has_vision);
  EXPECT_EQ(a.text.hidden_size, b.text.hidden_size);
  EXPECT_EQ(a.text.intermediate_size, b.text.intermediate_size);
  EXPECT_EQ(a.text.num_layers, b.text.num_layers);
  EXPECT_EQ(a.text.num_heads, b.text.num_heads);
  EXPECT_EQ(a.text.num_kv_heads, b.text.num_kv_heads);
  EXPECT_EQ(a.text.head_dim, b.text.head_dim);
  EXPECT_EQ(a.text.vocab_size, b.text.vocab_size);
  EXPECT_EQ(a.text.rope_theta, b.text.rope_theta);
  EXPECT_EQ(a.text.rms_norm_eps, b.text.rms_norm_eps);
  EXPECT_EQ(a.text.max_position_embeddings, b.text.max_position_embeddings);
  EXPECT_EQ(a.vision.image_size, b.vision.image_size);
  EXPECT_EQ(a.vision.patch_size, b.vision.patch_size);
  EXPECT_EQ(a.vision.hidden_size, b.vision.hidden_size);
  EXPECT_EQ(a.vision.intermediate_size, b.vision.intermediate_size);
  EXPECT_EQ(a.vision.num_heads, b.vision.num_heads);
  EXPECT_EQ(a.vision.num_layers, b.vision.num_layers);
  EXPECT_EQ(a.vision.layer_norm_eps, b.vision.layer_norm_eps);
  EXPECT_EQ(a.mm.projector_type, b.mm.projector_type);
  EXPECT_EQ(a.mm.mm_hidden_size, b.mm.mm_hidden_size);
  EXPECT_EQ(a.mm.image_aspect_ratio, b.mm.image_aspect_ratio);
  EXPECT_EQ(a.mm.grid_pinpoints, b.mm.grid_pinpoints);
  EXPECT_EQ(a.mm.patch_merge_type, b.mm.patch_merge_type);
  EXPECT_EQ(a.mm.max_num_patches, b.mm.max_num_patches);
  EXPECT_EQ(a.mm.tokenizer_model_max_length, b.mm.tokenizer_model_max_length);
}

TEST(Config, RealLladaVConfig) {
  const ModelConfig c = parse(real_config());
  EXPECT_EQ(c.model_type, "llava_llada");
  EXPECT_TRUE(c.has_vision);
  EXPECT_EQ(c.text.hidden_size, 4096);
  EXPECT_EQ(c.text.intermediate_size, 12288);
  EXPECT_EQ(c.text.num_layers, 32);
  EXPECT_EQ(c.text.num_heads, 32);
  EXPECT_EQ(c.text.num_kv_heads, 32);
  EXPECT_EQ(c.text.head_dim, 128);
  EXPECT_EQ(c.text.vocab_size, 126464);
  EXPECT_EQ(c.text.rope_theta, 500000.0);
  EXPECT_EQ(c.text.rms_norm_eps, 1e-5);
  EXPECT_EQ(c.text.max_position_embeddings, 16384);
  // No vision_config: the SigLIP-so400m defaults.
  EXPECT_EQ(c.vision.image_size, 384);
  EXPECT_EQ(c.vision.patch_size, 14);
  EXPECT_EQ(c.vision.hidden_size, 1152);
  EXPECT_EQ(c.vision.intermediate_size, 4304);
  EXPECT_EQ(c.vision.num_heads, 16);
  EXPECT_EQ(c.vision.num_layers, 27);
  EXPECT_EQ(c.vision.used_layers(), 26);
  EXPECT_EQ(c.vision.layer_norm_eps, 1e-6);
  EXPECT_EQ(c.vision.patches_per_crop(), 729);
  EXPECT_EQ(c.mm.projector_type, "mlp2x_gelu");
  EXPECT_EQ(c.mm.mm_hidden_size, 1152);
  EXPECT_EQ(c.mm.image_aspect_ratio, "anyres_max_4");
  EXPECT_EQ(c.mm.max_num_patches, 4);
  EXPECT_EQ(c.mm.patch_merge_type, "spatial_unpad");
  EXPECT_EQ(c.mm.tokenizer_model_max_length, 8192);
  EXPECT_EQ(c.mm.grid_pinpoints, grid_1_to_6(384));
}

TEST(Config, StringPinpointsExpandInTrainPyOrder) {
  const Pairs p = expand_grid_pinpoints("(1x1),...,(6x6)", 384);
  ASSERT_EQ(p.size(), 36u);
  EXPECT_EQ(p[0], std::make_pair(int64_t(384), int64_t(384)));
  EXPECT_EQ(p[1], std::make_pair(int64_t(384), int64_t(768)));
  EXPECT_EQ(p[5], std::make_pair(int64_t(384), int64_t(2304)));
  EXPECT_EQ(p[6], std::make_pair(int64_t(768), int64_t(384)));
  EXPECT_EQ(p[35], std::make_pair(int64_t(2304), int64_t(2304)));
  EXPECT_EQ(p, grid_1_to_6(384));

  json j = real_config();
  j["image_grid_pinpoints"] = "(1x1),...,(6x6)";
  EXPECT_EQ(parse(j).mm.grid_pinpoints, grid_1_to_6(384));

  EXPECT_EQ(expand_grid_pinpoints("(2x1),...,(3x2)", 10),
            (Pairs{{20, 10}, {20, 20}, {30, 10}, {30, 20}}));
  EXPECT_EQ(expand_grid_pinpoints("[[384, 768], [768, 384]]", 384),
            (Pairs{{384, 768}, {768, 384}}));
}

TEST(Config, MalformedPinpoints) {
  expect_error([] { expand_grid_pinpoints("1x1 to 6x6", 384); }, {"1x1 to 6x6"});
  expect_error([] { expand_grid_pinpoints("(3x3),...,(1x1)", 384); }, {"(3x3)"});
  expect_error([] { expand_grid_pinpoints("[[384]]", 384); }, {"[384]"});
  json j = real_config();
  j["image_grid_pinpoints"] = json::array({{384, 0}});
  expect_error([&] { parse(j); }, {"test/config.json", "image_grid_pinpoints"});
  j["image_grid_pinpoints"] = 7;
  expect_error([&] { parse(j); }, {"test/config.json", "image_grid_pinpoints"});
}

TEST(Config, MissingPinpointsDefaultToTheSixBySixGridOfTheVisionSize) {
  json j = tiny_config();
  j.erase("image_grid_pinpoints");
  EXPECT_EQ(parse(j).mm.grid_pinpoints, grid_1_to_6(28));
}

TEST(Config, VisionConfigOverridesAndDefaults) {
  const ModelConfig c = parse(tiny_config());
  EXPECT_TRUE(c.has_vision);
  EXPECT_EQ(c.text.num_kv_heads, 2);
  EXPECT_EQ(c.text.head_dim, 24);
  EXPECT_EQ(c.text.rope_theta, 10000.0);
  EXPECT_EQ(c.vision.image_size, 28);
  EXPECT_EQ(c.vision.patch_size, 7);
  EXPECT_EQ(c.vision.patches_per_crop(), 16);
  EXPECT_EQ(c.vision.hidden_size, 32);
  EXPECT_EQ(c.vision.intermediate_size, 48);
  EXPECT_EQ(c.vision.num_heads, 2);
  EXPECT_EQ(c.vision.num_layers, 3);
  EXPECT_EQ(c.vision.layer_norm_eps, 1e-5);
  EXPECT_EQ(c.mm.max_num_patches, 0);  // plain "anyres": no maximum
  EXPECT_EQ(c.mm.grid_pinpoints,
            (Pairs{{28, 28}, {28, 56}, {28, 84}, {56, 28}, {56, 56}, {56, 84}}));
  EXPECT_EQ(c.mm.patch_merge_type, "spatial_unpad");  // absent: default

  json j = tiny_config();
  j.erase("num_key_value_heads");
  j.erase("head_dim");
  const ModelConfig d = parse(j);
  EXPECT_EQ(d.text.num_kv_heads, 4);
  EXPECT_EQ(d.text.head_dim, 16);
}

TEST(Config, TextOnlyConfigHasNoVision) {
  json j = real_config();
  for (const char* key : {"mm_vision_tower", "mm_projector_type", "mm_hidden_size"}) j.erase(key);
  EXPECT_FALSE(parse(j).has_vision);
  j["vision_config"] = json::object();
  EXPECT_TRUE(parse(j).has_vision);
}

TEST(Config, RoundTrip) {
  json text_only = tiny_config();
  for (const char* key : {"mm_projector_type", "mm_hidden_size", "vision_config"})
    text_only.erase(key);
  text_only["model_type"] = "llada";
  for (const json& j : {real_config(), tiny_config(), text_only}) {
    const ModelConfig a = parse(j);
    const std::string written = a.to_json_text();
    const ModelConfig b = ModelConfig::from_json_text(written, "round-trip");
    expect_same(a, b);
    EXPECT_EQ(b.to_json_text(), written);
  }
  const json written = json::parse(parse(real_config()).to_json_text());
  EXPECT_EQ(written["architectures"][0], "LlavaLLaDAModelLM");
  EXPECT_EQ(written["bos_token_id"], 126080);
  EXPECT_EQ(written["image_grid_pinpoints"].size(), 36u);
  EXPECT_TRUE(written["image_grid_pinpoints"][1] == json({384, 768}));
  EXPECT_EQ(written["vision_config"]["patch_size"], 14);
}

TEST(Config, WriterRefusesInconsistentAspectRatio) {
  ModelConfig c = parse(real_config());
  c.mm.max_num_patches = 9;
  expect_error([&] { c.to_json_text(); }, {"anyres_max_4", "9"});
}

TEST(Config, FromFileNamesTheFile) {
  test::TempDir dir;
  write_text_atomically(dir / "config.json", real_config().dump(2));
  EXPECT_EQ(ModelConfig::from_file(dir / "config.json").text.vocab_size, 126464);
  json j = real_config();
  j.erase("vocab_size");
  write_text_atomically(dir / "config.json", j.dump());
  const std::string path = (dir / "config.json").string();
  expect_error([&] { ModelConfig::from_file(dir / "config.json"); },
               {path, "vocab_size", "missing"});
  expect_error([&] { ModelConfig::from_file(dir / "absent.json"); }, {"absent.json"});
}

// Each case: a change to the real config, and what the message must name.
struct BadCase {
  std::function<void(json&)> edit;
  std::vector<std::string> parts;
};

TEST(Config, ErrorsNameTheField) {
  const std::vector<BadCase> cases = {
      {[](json& j) { j.erase("hidden_size"); }, {"'hidden_size'", "missing"}},
      {[](json& j) { j.erase("num_hidden_layers"); }, {"'num_hidden_layers'", "missing"}},
      {[](json& j) { j["hidden_size"] = "4096"; },
       {"'hidden_size'", "positive integer", "\"4096\""}},
      {[](json& j) { j["num_attention_heads"] = 0; }, {"'num_attention_heads'", "positive"}},
      {[](json& j) { j["intermediate_size"] = -5; }, {"'intermediate_size'", "-5"}},
      {[](json& j) { j["vocab_size"] = 1.5; }, {"'vocab_size'"}},
      {[](json& j) { j["rope_theta"] = "big"; }, {"'rope_theta'", "number"}},
      {[](json& j) { j["rms_norm_eps"] = 0; }, {"'rms_norm_eps'"}},
      {[](json& j) { j["num_attention_heads"] = 30; }, {"'hidden_size'", "not divisible", "30"}},
      {[](json& j) { j["num_key_value_heads"] = 5; }, {"'num_key_value_heads'", "divide"}},
      {[](json& j) { j["model_type"] = 3; }, {"'model_type'", "string"}},
      {[](json& j) { j["image_aspect_ratio"] = "pad"; },
       {"'image_aspect_ratio'", "'pad'", "not supported"}},
      {[](json& j) { j["image_aspect_ratio"] = "anyres_max_x"; }, {"'image_aspect_ratio'"}},
      {[](json& j) { j["mm_hidden_size"] = 1024; }, {"'mm_hidden_size'", "1024", "1152"}},
      {[](json& j) { j["tokenizer_model_max_length"] = 0; }, {"'tokenizer_model_max_length'"}},
      {[](json& j) { j["vision_config"] = 5; }, {"'vision_config'", "object"}},
      {[](json& j) {
         j["vision_config"] = {{"patch_size", 400}};
       },
       {"'vision_config.patch_size'", "400", "384"}},
      {[](json& j) {
         j["vision_config"] = {{"hidden_size", -1}};
       },
       {"'vision_config.hidden_size'"}},
      {[](json& j) {
         j["vision_config"] = {{"num_attention_heads", 7}};
       },
       {"'vision_config.hidden_size'", "7"}},
  };
  for (const auto& c : cases) {
    json j = real_config();
    c.edit(j);
    SCOPED_TRACE(j.dump());
    std::vector<std::string> parts = c.parts;
    parts.push_back("test/config.json");
    expect_error([&] { parse(j); }, parts);
  }
  expect_error([] { ModelConfig::from_json_text("{\"hidden_size\": ", "bad.json"); },
               {"bad.json", "not valid JSON"});
  expect_error([] { ModelConfig::from_json_text("[1]", "list.json"); }, {"list.json", "object"});
}

}  // namespace
}  // namespace cachelens

// SPDX-License-Identifier: MIT
// Generated checkpoints load through the real loader; a wrong shape or a missing tensor is named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cachelens/atomic_file.h"
#include "cachelens/checkpoint.h"
#include "cachelens/error.h"
#include "cachelens/safetensors.h"
#include "test_model_support.h"

using namespace cachelens;
using testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

std::string open_error(const fs::path& dir) {
  return test::error_message([&] { Checkpoint::open(dir); });
}

// Copies a checkpoint folder, rewriting its single safetensors file through `edit`.
fs::path edited_copy(
    const fs::path& from, const fs::path& to,
    const std::function<void(std::vector<std::pair<std::string, torch::Tensor>>&)>& edit) {
  fs::create_directories(to);
  for (const char* f : {"config.json", "tokenizer.json"}) fs::copy_file(from / f, to / f);
  const auto archive = SafetensorsArchive::open_folder(from);
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& name : archive.names()) tensors.emplace_back(name, archive.tensor(name).clone());
  edit(tensors);
  write_safetensors(to / "model.safetensors", tensors);
  return to;
}

}  // namespace

TEST(Checkpoint, GeneratedTinyModelHasTheRealNamesAndLoads) {
  const auto& dir = test::generated_model("tiny");
  const auto checkpoint = Checkpoint::open(dir);
  EXPECT_TRUE(checkpoint.config.has_vision);
  EXPECT_TRUE(checkpoint.archive.contains("model.layers.1.mlp.down_proj.weight"));
  EXPECT_TRUE(checkpoint.archive.contains(
      "model.vision_tower.vision_tower.vision_model.encoder.layers.1.self_attn.q_proj.bias"));
  EXPECT_TRUE(checkpoint.archive.contains(
      "model.vision_tower.vision_tower.vision_model.post_layernorm.weight"));
  // The tower is built with num_hidden_layers and stored without its last layer.
  EXPECT_FALSE(checkpoint.archive.contains(
      "model.vision_tower.vision_tower.vision_model.encoder.layers.2.mlp.fc1.weight"));
  EXPECT_EQ(checkpoint.tokenizer.id_of("<|mdm_mask|>") + 0 >= 256, true);
  EXPECT_LT(checkpoint.tokenizer.size(), checkpoint.config.text.vocab_size);
}

TEST(Checkpoint, SameSeedWritesIdenticalWeightsAndOtherSeedsDiffer) {
  const auto a = SafetensorsArchive::open_folder(test::generated_model("tiny", 0));
  test::TempDir again;
  TestModelOptions options;
  make_test_model(again.path(), options);
  const auto b = SafetensorsArchive::open_folder(again.path());
  const auto c = SafetensorsArchive::open_folder(test::generated_model("tiny", 1));
  for (const auto& name : a.names()) EXPECT_TRUE(a.tensor(name).equal(b.tensor(name))) << name;
  EXPECT_FALSE(a.tensor("lm_head.weight").equal(c.tensor("lm_head.weight")));
}

TEST(Checkpoint, WrongShapeNamesTensorFileAndBothShapes) {
  test::TempDir tmp;
  const auto dir = edited_copy(test::generated_model("tiny"), tmp / "bad", [](auto& tensors) {
    for (auto& [name, t] : tensors) {
      if (name == "model.layers.1.self_attn.k_proj.weight") t = torch::zeros({64, 60});
    }
  });
  const auto message = open_error(dir);
  EXPECT_THAT(message, HasSubstr("model.layers.1.self_attn.k_proj.weight"));
  EXPECT_THAT(message, HasSubstr("model.safetensors"));
  EXPECT_THAT(message, HasSubstr("[64, 60]"));
  EXPECT_THAT(message, HasSubstr("[64, 64]"));
}

TEST(Checkpoint, MissingTensorIsNamed) {
  test::TempDir tmp;
  const auto dir = edited_copy(test::generated_model("tiny"), tmp / "bad", [](auto& tensors) {
    tensors.erase(
        std::remove_if(tensors.begin(), tensors.end(),
                       [](const auto& p) { return p.first == "model.mm_projector.2.bias"; }),
        tensors.end());
  });
  EXPECT_THAT(open_error(dir), HasSubstr("no tensor 'model.mm_projector.2.bias'"));
}

TEST(Checkpoint, MissingFilesAreNamed) {
  test::TempDir tmp;
  EXPECT_THAT(open_error(tmp / "nowhere"), HasSubstr("not found"));
  fs::create_directories(tmp / "empty");
  EXPECT_THAT(open_error(tmp / "empty"), HasSubstr("config.json"));
  fs::copy_file(test::generated_model("tiny") / "config.json", tmp / "empty" / "config.json");
  EXPECT_THAT(open_error(tmp / "empty"), HasSubstr("tokenizer.json"));
  fs::copy_file(test::generated_model("tiny") / "tokenizer.json", tmp / "empty" / "tokenizer.json");
  EXPECT_THAT(open_error(tmp / "empty"), HasSubstr("safetensors"));
}

TEST(Checkpoint, ShardedBf16CheckpointLoadsThroughTheIndex) {
  const auto& dir = test::generated_model("tiny", 0, false, "BF16", 64 << 10);
  EXPECT_TRUE(fs::exists(dir / "model.safetensors.index.json"));
  const auto checkpoint = Checkpoint::open(dir);
  const auto& info = checkpoint.archive.info("lm_head.weight");
  EXPECT_EQ(info.dtype, DType::BF16);
  // Same seed, same values up to the bf16 rounding.
  const auto f32 = SafetensorsArchive::open_folder(test::generated_model("tiny"));
  EXPECT_TRUE(torch::allclose(checkpoint.archive.tensor("lm_head.weight").to(torch::kFloat32),
                              f32.tensor("lm_head.weight"), 1e-2, 1e-2));
}

TEST(Checkpoint, TextOnlyModelHasNoVisionTensors) {
  const auto checkpoint = Checkpoint::open(test::generated_model("tiny", 0, true));
  EXPECT_FALSE(checkpoint.config.has_vision);
  EXPECT_FALSE(checkpoint.archive.contains("model.mm_projector.0.weight"));
}

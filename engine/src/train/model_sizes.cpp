// SPDX-License-Identifier: MIT
// The trainable model sizes and their initialisation.
#include <cmath>

#include <torch/torch.h>

#include "cachelens/checkpoint.h"
#include "cachelens/error.h"
#include "cachelens/train.h"
#include "io/string_suffix.h"
#include "train/train_internal.h"

namespace cachelens {

ModelConfig training_model_config(const std::string& size, int64_t vocab_size) {
  ModelConfig c;
  if (size == "embedded") {
    // About 1.7M parameters: small enough to train on two CPU cores in under an hour, deep
    // enough (6 layers) for the cache heatmaps to show structure across layers. The shipped
    // model starts here and grows to 10 layers in later stages (train --add-layers).
    c.text = {128, 384, 6, 4, 4, 32, vocab_size, 10000.0, 1e-5, 4096};
    // 56 px crops in 8 px patches: 7 x 7 = 49 rows per crop.
    c.vision = {56, 8, 96, 192, 4, 4, 1e-6};
  } else if (size == "tiny") {
    c.text = {64, 128, 2, 4, 4, 16, vocab_size, 10000.0, 1e-5, 4096};
    c.vision = {56, 8, 32, 64, 2, 3, 1e-6};
  } else {
    fail("unknown model size '", size, "' (allowed: embedded, tiny)");
  }
  c.mm.mm_hidden_size = c.vision.hidden_size;
  // One canvas: every image becomes the base crop plus one tile, 49 + 7 x 8 = 105 rows for a
  // square picture, through the unchanged anyres_max_4 code path.
  c.mm.grid_pinpoints = {{c.vision.image_size, c.vision.image_size}};
  c.mm.tokenizer_model_max_length = c.text.max_position_embeddings;
  return c;
}

namespace train {

std::vector<std::pair<std::string, torch::Tensor>> initial_weights(const ModelConfig& config,
                                                                   uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  std::vector<std::pair<std::string, torch::Tensor>> out;
  auto specs = expected_tensor_specs(config);
  // Stored by the real checkpoint but never read; kept so the folder has every real tensor.
  for (const char* part : {"weight", "bias"}) {
    specs.push_back(
        {std::string(kVisionPrefix) + "post_layernorm." + part, {config.vision.hidden_size}});
  }
  const double residual_scale = 1.0 / std::sqrt(2.0 * static_cast<double>(config.text.num_layers));
  for (const auto& spec : specs) {
    const auto& name = spec.name;
    const auto normal = [&](double std) {
      return torch::randn(spec.shape, gen, torch::kFloat32) * std;
    };
    torch::Tensor t;
    if (ends_with(name, "norm.weight") || ends_with(name, "layernorm.weight") ||
        ends_with(name, "norm1.weight") || ends_with(name, "norm2.weight")) {
      t = torch::ones(spec.shape);
    } else if (ends_with(name, ".bias")) {
      t = torch::zeros(spec.shape);
    } else if (ends_with(name, "patch_embedding.weight")) {
      t = normal(1.0 /
                 std::sqrt(static_cast<double>(spec.shape[1] * spec.shape[2] * spec.shape[3])));
    } else if (ends_with(name, "o_proj.weight") || ends_with(name, "down_proj.weight") ||
               ends_with(name, "out_proj.weight") || ends_with(name, "fc2.weight")) {
      t = normal(0.02 * residual_scale);  // GPT-2's scaled init of residual outputs
    } else {
      t = normal(0.02);
    }
    out.emplace_back(name, t);
  }
  return out;
}

}  // namespace train
}  // namespace cachelens

// SPDX-License-Identifier: MIT
#include "cachelens/vision_model.h"

#include <torch/torch.h>

#include "cachelens/checkpoint.h"
#include "cachelens/error.h"
#include "cachelens/ops.h"
#include "cachelens/safetensors.h"

namespace cachelens {
namespace F = torch::nn::functional;

void VisionWeights::visit(const ModelConfig& config,
                          const std::function<void(const std::string&, torch::Tensor&)>& fn) {
  const std::string p = kVisionPrefix;
  layers.resize(static_cast<size_t>(config.vision.used_layers()));
  fn(p + "embeddings.patch_embedding.weight", patch_w);
  fn(p + "embeddings.patch_embedding.bias", patch_b);
  fn(p + "embeddings.position_embedding.weight", position);
  for (int64_t l = 0; l < config.vision.used_layers(); ++l) {
    const std::string q = p + "encoder.layers." + std::to_string(l) + ".";
    auto& layer = layers[static_cast<size_t>(l)];
    fn(q + "self_attn.q_proj.weight", layer.q_w);
    fn(q + "self_attn.q_proj.bias", layer.q_b);
    fn(q + "self_attn.k_proj.weight", layer.k_w);
    fn(q + "self_attn.k_proj.bias", layer.k_b);
    fn(q + "self_attn.v_proj.weight", layer.v_w);
    fn(q + "self_attn.v_proj.bias", layer.v_b);
    fn(q + "self_attn.out_proj.weight", layer.out_w);
    fn(q + "self_attn.out_proj.bias", layer.out_b);
    fn(q + "layer_norm1.weight", layer.ln1_w);
    fn(q + "layer_norm1.bias", layer.ln1_b);
    fn(q + "layer_norm2.weight", layer.ln2_w);
    fn(q + "layer_norm2.bias", layer.ln2_b);
    fn(q + "mlp.fc1.weight", layer.fc1_w);
    fn(q + "mlp.fc1.bias", layer.fc1_b);
    fn(q + "mlp.fc2.weight", layer.fc2_w);
    fn(q + "mlp.fc2.bias", layer.fc2_b);
  }
  fn("model.mm_projector.0.weight", proj0_w);
  fn("model.mm_projector.0.bias", proj0_b);
  fn("model.mm_projector.2.weight", proj2_w);
  fn("model.mm_projector.2.bias", proj2_b);
  fn("model.image_newline", image_newline);
}

VisionWeights VisionWeights::load(const SafetensorsArchive& archive, const ModelConfig& config,
                                  const torch::TensorOptions& options,
                                  const std::function<void()>& on_tensor) {
  VisionWeights w;
  w.visit(config, [&](const std::string& name, torch::Tensor& t) {
    t = archive.tensor(name).to(options);
    if (on_tensor) on_tensor();
  });
  return w;
}

VisionModel::VisionModel(VisionWeights weights, ModelConfig config)
    : weights_(std::move(weights)), config_(std::move(config)) {}

torch::Tensor VisionModel::encode_crops(const torch::Tensor& crops) const {
  const auto& vc = config_.vision;
  const int64_t n = crops.size(0), c = vc.hidden_size, heads = vc.num_heads;
  const int64_t hd = c / heads;
  // Stride-p "valid" conv: pixels past the last whole patch are ignored, as in the reference.
  auto x = F::conv2d(crops.to(weights_.patch_w.options()), weights_.patch_w,
                     F::Conv2dFuncOptions().bias(weights_.patch_b).stride(vc.patch_size));
  x = x.flatten(2).transpose(1, 2) + weights_.position;  // [n, patches, C]
  const int64_t t = x.size(1);
  const auto norm = [&](const torch::Tensor& in, const torch::Tensor& w, const torch::Tensor& b) {
    return torch::layer_norm(in, {c}, w, b, vc.layer_norm_eps);
  };
  for (const auto& layer : weights_.layers) {
    const auto y = norm(x, layer.ln1_w, layer.ln1_b);
    const auto split = [&](const torch::Tensor& w, const torch::Tensor& b) {
      return torch::linear(y, w, b)
          .view({n, t, heads, hd})
          .permute({0, 2, 1, 3})
          .reshape({n * heads, t, hd});
    };
    const auto attended = ops::attention(split(layer.q_w, layer.q_b), split(layer.k_w, layer.k_b),
                                         split(layer.v_w, layer.v_b));
    const auto merged = attended.view({n, heads, t, hd}).permute({0, 2, 1, 3}).reshape({n, t, c});
    x = x + torch::linear(merged, layer.out_w, layer.out_b);
    const auto z = norm(x, layer.ln2_w, layer.ln2_b);
    const auto hidden = F::gelu(torch::linear(z, layer.fc1_w, layer.fc1_b),
                                F::GELUFuncOptions().approximate("tanh"));
    x = x + torch::linear(hidden, layer.fc2_w, layer.fc2_b);
  }
  return x;
}

torch::Tensor VisionModel::project(const torch::Tensor& features) const {
  const auto hidden = torch::gelu(torch::linear(features, weights_.proj0_w, weights_.proj0_b));
  return torch::linear(hidden, weights_.proj2_w, weights_.proj2_b);
}

torch::Tensor VisionModel::merge(const torch::Tensor& projected, const AnyresPlan& plan) const {
  const int64_t side = config_.vision.patches_per_side();
  const int64_t d = projected.size(2);
  if (projected.size(0) != plan.num_crops) {
    fail("image merge: ", projected.size(0), " crops but the anyres plan expects ", plan.num_crops);
  }
  const auto base = projected[0];
  if (plan.num_crops == 1) {
    // A single crop (non-anyres input) takes the reference's other branch: features + newline.
    return torch::cat({base, weights_.image_newline.unsqueeze(0)}, 0);
  }
  // Stitch tiles spatially: (gy, gx, side, side, D) -> (D, gy*side, gx*side).
  auto grid = projected.narrow(0, 1, plan.num_crops - 1)
                  .view({plan.grid_y, plan.grid_x, side, side, d})
                  .permute({4, 0, 2, 1, 3})
                  .reshape({d, plan.grid_y * side, plan.grid_x * side});
  grid =
      grid.narrow(1, plan.unpad_top, plan.unpadded_h).narrow(2, plan.unpad_left, plan.unpadded_w);
  if (plan.downsampled) {
    grid = F::interpolate(grid.unsqueeze(0),
                          F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{plan.final_h, plan.final_w})
                              .mode(torch::kBilinear)
                              .align_corners(false))
               .squeeze(0);
  }
  const auto newline = weights_.image_newline.view({d, 1, 1}).expand({d, plan.final_h, 1});
  const auto with_newlines = torch::cat({grid, newline.to(grid.dtype())}, 2);  // (D, h', w'+1)
  const auto rows = with_newlines.flatten(1).transpose(0, 1);
  return torch::cat({base, rows}, 0);
}

torch::Tensor VisionModel::image_rows(const Image& image, AnyresPlan* plan_out) const {
  const auto plan = plan_anyres(image.width, image.height, config_.vision, config_.mm);
  if (plan_out) *plan_out = plan;
  const auto crops = preprocess_anyres(image, plan, config_.vision);
  const auto rows = merge(project(encode_crops(crops)), plan);
  if (rows.size(0) != plan.image_tokens) {
    fail("image merge produced ", rows.size(0), " rows but the plan counts ", plan.image_tokens);
  }
  return rows;
}

}  // namespace cachelens

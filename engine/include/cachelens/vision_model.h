// SPDX-License-Identifier: MIT
// The image side of LLaDA-V: the SigLIP tower (last layer and head dropped, no post-LayerNorm),
// the mlp2x_gelu projector, and the spatial_unpad + anyres_max merge with image_newline rows.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "cachelens/config.h"
#include "cachelens/image.h"

namespace cachelens {

class SafetensorsArchive;

struct VisionWeights {
  struct Layer {
    torch::Tensor q_w, q_b, k_w, k_b, v_w, v_b, out_w, out_b;
    torch::Tensor ln1_w, ln1_b, ln2_w, ln2_b;
    torch::Tensor fc1_w, fc1_b, fc2_w, fc2_b;
  };
  torch::Tensor patch_w, patch_b;  // conv [C, 3, p, p]
  torch::Tensor position;          // [patches, C]
  std::vector<Layer> layers;       // the used layers only
  torch::Tensor proj0_w, proj0_b, proj2_w, proj2_b;
  torch::Tensor image_newline;  // [D]

  static VisionWeights load(const SafetensorsArchive& archive, const ModelConfig& config,
                            const torch::TensorOptions& options,
                            const std::function<void()>& on_tensor = {});
  // Every tensor the model reads with its checkpoint name (`layers` is sized first); loading,
  // saving and training share this list.
  void visit(const ModelConfig& config,
             const std::function<void(const std::string&, torch::Tensor&)>& fn);
};

class VisionModel {
 public:
  VisionModel(VisionWeights weights, ModelConfig config);

  // crops [n, 3, S, S] -> SigLIP features [n, patches, C] (output of the last kept block).
  torch::Tensor encode_crops(const torch::Tensor& crops) const;
  // features [n, patches, C] -> [n, patches, D] (Linear, exact GELU, Linear).
  torch::Tensor project(const torch::Tensor& features) const;
  // Projected crops -> the image rows spliced into the prompt: the base crop's rows, then the
  // unpadded (and maybe downsampled) tile grid with one image_newline at the end of every row.
  torch::Tensor merge(const torch::Tensor& projected, const AnyresPlan& plan) const;
  // All of the above for one image; rows [plan.image_tokens, D].
  torch::Tensor image_rows(const Image& image, AnyresPlan* plan_out = nullptr) const;

  const ModelConfig& config() const { return config_; }

 private:
  VisionWeights weights_;
  ModelConfig config_;
};

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// Growing a trained language tower by whole layers, keeping what it computes.
#include <string>

#include "cachelens/error.h"
#include "io/string_suffix.h"
#include "train/train_internal.h"

namespace cachelens::train {
namespace {

constexpr const char* kLayerPrefix = "model.layers.";

// The language layer a tensor belongs to, or -1 (embeddings, final norm, head, image side).
int64_t language_layer_of(const std::string& name) {
  if (name.rfind(kLayerPrefix, 0) != 0) return -1;
  const auto digits = name.find_first_not_of("0123456789", std::string(kLayerPrefix).size());
  return std::stoll(name.substr(std::string(kLayerPrefix).size(), digits));
}

}  // namespace

void add_language_layers(std::map<std::string, torch::Tensor>& named, ModelConfig& config,
                         int64_t added, uint64_t seed) {
  if (added < 1 || added > kMaxAddedLayers)
    fail("training: layers to add must be 1 to ", kMaxAddedLayers, ", got ", added);
  const int64_t old_layers = config.text.num_layers;
  config.text.num_layers += added;
  for (auto& [name, t] : initial_weights(config, seed)) {
    if (language_layer_of(name) < old_layers) continue;  // kept from the checkpoint
    // The attention and MLP outputs start at zero, so each new layer passes the residual stream
    // through unchanged: the grown model answers exactly as the checkpoint did until training
    // moves them (their other weights get gradients as soon as the outputs leave zero).
    if (ends_with(name, "o_proj.weight") || ends_with(name, "down_proj.weight")) t.zero_();
    named[name] = t;
  }
}

}  // namespace cachelens::train

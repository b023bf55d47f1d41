// SPDX-License-Identifier: MIT
#include "cachelens/test_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "cachelens/atomic_file.h"
#include "cachelens/checkpoint.h"
#include "cachelens/error.h"
#include "cachelens/safetensors.h"
#include "cachelens/tokenizer.h"
#include "io/string_suffix.h"

namespace cachelens {
namespace fs = std::filesystem;
namespace {

// Real ids of the LLaDA-V special tokens (lladav-model.md §3.2), used by the 8B preset so its
// lm_head slicing and banned ids match the real checkpoint.
const std::vector<std::pair<const char*, int32_t>> kRealSpecialIds = {
    {"<|startoftext|>", 126080},
    {"<|endoftext|>", 126081},
    {"[CLS]", 126082},
    {"[gMASK]", 126083},
    {"<|mdm_mask|>", 126336},
    {"<role>", 126340},
    {"</role>", 126341},
    {"<|arithmetic_start|>", 126342},
    {"<|arithmetic_end|>", 126343},
    {"<|number_start|>", 126344},
    {"<|number_end|>", 126345},
    {"<|start_header_id|>", 126346},
    {"<|end_header_id|>", 126347},
    {"<|eot_id|>", 126348},
};

int merges_for(const std::string& preset) {
  return preset == "tiny" ? 200 : 400;
}

DType parse_weights_dtype(const std::string& text, const std::string& preset) {
  const std::string name = text.empty() ? (preset == "lladav-8b" ? "BF16" : "F32") : text;
  if (name == "F32" || name == "f32" || name == "fp32") return DType::F32;
  if (name == "BF16" || name == "bf16") return DType::BF16;
  if (name == "F16" || name == "f16" || name == "fp16") return DType::F16;
  fail("unknown weights dtype '", text, "' (allowed: F32, BF16, F16)");
}

torch::Tensor random_tensor(const TensorSpec& spec, at::Generator& gen) {
  const auto init = random_init_for(spec);
  return torch::randn(spec.shape, gen, torch::kFloat32) * init.std + init.mean;
}

}  // namespace

std::string test_tokenizer_json(const std::string& preset) {
  std::string text = train_byte_level_bpe_json(test_tokenizer_corpus(), merges_for(preset));
  if (preset != "lladav-8b") return text;
  auto json = nlohmann::json::parse(text);
  for (auto& token : json["added_tokens"]) {
    for (const auto& [content, id] : kRealSpecialIds) {
      if (token["content"] == content) token["id"] = id;
    }
  }
  return json.dump(2);
}

RandomInit random_init_for(const TensorSpec& spec) {
  const auto& name = spec.name;
  if (ends_with(name, "norm.weight") || ends_with(name, "layernorm.weight") ||
      ends_with(name, "layer_norm1.weight") || ends_with(name, "layer_norm2.weight")) {
    return {1.0, 0.1};
  }
  if (ends_with(name, ".bias")) return {0.0, 0.02};
  if (name == "model.embed_tokens.weight" || name == "model.image_newline") return {0.0, 1.0};
  if (ends_with(name, "position_embedding.weight")) return {0.0, 0.1};
  if (name == "lm_head.weight") return {0.0, 2.0 / std::sqrt(static_cast<double>(spec.shape[1]))};
  int64_t fan_in = 1;
  for (size_t i = 1; i < spec.shape.size(); ++i) fan_in *= spec.shape[i];
  return {0.0, 1.0 / std::sqrt(static_cast<double>(fan_in))};
}

const std::string& test_tokenizer_corpus() {
  static const std::string corpus =
      "You are a helpful language and vision assistant. You are able to understand the visual "
      "content that the user provides, and assist the user with a variety of tasks using natural "
      "language.\nsystem\nuser\nassistant\nPlease describe the image in detail.\n"
      "What colour is the circle? The circle is red. What shape is the blue object? It is a "
      "square. How many triangles are there? There are 3 triangles. Is there a green star? Yes, "
      "there is a green star in the top left corner. Where is the yellow circle? It is on the "
      "right. The red square is left of the blue circle. Count the shapes step by step: one red "
      "circle, two blue squares, so 1 + 2 = 3. The answer is 3.\n"
      "The quick brown fox jumps over the lazy dog. A picture shows a small house, a tall tree "
      "and the sun above the hills. Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 100 2025.\n"
      "Diffusion language models decode many tokens in parallel and refine them over steps; a "
      "cache keeps keys and values of tokens that barely change between steps.\n";
  return corpus;
}

ModelConfig test_model_config(const std::string& preset, int64_t tokenizer_size, bool text_only) {
  ModelConfig c;
  if (preset == "tiny") {
    c.text = {64, 128, 2, 4, 4, 16, tokenizer_size + 13, 500000.0, 1e-5, 4096};
    c.vision = {56, 14, 32, 64, 2, 3, 1e-6};
  } else if (preset == "small") {
    c.text = {256, 768, 8, 8, 8, 32, tokenizer_size + 13, 500000.0, 1e-5, 8192};
    c.vision = {112, 14, 96, 192, 4, 5, 1e-6};
  } else if (preset == "lladav-8b") {
    c.text = TextConfig{};  // the real shapes are the defaults
    c.vision = VisionConfig{};
  } else {
    fail("unknown preset '", preset, "' (allowed: tiny, small, lladav-8b)");
  }
  c.mm.mm_hidden_size = c.vision.hidden_size;
  c.mm.grid_pinpoints = expand_grid_pinpoints("(1x1),...,(6x6)", c.vision.image_size);
  c.has_vision = !text_only;
  return c;
}

void make_test_model(const fs::path& out, const TestModelOptions& options) {
  const std::string tokenizer_json = test_tokenizer_json(options.preset);
  const auto tokenizer = Tokenizer::from_json_text(tokenizer_json, "generated tokenizer.json");
  const auto config = test_model_config(options.preset, tokenizer.size(), options.text_only);
  const DType dtype = parse_weights_dtype(options.weights_dtype, options.preset);
  const auto specs = expected_tensor_specs(config);

  uint64_t total_bytes = 0;
  for (const auto& spec : specs) {
    total_bytes += static_cast<uint64_t>(spec.numel()) * static_cast<uint64_t>(dtype_size(dtype));
  }
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) fail("cannot create folder '", out.string(), "': ", ec.message());
  const auto space = fs::space(out, ec);
  const uint64_t needed = total_bytes + total_bytes / 20 + (64ull << 20);
  if (!ec && space.available < needed) {
    fail("not enough disk space in '", out.string(), "' for the ", options.preset,
         " checkpoint: ", needed >> 20, " MiB needed, ", space.available >> 20, " MiB free");
  }

  // One generator, tensors drawn in the spec order: the same seed always writes the same bytes.
  auto gen = at::detail::createCPUGenerator(options.seed);
  std::vector<LazyTensor> tensors;
  for (const auto& spec : specs) {
    tensors.push_back({spec.name, spec.shape, dtype, [spec, dtype, &gen] {
                         return random_tensor(spec, gen).to(to_torch(dtype));
                       }});
  }
  // post_layernorm is stored by the real checkpoint but never read.
  if (config.has_vision) {
    const int64_t c = config.vision.hidden_size;
    for (const char* part : {"weight", "bias"}) {
      const TensorSpec spec{std::string(kVisionPrefix) + "post_layernorm." + part, {c}};
      tensors.push_back({spec.name, spec.shape, dtype, [spec, dtype, &gen] {
                           return random_tensor(spec, gen).to(to_torch(dtype));
                         }});
    }
  }
  const uint64_t shard_bytes = options.max_shard_bytes
                                   ? options.max_shard_bytes
                                   : (options.preset == "lladav-8b" ? (3ull << 30) : ~0ull);
  write_sharded_checkpoint(out, tensors, shard_bytes, options.on_progress);
  write_text_atomically(out / "tokenizer.json", tokenizer_json);
  write_text_atomically(out / "config.json", config.to_json_text());
}

}  // namespace cachelens

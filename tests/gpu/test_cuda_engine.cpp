// SPDX-License-Identifier: MIT
// The engine on CUDA against the engine on the CPU, both fp32, on a tiny random checkpoint with an
// image: every strategy must commit the same tokens at the same steps with the same confidences
// (up to float rounding). Random weights on the device must run and decode the whole answer.
// Skipped, visibly, without a CUDA device.
#include <gtest/gtest.h>

#include "cachelens/device.h"
#include "cachelens/engine.h"
#include "cachelens/test_model.h"
#include "test_support.h"

namespace cachelens {
namespace {

class CudaEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_available()) GTEST_SKIP() << "no CUDA device (LibTorch without CUDA, or no GPU)";
  }
};

GenerateRequest request_for(const std::filesystem::path& image, const std::string& strategy) {
  GenerateRequest r;
  r.prompt = "What colour is the circle?";
  r.image_path = image;
  r.decode.gen_length = 32;
  r.decode.block_length = 16;
  r.decode.steps = 16;
  r.strategy.name = strategy;
  return r;
}

// One test per strategy, so a failure (or a crash) names the strategy.
class CudaEngineStrategy : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!cuda_available()) GTEST_SKIP() << "no CUDA device (LibTorch without CUDA, or no GPU)";
  }
};

// A test checkpoint of `preset` and a test picture in `dir`.
void make_inputs(const test::TempDir& dir, const std::string& preset, uint64_t seed, int width,
                 int height) {
  TestModelOptions options;
  options.preset = preset;
  options.seed = seed;
  make_test_model(dir / "model", options);
  save_png(test::pattern_image(width, height), dir / "image.png");
}

TEST_P(CudaEngineStrategy, Fp32TokensMatchTheCpu) {
  test::TempDir dir;
  make_inputs(dir, "tiny", 3, 120, 90);

  LoadOptions cpu_load, gpu_load;
  cpu_load.device = "cpu";
  cpu_load.dtype = "fp32";
  gpu_load.device = "cuda";
  gpu_load.dtype = "fp32";
  const auto cpu = Session::load(dir / "model", cpu_load);
  const auto gpu = Session::load(dir / "model", gpu_load);
  EXPECT_EQ(gpu->info().device, "cuda:0");

  const auto request = request_for(dir / "image.png", GetParam());
  const auto a = cpu->generate(request);
  const auto b = gpu->generate(request);
  ASSERT_EQ(a.events.size(), b.events.size());
  EXPECT_EQ(a.summary.token_ids, b.summary.token_ids);
  for (size_t s = 0; s < a.events.size(); ++s) {
    const auto& ea = *a.events[s];
    const auto& eb = *b.events[s];
    EXPECT_EQ(ea.decoded_positions, eb.decoded_positions) << "step " << s;
    EXPECT_EQ(ea.decoded_tokens, eb.decoded_tokens) << "step " << s;
    EXPECT_EQ(ea.recomputed_cells, eb.recomputed_cells) << "step " << s;
    ASSERT_EQ(ea.decoded_confidences.size(), eb.decoded_confidences.size());
    for (size_t i = 0; i < ea.decoded_confidences.size(); ++i) {
      EXPECT_NEAR(ea.decoded_confidences[i], eb.decoded_confidences[i], 1e-4) << "step " << s;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryStrategy, CudaEngineStrategy,
                         ::testing::Values("none", "fast-dllm-prefix", "fast-dllm-dual",
                                           "dkv-decode", "dllm-cache", "elastic"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// Reuse steps of Fast-dLLM's caches replay a captured CUDA graph (one capture, replays over four
// blocks with new row indices); the plain kernel-by-kernel path must give the same decoding.
TEST_F(CudaEngine, CudaGraphsDecodeLikeThePlainPath) {
  test::TempDir dir;
  make_inputs(dir, "small", 5, 160, 120);
  LoadOptions graphs, plain;
  graphs.device = plain.device = "cuda";
  graphs.dtype = plain.dtype = "fp32";
  plain.cuda_graphs = false;
  const auto a = Session::load(dir / "model", graphs);
  const auto b = Session::load(dir / "model", plain);
  for (const auto& name : {"fast-dllm-dual", "fast-dllm-prefix"}) {
    SCOPED_TRACE(name);
    auto request = request_for(dir / "image.png", name);
    request.decode.gen_length = 64;
    request.decode.block_length = 16;
    request.decode.steps = 32;
    const auto ta = a->generate(request);
    const auto tb = b->generate(request);
    EXPECT_EQ(ta.summary.token_ids, tb.summary.token_ids);
    ASSERT_EQ(ta.events.size(), tb.events.size());
    for (size_t s = 0; s < ta.events.size(); ++s) {
      EXPECT_EQ(ta.events[s]->decoded_positions, tb.events[s]->decoded_positions) << "step " << s;
      EXPECT_EQ(ta.events[s]->recomputed_cells, tb.events[s]->recomputed_cells) << "step " << s;
    }
  }
}

TEST_F(CudaEngine, RandomWeightsDecodeTheWholeAnswerInBf16) {
  LoadOptions load;
  load.device = "cuda";
  load.dtype = "bf16";
  const auto session = Session::random("small", load, 1);
  EXPECT_TRUE(session->info().random_weights);
  EXPECT_EQ(session->info().dtype, "bf16");
  test::TempDir dir;
  save_png(test::pattern_image(200, 150), dir / "image.png");
  auto request = request_for(dir / "image.png", "fast-dllm-dual");
  request.decode.gen_length = 64;
  request.decode.block_length = 32;
  request.decode.steps = 16;  // 4 tokens per step
  const auto trace = session->generate(request);
  EXPECT_EQ(trace.summary.steps, 16);
  EXPECT_EQ(static_cast<int64_t>(trace.summary.token_ids.size()), 64);
  EXPECT_FALSE(trace.summary.stopped_at_eot);
  for (const auto& e : trace.events) EXPECT_EQ(e->decoded_tokens.size(), 4u);
}

}  // namespace
}  // namespace cachelens

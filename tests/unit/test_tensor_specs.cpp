// SPDX-License-Identifier: MIT
// The tensor list the loader checks (and make-test-model writes) against the real 8B checkpoint's
// published sizes (lladav-model.md §2).
#include <gtest/gtest.h>

#include <numeric>

#include "cachelens/checkpoint.h"
#include "cachelens/test_model.h"

using namespace cachelens;

namespace {
int64_t count(const std::vector<TensorSpec>& specs, const std::string& prefix = "") {
  int64_t total = 0;
  for (const auto& s : specs) {
    if (s.name.rfind(prefix, 0) != 0) continue;
    total += std::accumulate(s.shape.begin(), s.shape.end(), int64_t{1}, std::multiplies<>());
  }
  return total;
}
}  // namespace

TEST(TensorSpecs, RealConfigMatchesThePublishedParameterCounts) {
  const auto config = test_model_config("lladav-8b", 126349, false);
  const auto language = language_tensor_specs(config.text);
  EXPECT_EQ(language.size(), 291u);        // 9 x 32 + 3
  EXPECT_EQ(count(language), 8015581184);  // §2.1: 16,031,162,368 bytes in 16-bit
  const auto mm = multimodal_tensor_specs(config);
  // Vision tower 397.7 M (26 layers, post_layernorm not read), projector 21.5 M.
  EXPECT_NEAR(static_cast<double>(count(mm, kVisionPrefix)), 397.7e6, 0.1e6);
  EXPECT_EQ(count(mm, "model.mm_projector."), 21504000);
  EXPECT_EQ(count(mm, "model.image_newline"), 4096);
  EXPECT_EQ(mm.front().shape, (std::vector<int64_t>{1152, 3, 14, 14}));
}

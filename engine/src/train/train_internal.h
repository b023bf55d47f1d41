// SPDX-License-Identifier: MIT
// Pieces of the trainer that tests reach directly.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "cachelens/config.h"

namespace cachelens::train {

// Every tensor of a fresh checkpoint (the real names), initialised GPT-2 style: N(0, 0.02),
// residual outputs scaled by 1/sqrt(2 layers), norms 1, biases 0.
std::vector<std::pair<std::string, torch::Tensor>> initial_weights(const ModelConfig& config,
                                                                   uint64_t seed);

// Linear warm-up over `warmup` steps, then a cosine from `peak` down to `floor` at `total`.
double learning_rate_at(int64_t step, int64_t total, int64_t warmup, double peak, double floor);

// The item index of sample `b` of batch `step`: epochs of a seeded permutation, so a resumed run
// sees exactly the batches it would have seen.
int64_t item_for(int64_t step, int64_t b, int64_t batch_size, int64_t items, uint64_t seed);

// The answer region a training example decodes: the answer, then <|eot_id|> repeated to `length`
// (the stop token is the padding: LLaDA-style, so the model learns to end an answer early and
// confidently, and the decoder stops at the first one). Throws when the answer does not fit.
std::vector<int32_t> padded_answer(const std::vector<int32_t>& answer, int32_t eot, int64_t length,
                                   const std::string& what);

}  // namespace cachelens::train

// SPDX-License-Identifier: MIT
#include "decode/denoiser.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <numeric>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "cachelens/error.h"

namespace cachelens {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Chosen tokens and their scores for the rows of one decode region, on the CPU.
struct Proposal {
  std::vector<int64_t> tokens;
  std::vector<double> scores;
};

// argmax (with Gumbel noise when temperature > 0) and the fp64 softmax probability of the choice,
// or uniform scores for `random`. Noise comes from a CPU generator so CPU and CUDA runs agree.
// `banned` (ids on the logits' device, possibly empty) is built once per run by the caller.
Proposal propose(torch::Tensor logits, const DecodeSettings& settings, const torch::Tensor& banned,
                 at::Generator& generator) {
  if (banned.numel() > 0) {
    // Banning at every row equals banning at masked rows: unmasked rows are never committed.
    logits = logits.index_fill(1, banned, -std::numeric_limits<float>::infinity());
  }
  const auto logits64 = logits.to(torch::kFloat64);
  torch::Tensor chosen;
  if (settings.temperature > 0.0) {
    // exp(l) / (-log u)^T has the argmax of l - T * log(-log u); the log form cannot overflow.
    const auto u = torch::rand(logits64.sizes(), generator, torch::kFloat64)
                       .clamp_min(std::numeric_limits<double>::min())
                       .to(logits.device());
    chosen = (logits64 - settings.temperature * torch::log(-torch::log(u))).argmax(-1);
  } else {
    chosen = logits64.argmax(-1);
  }
  torch::Tensor scores;
  if (settings.rule == UnmaskRule::Random) {
    scores = torch::rand({logits.size(0)}, generator, torch::kFloat64);
  } else {
    scores = torch::exp(logits64.gather(1, chosen.unsqueeze(1)).squeeze(1) -
                        torch::logsumexp(logits64, -1));
  }
  const auto chosen_cpu = chosen.to(torch::kCPU).contiguous();
  const auto scores_cpu = scores.to(torch::kCPU).contiguous();
  Proposal p;
  p.tokens.assign(chosen_cpu.data_ptr<int64_t>(),
                  chosen_cpu.data_ptr<int64_t>() + chosen_cpu.numel());
  p.scores.assign(scores_cpu.data_ptr<double>(),
                  scores_cpu.data_ptr<double>() + scores_cpu.numel());
  return p;
}

// How many candidates this step commits, by the unmasking rule.
int64_t commit_count(const DecodeSettings& settings, const std::vector<double>& sorted_desc,
                     int64_t scheduled) {
  const int64_t available = static_cast<int64_t>(sorted_desc.size());
  switch (settings.rule) {
    case UnmaskRule::Threshold:
      return threshold_count(sorted_desc, settings.threshold);
    case UnmaskRule::Factor:
      return factor_count(sorted_desc, settings.factor);
    case UnmaskRule::Fixed:
    case UnmaskRule::Random:
      // Deliberate deviation: the reference's top-k may pick -inf rows once a stop token limits
      // the region; those picks never reach the answer, so we clamp instead.
      return std::min(scheduled, available);
  }
  return 0;
}

}  // namespace

DenoiseResult run_denoising(const LanguageModel& model, const DenoiseRequest& request) {
  const auto& s = request.settings;
  s.validate();
  if (request.special.mask < 0) fail("the tokenizer has no <|mdm_mask|> token");
  const int64_t lp = request.prompt_embeddings.size(0);
  const int64_t n = lp + s.gen_length;
  const int32_t mask_id = request.special.mask;

  // The sequence state: ids of the answer region, which positions are still masked, and the input
  // embedding of every position (prompt rows fixed, answer rows the mask embedding until decoded).
  std::vector<int32_t> region(static_cast<size_t>(s.gen_length), mask_id);
  std::vector<uint8_t> masked(static_cast<size_t>(s.gen_length), 1);
  const auto index_options =
      torch::TensorOptions().dtype(torch::kInt64).device(model.options().device());
  const auto mask_row = model.embed(torch::tensor({int64_t{mask_id}}, index_options));
  torch::Tensor inputs =
      torch::cat(
          {request.prompt_embeddings.to(model.options()), mask_row.expand({s.gen_length, -1})}, 0)
          .contiguous();
  const auto rope = model.rope_for_length(n);
  const auto banned = torch::tensor(
      std::vector<int64_t>(request.special.banned.begin(), request.special.banned.end()),
      index_options);
  KVCache cache;
  auto generator = at::detail::createCPUGenerator(s.seed);

  DenoiseResult result;
  bool found = false;
  int64_t stop_offset = s.gen_length;  // relative to the answer start
  const auto start = Clock::now();
  const auto any_masked = [&](int64_t from, int64_t to) {
    return std::any_of(masked.begin() + from, masked.begin() + to,
                       [](uint8_t m) { return m != 0; });
  };

  for (int64_t b = 0; b < s.num_blocks(); ++b) {
    const int64_t bs = b * s.block_length, be = bs + s.block_length;  // relative offsets
    if (found && stop_offset <= bs) break;
    const int64_t block_masked = std::count(masked.begin() + bs, masked.begin() + be, 1);
    const auto schedule = num_transfer_tokens(block_masked, s.steps_per_block());
    const bool fixed_schedule = s.rule == UnmaskRule::Fixed || s.rule == UnmaskRule::Random;
    for (int64_t i = 0;; ++i) {
      if (fixed_schedule && i >= s.steps_per_block()) break;
      if (found && !any_masked(0, stop_offset)) break;
      if (!any_masked(bs, be)) break;
      if (request.should_stop && request.should_stop()) throw Cancelled();
      const auto step_start = Clock::now();

      // Full recompute: every row at every layer; logits for the block's rows only.
      ForwardPlan plan;
      plan.decode_rows = torch::arange(lp + bs, lp + be, index_options);
      plan.should_stop = request.should_stop;
      cache.reset(model.config(), n, /*keep_hidden=*/false);
      ForwardStats stats;
      const auto logits = model.forward(inputs, rope, plan, cache, &stats);
      ++result.nfe;
      const auto proposal = propose(logits, s, banned, generator);

      // Candidates: masked positions of the block before any stop token found so far.
      const int64_t limit = found ? std::min(stop_offset, be) : be;
      std::vector<int64_t> candidates;
      for (int64_t p = bs; p < limit; ++p) {
        if (masked[static_cast<size_t>(p)]) candidates.push_back(p);
      }
      // Most confident first; ties go to the earlier position so runs are reproducible.
      std::stable_sort(candidates.begin(), candidates.end(), [&](int64_t a, int64_t c) {
        return proposal.scores[static_cast<size_t>(a - bs)] >
               proposal.scores[static_cast<size_t>(c - bs)];
      });
      std::vector<double> sorted_scores;
      for (int64_t p : candidates)
        sorted_scores.push_back(proposal.scores[static_cast<size_t>(p - bs)]);
      const int64_t scheduled =
          i < static_cast<int64_t>(schedule.size()) ? schedule[static_cast<size_t>(i)] : 1;
      const int64_t count = commit_count(s, sorted_scores, scheduled);

      StepEvent event;
      std::vector<int64_t> commit_positions, commit_tokens;
      for (int64_t c = 0; c < count; ++c) {
        const int64_t p = candidates[static_cast<size_t>(c)];
        const int64_t token = proposal.tokens[static_cast<size_t>(p - bs)];
        region[static_cast<size_t>(p)] = static_cast<int32_t>(token);
        masked[static_cast<size_t>(p)] = 0;
        commit_positions.push_back(lp + p);
        commit_tokens.push_back(token);
        event.decoded_positions.push_back(p);
        event.decoded_confidences.push_back(sorted_scores[static_cast<size_t>(c)]);
      }
      if (!commit_positions.empty()) {
        inputs.index_copy_(0, torch::tensor(commit_positions, index_options),
                           model.embed(torch::tensor(commit_tokens, index_options)));
      }
      if (request.special.stop >= 0) {
        const auto it = std::find(region.begin(), region.end(), request.special.stop);
        if (it != region.end() && (!found || it - region.begin() < stop_offset)) {
          stop_offset = it - region.begin();
          found = true;
        }
      }

      event.step = result.steps++;
      event.block = b;
      event.step_in_block = i;
      event.answer_ids = region;
      event.rows_per_layer = stats.rows_per_layer;
      event.total_rows = n;
      event.nfe = result.nfe;
      event.step_ms = ms_since(step_start);
      event.elapsed_ms = ms_since(start);
      if (request.on_step) request.on_step(event);
    }
  }
  result.answer_region = region;
  result.stop_offset = found ? stop_offset : -1;
  return result;
}

}  // namespace cachelens

// SPDX-License-Identifier: MIT
#include "decode/denoiser.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "cache/cache_strategy.h"
#include "cachelens/error.h"
#include "cachelens/metrics.h"
#include "decode/graph_forward.h"
#include "decode/step_cells.h"
#include "decode/top1_gpu.h"

namespace cachelens {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Chosen tokens and their fp64 softmax probabilities for the decode rows, on the CPU.
struct Proposal {
  std::vector<int64_t> tokens;
  std::vector<double> confidences;
};

// argmax (with Gumbel noise when temperature > 0) and the fp64 softmax probability of the choice.
// Noise comes from a CPU generator so CPU and CUDA runs agree. `banned` (ids on the logits'
// device, possibly empty) is built once per run by the caller.
Proposal propose(torch::Tensor logits, const DecodeSettings& settings, const torch::Tensor& banned,
                 at::Generator& generator) {
  if (banned.numel() > 0) {
    // Banning at every row equals banning at masked rows: unmasked rows are never committed.
    logits = logits.index_fill(1, banned, -std::numeric_limits<float>::infinity());
  }
  if (settings.temperature == 0.0) {
    if (auto top1 = top1_on_gpu(logits))
      return {std::move(top1->tokens), std::move(top1->confidences)};
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
  const auto confidences = torch::exp(logits64.gather(1, chosen.unsqueeze(1)).squeeze(1) -
                                      torch::logsumexp(logits64, -1));
  Proposal p;
  p.tokens = positions_of(chosen);
  const auto conf_cpu = confidences.to(torch::kCPU).contiguous();
  p.confidences.assign(conf_cpu.data_ptr<double>(), conf_cpu.data_ptr<double>() + conf_cpu.numel());
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

// `positions` ordered by descending score; ties keep the earlier position (reproducible runs).
std::vector<int64_t> by_score(std::vector<int64_t> positions,
                              const std::function<double(int64_t)>& score) {
  std::stable_sort(positions.begin(), positions.end(),
                   [&](int64_t a, int64_t b) { return score(a) > score(b); });
  return positions;
}

torch::Tensor index_tensor(const std::vector<int64_t>& positions, const torch::Device& device) {
  return torch::tensor(positions, torch::TensorOptions().dtype(torch::kInt64)).to(device);
}

torch::Tensor rows_tensor(const cache::RowSet& set, const torch::Device& device) {
  return set.all ? torch::Tensor() : index_tensor(set.rows, device);
}

// Whether the ascending, duplicate-free `rows` hold every position of [begin, end).
bool holds_range(const cache::RowSet& rows, int64_t begin, int64_t end) {
  if (rows.all) return true;
  const auto& r = rows.rows;
  const auto first = std::lower_bound(r.begin(), r.end(), begin) - r.begin();
  const auto last = first + (end - begin) - 1;
  return last < static_cast<int64_t>(r.size()) && r[static_cast<size_t>(first)] == begin &&
         r[static_cast<size_t>(last)] == end - 1;
}

}  // namespace

DenoiseResult run_denoising(const LanguageModel& model, const DenoiseRequest& request) {
  const auto& s = request.settings;
  s.validate();
  if (request.special.mask < 0) fail("the tokenizer has no <|mdm_mask|> token");
  auto strategy = cache::make_strategy(request.strategy, s.rule);
  const auto& text = model.config();
  const int64_t lp = request.prompt_embeddings.size(0);
  const int64_t n = lp + s.gen_length;
  const int64_t layers = text.num_layers;
  const int32_t mask_id = request.special.mask;
  const auto device = model.options().device();

  // The sequence state: ids of the answer region, which positions are masks (absolute), and the
  // input embedding of every position (prompt rows fixed, answer rows the mask embedding until
  // decoded).
  std::vector<int32_t> region(static_cast<size_t>(s.gen_length), mask_id);
  std::vector<uint8_t> masked(static_cast<size_t>(n), 0);
  std::fill(masked.begin() + lp, masked.end(), 1);
  const auto mask_row = model.embed(index_tensor({int64_t{mask_id}}, device));
  torch::Tensor inputs =
      torch::cat(
          {request.prompt_embeddings.to(model.options()), mask_row.expand({s.gen_length, -1})}, 0)
          .contiguous();
  const auto rope = model.rope_for_length(n);
  const auto banned = index_tensor(
      std::vector<int64_t>(request.special.banned.begin(), request.special.banned.end()), device);
  const auto needs = strategy->needs();
  KVCache cache;
  cache.reset(text, n, {needs.hidden, needs.queries, needs.outputs});
  StepCells cells(layers, n);
  auto generator = at::detail::createCPUGenerator(s.seed);
  const double row_flops = layer_row_flops(text, n);
  const double head_flops = lm_head_row_flops(text, model.used_vocab());
  GraphedForward graphs(request.cuda_graphs);

  DenoiseResult result;
  bool found = false;
  int64_t stop_offset = s.gen_length;  // relative to the answer start
  std::vector<int64_t> decoded_last;   // absolute
  const auto start = Clock::now();
  const auto any_masked = [&](int64_t from, int64_t to) {  // answer offsets
    return std::any_of(masked.begin() + lp + from, masked.begin() + lp + to,
                       [](uint8_t m) { return m != 0; });
  };
  const bool fixed_schedule = s.rule == UnmaskRule::Fixed || s.rule == UnmaskRule::Random;

  for (int64_t b = 0; b < s.num_blocks(); ++b) {
    const int64_t bs = b * s.block_length, be = bs + s.block_length;  // answer offsets
    if (found && stop_offset <= bs) break;
    const int64_t block_masked = std::count(masked.begin() + lp + bs, masked.begin() + lp + be, 1);
    const auto schedule = num_transfer_tokens(block_masked, s.steps_per_block());
    // `random` draws one score per position at block start: the same distribution as LLaDA's
    // per-step uniform scores, with the order known in advance (dKV-Cache Greedy needs it).
    std::vector<double> random_scores;
    if (s.rule == UnmaskRule::Random) {
      const auto draw = torch::rand({s.block_length}, generator, torch::kFloat64).contiguous();
      random_scores.assign(draw.data_ptr<double>(), draw.data_ptr<double>() + draw.numel());
    }
    const auto random_score = [&](int64_t p) {
      return random_scores[static_cast<size_t>(p - lp - bs)];
    };
    for (int64_t i = 0;; ++i) {
      if (fixed_schedule && i >= s.steps_per_block()) break;
      if (found && !any_masked(0, stop_offset)) break;
      if (!any_masked(bs, be)) break;
      if (request.should_stop && request.should_stop()) throw Cancelled();
      const auto step_start = Clock::now();
      const auto scheduled_at = [&](int64_t step) {
        return step < static_cast<int64_t>(schedule.size()) ? schedule[static_cast<size_t>(step)]
                                                            : int64_t{1};
      };

      // Candidates: masks of the block before any stop token found so far.
      cache::DecodeState state;
      state.step = result.steps;
      state.block = b;
      state.step_in_block = i;
      state.prompt_length = lp;
      state.length = n;
      state.num_layers = layers;
      state.block_begin = lp + bs;
      state.block_end = lp + be;
      state.rule = s.rule;
      state.masked = &masked;
      const int64_t limit = found ? std::min(stop_offset, be) : be;
      for (int64_t p = lp + bs; p < lp + limit; ++p) {
        if (masked[static_cast<size_t>(p)]) state.candidates.push_back(p);
      }
      state.decoded_last_step = decoded_last;
      if (s.rule == UnmaskRule::Random) {
        const auto order = by_score(state.candidates, random_score);
        const int64_t now = std::min<int64_t>(scheduled_at(i), order.size());
        state.scheduled.assign(order.begin(), order.begin() + now);
        std::sort(state.scheduled.begin(), state.scheduled.end());
      }
      const std::vector<uint8_t> masked_at_start = masked;

      // The strategy's plan, as executor tensors.
      auto plan = strategy->begin_step(state);
      std::vector<int64_t> decode_rows =
          plan.decode_rows.empty() ? state.candidates : plan.decode_rows;
      std::sort(decode_rows.begin(), decode_rows.end());
      ForwardPlan forward;
      forward.rows = rows_tensor(plan.rows, device);
      forward.decode_rows = index_tensor(decode_rows, device);
      forward.should_stop = request.should_stop;
      AttentionObservation observe;
      std::vector<std::pair<int64_t, torch::Tensor>> top_attended;  // per observed layer
      if (plan.observe) {
        observe.tracked = index_tensor(plan.tracked, device);
        observe.window = forward.decode_rows;
        std::vector<float> eligible(static_cast<size_t>(n));
        for (int64_t p = 0; p < n; ++p) eligible[static_cast<size_t>(p)] = masked[p] ? 0.f : 1.f;
        observe.eligible = torch::tensor(eligible).to(device);
        observe.top_k = plan.track_num;
        observe.drift_over_keys = plan.drift_over_keys;
        forward.observe = &observe;
        // On a GPU a per-layer decision is a sync per layer; decide after the pass instead.
        forward.defer_observations = device.is_cuda();
        forward.after_layer = [&](const LayerView& view) -> torch::Tensor {
          cache::LayerObservation obs;
          obs.layer = view.layer;
          obs.full = view.full;
          obs.drift = view.drift;
          if (view.top_attended.defined()) top_attended.emplace_back(view.layer, view.top_attended);
          const auto next = strategy->after_layer(obs);
          if (!next) return {};
          return next->all
                     ? torch::arange(n, torch::TensorOptions().dtype(torch::kInt64).device(device))
                     : index_tensor(next->rows, device);
        };
      }
      FeatureReuse features;
      if (plan.feature_reuse) {
        features.computed = rows_tensor(plan.computed, device);
        features.probe = index_tensor(plan.probe, device);
        features.probe_select = plan.probe_select;
        forward.features = &features;
      }
      ForwardStats stats;
      torch::Tensor logits;
      // Reuse steps with fixed rows that hold the block replay a CUDA graph (on a GPU); it gives
      // the whole block's logits, of which the decode rows are picked.
      std::optional<torch::Tensor> graphed;
      if (holds_range(plan.rows, state.block_begin, state.block_end)) {
        graphed = graphs.block_logits(model, inputs, rope, forward, state.block_begin,
                                      state.block_end, cache, stats);
      }
      if (graphed) {
        std::vector<int64_t> offsets;
        for (int64_t p : decode_rows) offsets.push_back(p - state.block_begin);
        logits = graphed->index_select(0, index_tensor(offsets, device));
      } else {
        logits = model.forward(inputs, rope, forward, cache, &stats);
      }
      ++result.nfe;
      if (!top_attended.empty()) {
        std::vector<torch::Tensor> parts;
        for (const auto& [layer, top] : top_attended) parts.push_back(top.view({-1}));
        const auto all = positions_of(torch::cat(parts));
        size_t at = 0;
        for (const auto& [layer, top] : top_attended) {
          const auto n = static_cast<size_t>(top.numel());
          strategy->attended(layer, std::vector<int64_t>(all.begin() + at, all.begin() + at + n));
          at += n;
        }
      }
      const auto proposal = propose(logits, s, banned, generator);

      // Rank the decode rows (all candidates) by the rule's score and commit.
      const auto row_of = [&](int64_t p) {
        return static_cast<size_t>(std::lower_bound(decode_rows.begin(), decode_rows.end(), p) -
                                   decode_rows.begin());
      };
      const auto score = [&](int64_t p) {
        return s.rule == UnmaskRule::Random ? random_score(p) : proposal.confidences[row_of(p)];
      };
      const auto ranked = by_score(decode_rows, score);
      std::vector<double> sorted_scores;
      for (int64_t p : ranked) sorted_scores.push_back(score(p));
      const int64_t count = commit_count(s, sorted_scores, scheduled_at(i));

      auto event = std::make_shared<StepEvent>();
      std::vector<int64_t> commit_tokens;
      decoded_last.clear();
      for (int64_t c = 0; c < count; ++c) {
        const int64_t p = ranked[static_cast<size_t>(c)];
        const int64_t token = proposal.tokens[row_of(p)];
        region[static_cast<size_t>(p - lp)] = static_cast<int32_t>(token);
        masked[static_cast<size_t>(p)] = 0;
        decoded_last.push_back(p);
        commit_tokens.push_back(token);
        event->decoded_positions.push_back(p - lp);
        event->decoded_tokens.push_back(static_cast<int32_t>(token));
        event->decoded_confidences.push_back(sorted_scores[static_cast<size_t>(c)]);
      }
      if (!decoded_last.empty()) {
        inputs.index_copy_(0, index_tensor(decoded_last, device),
                           model.embed(index_tensor(commit_tokens, device)));
      }
      std::sort(decoded_last.begin(), decoded_last.end());
      strategy->end_step({decoded_last});
      if (request.special.stop >= 0) {
        const auto it = std::find(region.begin(), region.end(), request.special.stop);
        if (it != region.end() && (!found || it - region.begin() < stop_offset)) {
          stop_offset = it - region.begin();
          found = true;
        }
      }

      event->step = result.steps++;
      event->block = b;
      event->step_in_block = i;
      event->answer_ids = region;
      for (int64_t p : decode_rows) event->decode_rows.push_back(p - lp);
      event->block_begin = bs;
      event->block_end = be;
      event->cells = cells.record(stats, masked_at_start, decode_rows);
      event->drift = stats.drift;
      event->boundary_layer = strategy->boundary_layer();
      event->tracked = strategy->tracked();
      event->refresh = plan.refresh;
      event->recomputed_cells = event->cells.count(CellState::Recomputed);
      event->partial_cells = event->cells.count(CellState::Partial);
      event->total_cells = layers * n;
      event->flops = static_cast<double>(event->recomputed_cells) * row_flops +
                     static_cast<double>(event->partial_cells) * v_only_row_flops(text) +
                     static_cast<double>(decode_rows.size()) * head_flops;
      event->flops_full = static_cast<double>(event->total_cells) * row_flops +
                          static_cast<double>(decode_rows.size()) * head_flops;
      event->nfe = result.nfe;
      event->step_ms = ms_since(step_start);
      event->elapsed_ms = ms_since(start);
      result.recomputed_cells += event->recomputed_cells;
      result.partial_cells += event->partial_cells;
      result.total_cells += event->total_cells;
      result.flops += event->flops;
      result.flops_full += event->flops_full;
      result.events.push_back(event);
      if (request.on_step) request.on_step(*event);
    }
  }
  result.answer_region = region;
  result.stop_offset = found ? stop_offset : -1;
  result.denoise_ms = ms_since(start);
  return result;
}

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// evaluate(): every item through every strategy, answers judged by the item's scoring rule, and
// speed and agreement measured against a `none` run of the same item and unmasking rule.
#include <algorithm>
#include <map>

#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "cachelens/eval.h"
#include "cachelens/metrics.h"

namespace cachelens {
namespace {

// One run made for every item: a strategy under a rule, reported as results[result] (-1: a
// baseline that was not asked for).
struct PlannedRun {
  StrategySettings settings;
  UnmaskRule rule = UnmaskRule::Fixed;
  int result = -1;
};

// Sums over items of one reported strategy.
struct Totals {
  std::map<std::string, FamilyScore> families;
  int64_t total_cells = 0;  // layer-rows
  int64_t recomputed = 0;   // recomputed + partial layer-rows
  double baseline_wall_ms = 0.0, agreement = 0.0;
  int64_t exact = 0;
  std::vector<ItemOutcome> outcomes;
};

void add_run(StrategyEval& eval, Totals& totals, const VqaItem& item, int64_t index,
             const RunSummary& run, const RunSummary& baseline) {
  const bool correct = score_answer(item.scoring, run.answer, item.answer);
  eval.items += 1;
  eval.correct += correct ? 1 : 0;
  auto& family = totals.families[item.family];
  family.family = item.family;
  family.items += 1;
  family.correct += correct ? 1 : 0;
  eval.answer_tokens += static_cast<int64_t>(run.token_ids.size());
  eval.steps += run.steps;
  eval.nfe += run.nfe;
  eval.wall_ms += run.wall_ms;
  eval.denoise_ms += run.denoise_ms;
  totals.recomputed += run.recomputed_cells + run.partial_cells;
  totals.total_cells += run.total_cells;
  totals.baseline_wall_ms += baseline.wall_ms;
  const auto agreement = compare_answers(run.token_ids, baseline.token_ids);
  totals.agreement += agreement.token_agreement;
  totals.exact += agreement.exact ? 1 : 0;
  totals.outcomes.push_back({index, eval.strategy, run.answer, correct});
}

void finish(StrategyEval& eval, Totals& totals) {
  const auto ratio = [](double num, double den) { return den > 0 ? num / den : 0.0; };
  const double items = static_cast<double>(eval.items);
  eval.accuracy = ratio(static_cast<double>(eval.correct), items);
  for (auto& [name, score] : totals.families) eval.families.push_back(score);
  eval.tokens_per_s = ratio(1000.0 * static_cast<double>(eval.answer_tokens), eval.wall_ms);
  eval.ms_per_step = ratio(eval.denoise_ms, static_cast<double>(eval.steps));
  eval.recompute_fraction =
      ratio(static_cast<double>(totals.recomputed), static_cast<double>(totals.total_cells));
  eval.speedup = ratio(totals.baseline_wall_ms, eval.wall_ms);
  eval.agreement = ratio(totals.agreement, items);
  eval.exact_with_none = ratio(static_cast<double>(totals.exact), items);
}

}  // namespace

EvalReport evaluate(Session& session, const std::vector<VqaItem>& items,
                    const EvalOptions& options) {
  if (options.strategies.empty()) fail("evaluation: no strategy given");
  if (options.limit < 0)
    fail("evaluation limit must be 0 (every item) or more, got ", options.limit);
  const int64_t count = options.limit > 0
                            ? std::min<int64_t>(options.limit, static_cast<int64_t>(items.size()))
                            : static_cast<int64_t>(items.size());
  if (count == 0) fail("evaluation: the set has no items");

  // Everything is checked before the first run, so a bad setting fails at once, not hours in.
  std::vector<DecodeSettings> decodes;
  for (int64_t i = 0; i < count; ++i) {
    const auto& item = items[static_cast<size_t>(i)];
    DecodeSettings d = options.decode;
    if (options.item_lengths) d.gen_length = d.block_length = d.steps = item.gen_length;
    try {
      d.validate();
    } catch (const Error& e) {
      fail("item ", i + 1, " of the set (gen_length ", item.gen_length, "): ", e.what());
    }
    decodes.push_back(d);
  }
  EvalReport report;
  report.model = session.info().name;
  report.items = count;
  std::vector<PlannedRun> runs;
  std::map<UnmaskRule, size_t> baseline_of;  // rule -> its `none` run
  for (const auto& s : options.strategies) {
    const auto rule = rule_for(s.name, options.decode.rule);
    s.validate(rule);
    if (!baseline_of.count(rule)) {
      baseline_of[rule] = runs.size();
      runs.push_back({StrategySettings{}, rule, -1});
    }
  }
  for (const auto& s : options.strategies) {
    const auto rule = rule_for(s.name, options.decode.rule);
    StrategyEval eval;
    eval.strategy = s.name;
    eval.settings = s.resolved();
    eval.unmask = unmask_rule_name(rule);
    report.results.push_back(eval);
    const int result = static_cast<int>(report.results.size() - 1);
    auto& baseline = runs[baseline_of.at(rule)];
    // `none` asked for is its rule's baseline, reported; asked for twice, it runs twice.
    if (s.name == "none" && s.values.empty() && baseline.result < 0) {
      baseline.result = result;
    } else {
      runs.push_back({s, rule, result});
    }
  }

  // One untimed run first: the first forward of a process pays one-off set-up costs that would
  // otherwise land on `none` (run first) and inflate every speedup.
  {
    GenerateRequest warmup;
    warmup.prompt = items[0].question;
    warmup.image_path = items[0].image;
    warmup.decode = decodes[0];
    warmup.decode.rule = runs[0].rule;
    session.generate(warmup);
  }
  std::vector<Totals> totals(report.results.size());
  const int64_t total_runs = count * static_cast<int64_t>(runs.size());
  int64_t done = 0;
  for (int64_t i = 0; i < count; ++i) {
    const auto& item = items[static_cast<size_t>(i)];
    GenerateRequest request;
    request.prompt = item.question;
    request.image_path = item.image;
    request.expected_answer = item.answer;
    request.decode = decodes[static_cast<size_t>(i)];
    std::vector<RunSummary> summaries;
    for (const auto& run : runs) {
      request.decode.rule = run.rule;
      request.strategy = run.settings;
      // Only the summary is kept: a long set's step traces would not fit in memory.
      summaries.push_back(session.generate(request).summary);
      ++done;
      if (options.on_progress && !options.on_progress(done, total_runs, run.settings.name)) {
        throw Cancelled();
      }
    }
    for (size_t r = 0; r < runs.size(); ++r) {
      if (runs[r].result < 0) continue;
      const auto k = static_cast<size_t>(runs[r].result);
      add_run(report.results[k], totals[k], item, i, summaries[r],
              summaries[baseline_of.at(runs[r].rule)]);
    }
  }
  for (size_t k = 0; k < report.results.size(); ++k) {
    finish(report.results[k], totals[k]);
    report.outcomes.insert(report.outcomes.end(), totals[k].outcomes.begin(),
                           totals[k].outcomes.end());
  }
  return report;
}

}  // namespace cachelens

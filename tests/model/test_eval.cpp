// SPDX-License-Identifier: MIT
// evaluate() and `cachelens-cli eval` on a generated tiny model and a small hand-written VQA set:
// every strategy reported with consistent counts, scores that a recount confirms, exact settings
// that agree with `none` item for item, rule fallback, limit and cancellation, and the CLI's
// JSON, table and one-line errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "cachelens/atomic_file.h"
#include "cachelens/dataset.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "cachelens/eval.h"
#include "cli_run.h"
#include "test_model_support.h"

using namespace cachelens;
using testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

Session& tiny() {
  static auto session = Session::load(test::generated_model("tiny"));
  return *session;
}

std::string shapes_png() {
  return (test::source_dir() / "resources/samples/shapes.png").string();
}

// Four items of four families and all four scoring rules. The first item's reference is what
// `none` answers (the model is random), so at least one answer is right and scoring is tested on
// a hit as well as on misses.
const std::vector<VqaItem>& items() {
  static const std::vector<VqaItem> made = [] {
    std::vector<VqaItem> v(4);
    v[0] = {shapes_png(), "What colour is the circle?", "", "colour", "exact", 32, "s0"};
    v[1] = {shapes_png(), "Is there a red square?", "Yes", "exists", "yes-no", 32, "s0"};
    v[2] = {shapes_png(), "How many shapes are there?", "3", "count", "final-number", 32, "s1"};
    v[3] = {shapes_png(),
            "Describe the objects.",
            "a red circle and a blue square",
            "describe",
            "objects",
            32,
            "s1"};
    GenerateRequest r;
    r.prompt = v[0].question;
    r.image_path = v[0].image;
    r.decode.gen_length = r.decode.block_length = r.decode.steps = 32;
    v[0].answer = tiny().generate(r).summary.answer;
    return v;
  }();
  return made;
}

std::vector<StrategySettings> exact_settings_of_all() {
  std::vector<StrategySettings> out;
  for (const auto& info : strategy_catalog()) out.push_back({info.name, info.exact_setting});
  return out;
}

// Every strategy at its exact setting over the whole set, shared by several tests.
const EvalReport& exact_report() {
  static const EvalReport report = [] {
    EvalOptions options;
    options.strategies = exact_settings_of_all();
    return evaluate(tiny(), items(), options);
  }();
  return report;
}

const StrategyEval& result(const EvalReport& report, const std::string& name) {
  for (const auto& r : report.results) {
    if (r.strategy == name) return r;
  }
  throw std::runtime_error("no result for " + name);
}

}  // namespace

TEST(Eval, EveryStrategyIsReportedWithConsistentCounts) {
  const auto& report = exact_report();
  const auto& catalog = strategy_catalog();
  EXPECT_EQ(report.model, "tiny-0--0");
  EXPECT_EQ(report.items, 4);
  ASSERT_EQ(report.results.size(), catalog.size());
  EXPECT_EQ(report.outcomes.size(), 4 * catalog.size());
  for (size_t k = 0; k < catalog.size(); ++k) {
    const auto& r = report.results[k];
    EXPECT_EQ(r.strategy, catalog[k].name);
    EXPECT_EQ(r.items, 4) << r.strategy;
    EXPECT_EQ(r.settings, StrategySettings({r.strategy, catalog[k].exact_setting}).resolved());
    // One family each, sorted by name, adding up to the items.
    ASSERT_EQ(r.families.size(), 4u) << r.strategy;
    int64_t family_items = 0, family_correct = 0;
    for (size_t f = 0; f < r.families.size(); ++f) {
      if (f > 0) {
        EXPECT_LT(r.families[f - 1].family, r.families[f].family);
      }
      family_items += r.families[f].items;
      family_correct += r.families[f].correct;
    }
    EXPECT_EQ(family_items, r.items) << r.strategy;
    EXPECT_EQ(family_correct, r.correct) << r.strategy;
    EXPECT_DOUBLE_EQ(r.accuracy, r.correct / 4.0);
    // One token per step with the items' own lengths.
    EXPECT_EQ(r.steps, 4 * 32) << r.strategy;
    EXPECT_GT(r.wall_ms, 0.0);
    EXPECT_DOUBLE_EQ(r.tokens_per_s, 1000.0 * static_cast<double>(r.answer_tokens) / r.wall_ms);
    EXPECT_DOUBLE_EQ(r.ms_per_step, r.denoise_ms / static_cast<double>(r.steps));
    EXPECT_GE(r.recompute_fraction, 0.0);
    EXPECT_LE(r.recompute_fraction, 1.0);
    EXPECT_GT(r.speedup, 0.0) << r.strategy;
    // Under the default fixed rule only dkv-greedy (defined for random alone) falls back.
    EXPECT_EQ(r.unmask, r.strategy == "dkv-greedy" ? "random" : "fixed");
  }
}

TEST(Eval, CorrectCountsAreARecountOfTheOutcomes) {
  const auto& report = exact_report();
  std::map<std::string, int64_t> recount;
  std::map<std::string, std::map<std::string, int64_t>> by_family;
  for (const auto& o : report.outcomes) {
    ASSERT_GE(o.index, 0);
    ASSERT_LT(o.index, 4);
    const auto& item = items()[static_cast<size_t>(o.index)];
    const bool correct = score_answer(item.scoring, o.response, item.answer);
    EXPECT_EQ(o.correct, correct) << o.strategy << " item " << o.index;
    recount[o.strategy] += correct;
    by_family[o.strategy][item.family] += correct;
  }
  for (const auto& r : report.results) {
    EXPECT_EQ(r.correct, recount[r.strategy]) << r.strategy;
    for (const auto& f : r.families) {
      EXPECT_EQ(f.correct, by_family[r.strategy][f.family]) << r.strategy << " " << f.family;
    }
  }
  // The first item's reference is none's own answer.
  EXPECT_GE(result(report, "none").correct, 1);
  EXPECT_EQ(result(report, "none").families[0].family, "colour");
  EXPECT_EQ(result(report, "none").families[0].correct, 1);
}

TEST(Eval, ExactSettingsAgreeWithNoneItemForItem) {
  const auto& report = exact_report();
  const auto& none = result(report, "none");
  // none against itself.
  EXPECT_EQ(none.speedup, 1.0);
  EXPECT_EQ(none.agreement, 1.0);
  EXPECT_EQ(none.exact_with_none, 1.0);
  EXPECT_DOUBLE_EQ(none.recompute_fraction, 1.0);
  std::map<std::pair<std::string, int64_t>, std::string> responses;
  for (const auto& o : report.outcomes) responses[std::make_pair(o.strategy, o.index)] = o.response;
  for (const auto& r : report.results) {
    EXPECT_EQ(r.agreement, 1.0) << r.strategy;
    EXPECT_EQ(r.exact_with_none, 1.0) << r.strategy;
    if (r.unmask != "fixed") continue;  // dkv-greedy is compared with a `none` run under random
    EXPECT_EQ(r.correct, none.correct) << r.strategy;
    EXPECT_EQ(r.answer_tokens, none.answer_tokens) << r.strategy;
    for (int64_t i = 0; i < 4; ++i) {
      EXPECT_EQ(responses[std::make_pair(r.strategy, i)], responses[std::make_pair("none", i)])
          << r.strategy << " item " << i;
    }
  }
}

TEST(Eval, StrategyOutsideTheRuleRunsWithItsOwnRuleAgainstAHiddenBaseline) {
  EvalOptions options;
  options.strategies = {{"dkv-greedy", {}}};
  options.limit = 2;
  std::vector<std::string> seen;
  int64_t last_total = 0;
  options.on_progress = [&](int64_t done, int64_t total, const std::string& strategy) {
    seen.push_back(strategy);
    last_total = total;
    EXPECT_EQ(done, static_cast<int64_t>(seen.size()));
    return true;
  };
  const auto report = evaluate(tiny(), items(), options);
  ASSERT_EQ(report.results.size(), 1u);  // the `none` baseline is not reported
  const auto& r = report.results[0];
  EXPECT_EQ(r.strategy, "dkv-greedy");
  EXPECT_EQ(r.unmask, "random");
  EXPECT_EQ(r.items, 2);
  EXPECT_GT(r.speedup, 0.0);
  EXPECT_GE(r.agreement, 0.0);
  EXPECT_LE(r.agreement, 1.0);
  EXPECT_GE(r.exact_with_none, 0.0);
  // The baseline runs first for each item, then the strategy; progress after every run.
  EXPECT_EQ(last_total, 4);
  EXPECT_EQ(seen, (std::vector<std::string>{"none", "dkv-greedy", "none", "dkv-greedy"}));
  EXPECT_EQ(report.outcomes.size(), 2u);
}

TEST(Eval, LimitAndFixedLengths) {
  EvalOptions options;
  options.strategies = {{"none", {}}, {"fast-dllm-dual", {}}};
  options.limit = 3;
  options.item_lengths = false;
  options.decode.gen_length = 16;
  options.decode.block_length = 8;
  options.decode.steps = 8;
  const auto report = evaluate(tiny(), items(), options);
  EXPECT_EQ(report.items, 3);
  ASSERT_EQ(report.results.size(), 2u);
  for (const auto& r : report.results) {
    EXPECT_EQ(r.items, 3);
    EXPECT_EQ(r.steps, 3 * 8) << r.strategy;
  }
  EXPECT_EQ(report.outcomes.size(), 6u);
  for (const auto& o : report.outcomes) EXPECT_LT(o.index, 3);
  // A limit past the end is the whole set.
  options.limit = 100;
  options.strategies = {{"none", {}}};
  EXPECT_EQ(evaluate(tiny(), items(), options).items, 4);
}

TEST(Eval, ProgressCanCancel) {
  EvalOptions options;
  options.strategies = {{"none", {}}, {"fast-dllm-prefix", {}}};
  int calls = 0;
  options.on_progress = [&](int64_t, int64_t, const std::string&) { return ++calls < 3; };
  EXPECT_THROW(evaluate(tiny(), items(), options), Cancelled);
  EXPECT_EQ(calls, 3);
}

TEST(Eval, BadSettingsFailBeforeAnyRun) {
  int calls = 0;
  EvalOptions options;
  options.on_progress = [&](int64_t, int64_t, const std::string&) { return ++calls > 0; };
  options.strategies = {{"none", {}}, {"fast-dllm-dual", {{"refresh_interval", "-1"}}}};
  test::expect_error([&] { evaluate(tiny(), items(), options); },
                     {"fast-dllm-dual", "refresh_interval"});
  options.strategies = {{"none", {}}, {"elastic", {{"no_such_key", "1"}}}};
  test::expect_error([&] { evaluate(tiny(), items(), options); }, {"elastic", "no_such_key"});
  options.strategies = {{"none", {}}};
  test::expect_error([&] { evaluate(tiny(), {}, options); }, {"no items"});
  auto bad = items();
  bad[2].gen_length = 0;
  test::expect_error([&] { evaluate(tiny(), bad, options); }, {"item 3", "gen_length"});
  EXPECT_EQ(calls, 0);
}

TEST(Eval, TableAndJsonShowEverything) {
  auto report = exact_report();
  report.set = "mini.jsonl";
  const auto table = eval_report_table(report);
  EXPECT_THAT(table, HasSubstr("tiny-0--0"));
  EXPECT_THAT(table, HasSubstr("mini.jsonl"));
  EXPECT_THAT(table, HasSubstr("4 items"));
  for (const auto& info : strategy_catalog()) EXPECT_THAT(table, HasSubstr(info.name));
  for (const auto* family : {"colour (1)", "count (1)", "describe (1)", "exists (1)"}) {
    EXPECT_THAT(table, HasSubstr(family));
  }
  EXPECT_THAT(table, HasSubstr("1.00x"));  // none against itself

  const auto json = nlohmann::json::parse(eval_report_json(report));
  EXPECT_EQ(json["model"], "tiny-0--0");
  EXPECT_EQ(json["set"], "mini.jsonl");
  EXPECT_EQ(json["items"], 4);
  ASSERT_EQ(json["results"].size(), report.results.size());
  for (size_t k = 0; k < report.results.size(); ++k) {
    const auto& row = json["results"][k];
    const auto& r = report.results[k];
    EXPECT_EQ(row["strategy"], r.strategy);
    EXPECT_EQ(row["correct"], r.correct);
    EXPECT_EQ(row["families"].size(), r.families.size());
    const auto settings = row["settings"].get<std::map<std::string, std::string>>();
    EXPECT_EQ(settings, r.settings);
    for (const char* key : {"unmask", "items", "accuracy", "answer_tokens", "steps", "nfe",
                            "wall_ms", "denoise_ms", "tokens_per_s", "ms_per_step",
                            "recompute_fraction", "speedup", "agreement", "exact_with_none"}) {
      EXPECT_TRUE(row.contains(key)) << key;
    }
  }
  ASSERT_EQ(json["outcomes"].size(), report.outcomes.size());
  EXPECT_EQ(json["outcomes"][0]["response"], report.outcomes[0].response);
}

// ---- the CLI ----

namespace {

using test::cli;
using test::expect_clean_error;
using test::Run;

// A set file the way make-dataset writes one: image paths relative to the JSONL's folder.
class EvalCli : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    fs::create_directories(dir_->path() / "images");
    fs::copy_file(shapes_png(), dir_->path() / "images/shapes.png");
    auto v = items();
    for (auto& item : v) item.image = "images/shapes.png";
    save_vqa_jsonl(v, set());
  }
  static void TearDownTestSuite() { delete dir_; }
  static fs::path set() { return dir_->path() / "mini.jsonl"; }
  static std::string base() {
    return "eval --model " + test::generated_model("tiny").string() + " --set " + set().string();
  }
  static inline test::TempDir* dir_ = nullptr;
};

}  // namespace

TEST_F(EvalCli, JsonHasTheFieldsAndOutputIsTheSameDocument) {
  const auto out = dir_->path() / "report.json";
  const auto r = cli(base() + " --strategies none,fast-dllm-dual,dkv-greedy --limit 3 --json" +
                     " --param fast-dllm-dual.refresh_interval=1 --output " + out.string());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto json = nlohmann::json::parse(r.output);
  EXPECT_EQ(json["set"], "mini.jsonl");
  EXPECT_EQ(json["items"], 3);
  ASSERT_EQ(json["results"].size(), 3u);
  EXPECT_EQ(json["results"][0]["strategy"], "none");
  EXPECT_EQ(json["results"][0]["speedup"], 1.0);
  EXPECT_EQ(json["results"][1]["settings"]["refresh_interval"], "1");
  EXPECT_EQ(json["results"][1]["exact_with_none"], 1.0);
  EXPECT_EQ(json["results"][2]["unmask"], "random");
  for (const auto& row : json["results"]) {
    EXPECT_EQ(row["items"], 3);
    int64_t sum = 0;
    for (const auto& f : row["families"]) sum += f["items"].get<int64_t>();
    EXPECT_EQ(sum, 3);
  }
  EXPECT_EQ(json["outcomes"].size(), 9u);
  // The image paths were relative to the set's folder, and the first item is answered right.
  EXPECT_EQ(json["results"][0]["families"][0]["family"], "colour");
  EXPECT_EQ(json["results"][0]["families"][0]["correct"], 1);
  EXPECT_EQ(nlohmann::json::parse(read_text_file(out)), json);
}

TEST_F(EvalCli, TableNamesEveryStrategyAndFamily) {
  const auto r = cli(base() + " --strategies all --limit 4");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("mini.jsonl"));
  EXPECT_THAT(r.output, HasSubstr("4 items"));
  for (const auto& info : strategy_catalog()) EXPECT_THAT(r.output, HasSubstr(info.name));
  for (const auto* family : {"colour", "count", "describe", "exists"}) {
    EXPECT_THAT(r.output, HasSubstr(family));
  }
}

// The image-ablation control: each item is answered about the next picture of the set, exactly
// as a direct run with that picture answers it.
TEST_F(EvalCli, SwappedImagesAnswerAboutTheNextPicture) {
  fs::copy_file(test::source_dir() / "resources/samples/night.jpg",
                dir_->path() / "images/night.jpg", fs::copy_options::overwrite_existing);
  auto v = items();
  v[0].image = "images/shapes.png";
  v[1].image = "images/night.jpg";
  v.resize(2);
  const auto two = dir_->path() / "two.jsonl";
  save_vqa_jsonl(v, two);
  const auto r = cli("eval --model " + test::generated_model("tiny").string() + " --set " +
                     two.string() + " --strategies none --swap-images --json");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto json = nlohmann::json::parse(r.output);
  EXPECT_EQ(json["set"], "two.jsonl (images swapped)");
  ASSERT_EQ(json["outcomes"].size(), 2u);
  const std::string images[] = {(test::source_dir() / "resources/samples/night.jpg").string(),
                                shapes_png()};
  for (size_t i = 0; i < 2; ++i) {
    GenerateRequest request;
    request.prompt = v[i].question;
    request.image_path = images[i];
    request.decode.gen_length = request.decode.block_length = request.decode.steps = 32;
    EXPECT_EQ(json["outcomes"][i]["response"], tiny().generate(request).summary.answer) << i;
  }
}

TEST_F(EvalCli, BadInputIsOneLineNamingIt) {
  expect_clean_error(cli(base() + " --strategies none,no-such-cache"), "no-such-cache");
  expect_clean_error(cli("eval --model " + test::generated_model("tiny").string() +
                         " --set /nonexistent/eval.jsonl"),
                     "/nonexistent/eval.jsonl");
  expect_clean_error(cli(base() + " --strategies fast-dllm-dual --param refresh_interval=-1"),
                     "refresh_interval");
  expect_clean_error(cli(base() + " --strategies none --param window=4"), "--param window");
  expect_clean_error(cli(base() + " --steps 8"), "--gen-length");
  expect_clean_error(cli(base() + " --limit -1"), "--limit");
  expect_clean_error(cli(base() + " --swap-images"), "at least two different images");
}

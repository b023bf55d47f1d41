// SPDX-License-Identifier: MIT
// Training: the schedule and batch order, the trained tokenizer, one step lowering the loss on a
// fixed batch, and checkpoints that load back (through the real loader) to identical logits and
// resume to an identical next step.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cachelens/atomic_file.h"
#include "cachelens/dataset.h"
#include "cachelens/engine.h"
#include "cachelens/tokenizer.h"
#include "cachelens/train.h"
#include "test_support.h"
#include "train/train_internal.h"

namespace cachelens {
namespace {

using test::TempDir;

// A small generated set, made once for the whole binary.
const std::filesystem::path& tiny_set() {
  static TempDir dir;
  static bool made = false;
  if (!made) {
    DatasetOptions options;
    options.out = dir.path();
    options.seed = 3;
    options.train_scenes = 12;
    options.val_scenes = 3;
    options.test_scenes = 3;
    options.image_side = 64;
    make_dataset(options);
    made = true;
  }
  return dir.path();
}

TrainOptions tiny_options(const std::filesystem::path& out) {
  TrainOptions o;
  o.train_set = tiny_set() / "train.jsonl";
  o.out = out;
  o.size = "tiny";
  o.steps = 20;
  o.batch_size = 4;
  o.learning_rate = 1e-3;
  o.warmup_steps = 0;
  o.extra_padding_prob = 0.0;
  o.tokenizer_merges = 120;
  o.seed = 5;
  o.threads = 1;  // bit-for-bit steps, for the resume comparison
  return o;
}

std::vector<VqaItem> first_items(size_t n) {
  auto items = load_vqa_jsonl(tiny_set() / "train.jsonl");
  items.resize(std::min(n, items.size()));
  return items;
}

// The first n items that each ask about another picture.
std::vector<VqaItem> items_with_distinct_pictures(size_t n) {
  std::vector<VqaItem> out;
  for (const auto& item : load_vqa_jsonl(tiny_set() / "train.jsonl")) {
    if (out.size() < n && (out.empty() || out.back().image != item.image)) out.push_back(item);
  }
  return out;
}

TEST(TrainSchedule, WarmupThenCosineToTheFloor) {
  // Warm-up: (step + 1) / warmup of the peak.
  EXPECT_DOUBLE_EQ(train::learning_rate_at(0, 100, 10, 1e-3, 1e-4), 1e-4);
  EXPECT_DOUBLE_EQ(train::learning_rate_at(9, 100, 10, 1e-3, 1e-4), 1e-3);
  // Cosine: the peak at the end of warm-up, the midpoint halfway, the floor at the end.
  EXPECT_DOUBLE_EQ(train::learning_rate_at(10, 100, 10, 1e-3, 1e-4), 1e-3);
  EXPECT_NEAR(train::learning_rate_at(55, 100, 10, 1e-3, 1e-4), 5.5e-4, 1e-12);
  EXPECT_NEAR(train::learning_rate_at(100, 100, 10, 1e-3, 1e-4), 1e-4, 1e-12);
}

TEST(TrainSchedule, EveryEpochIsAPermutationAndTheOrderIsReproducible) {
  const int64_t items = 10, batch = 3;
  std::vector<int64_t> seen;
  for (int64_t step = 0; step < 10; ++step) {
    for (int64_t b = 0; b < batch; ++b) seen.push_back(train::item_for(step, b, batch, items, 7));
  }
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    std::set<int64_t> one(seen.begin() + epoch * items, seen.begin() + (epoch + 1) * items);
    EXPECT_EQ(one.size(), static_cast<size_t>(items)) << "epoch " << epoch;
  }
  EXPECT_NE(std::vector<int64_t>(seen.begin(), seen.begin() + items),
            std::vector<int64_t>(seen.begin() + items, seen.begin() + 2 * items));
  // Random access (a resumed run) gives the same items as the walk.
  EXPECT_EQ(train::item_for(7, 2, batch, items, 7), seen[7 * batch + 2]);
  EXPECT_EQ(train::item_for(0, 0, batch, items, 7), seen[0]);
}

TEST(TrainSchedule, AnswersArePaddedWithTheStopToken) {
  EXPECT_EQ(train::padded_answer({5, 6}, 9, 5, "x"), (std::vector<int32_t>{5, 6, 9, 9, 9}));
  test::expect_error(
      [] {
        train::padded_answer({1, 2, 3}, 9, 3, "item 'q'");
      },
      {"item 'q'", "3 tokens", "gen_length 3"});
}

TEST(TrainSchedule, FamilyRepeatsStandEachItemOfAFamilyInPlaceThatManyTimes) {
  // Questions "a".."d" of families colour, shape, colour, exists.
  std::vector<VqaItem> items(4);
  const char* const families[] = {"colour", "shape", "colour", "exists"};
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].family = families[i];
    items[i].question = std::string(1, static_cast<char>('a' + i));
  }
  std::vector<std::string> questions;
  for (const auto& v : train::repeat_families(items, {{"colour", 2}, {"exists", 3}}))
    questions.push_back(v.question);
  EXPECT_EQ(questions, (std::vector<std::string>{"a", "a", "b", "c", "c", "d", "d", "d"}));
  EXPECT_EQ(train::repeat_families(items, {}).size(), items.size());
  test::expect_error(
      [&] {
        train::repeat_families(items, {{"colours", 2}});
      },
      {"'colours'", "not a question family", "colour, "});
  test::expect_error(
      [&] {
        train::repeat_families(items, {{"shape", 0}});
      },
      {"'shape'", "0", "1 to 100"});
  test::expect_error(
      [&] {
        train::repeat_families(items, {{"count", 101}});
      },
      {"'count'", "101", "1 to 100"});
}

TEST(Train, TheTrainedTokenizerRoundTripsTheCorpusAndHasTheRealSpecialTokens) {
  TempDir out;
  Trainer trainer(tiny_options(out.path()));
  const auto tokenizer = Tokenizer::from_file(out / "tokenizer.json");
  EXPECT_EQ(trainer.config().text.vocab_size, tokenizer.size());
  for (const char* special : {"<|mdm_mask|>", "<|eot_id|>", "<|endoftext|>", "<|startoftext|>",
                              "<|start_header_id|>", "<|end_header_id|>"}) {
    EXPECT_TRUE(tokenizer.find_id(special)) << special;
  }
  size_t total_chars = 0, total_tokens = 0;
  for (const auto& item : load_vqa_jsonl(tiny_set() / "train.jsonl")) {
    for (const auto* text : {&item.question, &item.answer}) {
      const auto ids = tokenizer.encode(*text, false);
      EXPECT_EQ(tokenizer.decode(ids), *text);
      total_chars += text->size();
      total_tokens += ids.size();
    }
  }
  // The merges compress the corpus's own words (bytes alone would be one token per char).
  EXPECT_LT(total_tokens * 2, total_chars);
}

TEST(Train, OneStepLowersTheLossOnAFixedBatch) {
  TempDir out;
  Trainer trainer(tiny_options(out.path()));
  const auto batch = first_items(4);
  const double before = trainer.loss_on(batch, 11);
  EXPECT_TRUE(std::isfinite(before));
  const double during = trainer.train_step(batch, 11);
  EXPECT_NEAR(during, before, 1e-4 * before);  // the step's loss is the loss before the update
  const double after = trainer.loss_on(batch, 11);
  EXPECT_LT(after, before);
  EXPECT_EQ(trainer.step(), 1);
}

// Both masking forms estimate the same loss (the LLaDA bound); the count form (at most L times one
// token's loss) varies far less from one mask draw to the next than the ratio form (up to 1000).
TEST(Train, CountAndRatioMaskingEstimateTheSameLossWithLessVarianceForCount) {
  const auto batch = first_items(8);
  struct Moments {
    double mean, variance;
  };
  const auto moments = [&](const std::string& masking) {
    TempDir out;
    auto options = tiny_options(out.path());
    options.masking = masking;
    Trainer trainer(options);
    double sum = 0.0, sum_sq = 0.0;
    const int draws = 64;
    for (int s = 0; s < draws; ++s) {
      const double loss = trainer.loss_on(batch, 100 + s);
      sum += loss;
      sum_sq += loss * loss;
    }
    const double mean = sum / draws;
    return Moments{mean, sum_sq / draws - mean * mean};
  };
  const auto count = moments("count"), ratio = moments("ratio");
  EXPECT_NEAR(count.mean, ratio.mean, 0.03 * ratio.mean);
  EXPECT_LT(count.variance, 0.5 * ratio.variance);

  TempDir out;
  auto bad = tiny_options(out.path());
  bad.masking = "sometimes";
  test::expect_error([&] { Trainer trainer(bad); },
                     {"unknown masking 'sometimes'", "count, ratio"});
}

// Packing several sequences into one forward (an attention mask keeps them apart) is the same
// maths as one forward per sequence: the same loss, and the same update.
TEST(Train, APackedStepEqualsOneForwardPerSample) {
  TempDir a_dir, b_dir;
  auto a_options = tiny_options(a_dir.path());
  auto b_options = tiny_options(b_dir.path());
  a_options.pack = 1;
  b_options.pack = 4;
  a_options.threads = b_options.threads = 1;
  Trainer a(a_options), b(b_options);
  const auto batch = first_items(4);
  const double loss_a = a.train_step(batch, 5);
  const double loss_b = b.train_step(batch, 5);
  EXPECT_NEAR(loss_b, loss_a, 1e-5 * loss_a);
  const double after_a = a.loss_on(batch, 6);
  const double after_b = b.loss_on(batch, 6);
  EXPECT_NEAR(after_b, after_a, 1e-4 * after_a);
  EXPECT_NE(after_a, loss_a);  // the step changed the weights
}

TEST(Train, ACheckpointLoadsBackToIdenticalLogitsAndResumesToTheSameNextStep) {
  TempDir out;
  const auto batch = first_items(4);
  Trainer first(tiny_options(out.path()));
  first.train_step(batch, 1);
  first.train_step(batch, 2);
  first.save();
  const auto item = batch.front();
  const auto logits = first.answer_logits(item);

  Trainer resumed(tiny_options(out.path()));  // resume is on by default
  EXPECT_EQ(resumed.step(), 2);
  EXPECT_TRUE(torch::equal(resumed.answer_logits(item), logits));

  // The optimizer's moments came back too: the next step is the same in both.
  EXPECT_EQ(first.train_step(batch, 3), resumed.train_step(batch, 3));
  EXPECT_TRUE(torch::equal(resumed.answer_logits(item), first.answer_logits(item)));

  // The folder is a normal LLaDA-V checkpoint: the inference loader opens it and answers.
  auto session = Session::load(out.path());
  EXPECT_EQ(session->info().config.text.num_layers, 2);
  GenerateRequest request;
  request.prompt = item.question;
  request.image_path = item.image;
  request.decode.gen_length = request.decode.block_length = request.decode.steps = 32;
  const auto trace = session->generate(request);
  EXPECT_GT(trace.summary.steps, 0);
}

// The picture part (docs/benchmarks.md): high for a fresh model's rows of different pictures,
// zero for two files holding the same picture, and refused for a single picture.
TEST(Train, ImageRowStatsTellPicturesApartAndAreZeroForTheSamePictureTwice) {
  TempDir out;
  Trainer trainer(tiny_options(out.path()));
  const auto distinct = items_with_distinct_pictures(6);
  ASSERT_EQ(distinct.size(), 6u);
  const auto fresh = trainer.image_row_stats(distinct);
  EXPECT_EQ(fresh.images, 6);
  EXPECT_GT(fresh.picture_part, 0.3);  // random weights keep most of what differs
  EXPECT_LT(fresh.picture_part, 1.0);  // unit-RMS rows minus their mean
  EXPECT_GT(fresh.rms, 0.0);

  auto copy = distinct[0];
  copy.image = (out / "same-picture.png").string();
  std::filesystem::copy_file(distinct[0].image, copy.image);
  const auto same = trainer.image_row_stats({distinct[0], copy});
  EXPECT_EQ(same.images, 2);
  EXPECT_LT(same.picture_part, 1e-6);  // float32 maths on the two copies, batched

  // One picture (however many items ask about it) has nothing to be compared with.
  EXPECT_EQ(trainer.image_row_stats({distinct[0], distinct[0]}).images, 0);
}

// Validation measures accuracy and the picture part together, and the training state keeps both.
TEST(Train, ValidationReportsThePicturePartAndTheStateKeepsIt) {
  TempDir out;
  auto options = tiny_options(out.path());
  options.val_set = tiny_set() / "val.jsonl";
  options.steps = 2;
  options.validate_every = 0;
  options.validate_items = 4;
  int64_t validations = 0;
  ImageRowStats seen;
  const auto report = Trainer(options).run([&](const TrainProgress& p) {
    if (p.event == "validate") {
      ++validations;
      seen = p.image_stats;
    }
    return true;
  });
  EXPECT_EQ(validations, 1);
  EXPECT_GE(report.val_accuracy, 0.0);
  EXPECT_GE(seen.images, 2);
  EXPECT_GT(seen.picture_part, 0.3);
  EXPECT_DOUBLE_EQ(report.image_stats.picture_part, seen.picture_part);
  const auto state = read_text_file(out / "training_state" / "state.json");
  EXPECT_NE(state.find("\"picture_part\""), std::string::npos) << state;
  // A resumed trainer reports the saved value before its next validation.
  options.steps = 3;
  options.validate_every = 0;
  options.val_set.clear();
  ImageRowStats resumed;
  Trainer(options).run([&](const TrainProgress& p) {
    resumed = p.image_stats;
    return true;
  });
  EXPECT_DOUBLE_EQ(resumed.picture_part, seen.picture_part);
}

// --vision-lr-scale 0 freezes the image side: its rows stay exactly as they were while the
// language side still learns; at scale 1 the same step moves them.
TEST(Train, AVisionLearningRateScaleOfZeroFreezesTheImageSide) {
  const auto items = items_with_distinct_pictures(4);
  const auto rows_after_one_step = [&](double scale, double* loss_drop) {
    TempDir out;
    auto options = tiny_options(out.path());
    options.vision_lr_scale = scale;
    Trainer trainer(options);
    const auto before = trainer.image_row_stats(items);
    const double loss = trainer.loss_on(items, 3);
    trainer.train_step(items, 3);
    *loss_drop = loss - trainer.loss_on(items, 3);
    const auto after = trainer.image_row_stats(items);
    return std::make_pair(before, after);
  };
  double drop = 0.0;
  const auto [frozen_before, frozen_after] = rows_after_one_step(0.0, &drop);
  ASSERT_GE(frozen_before.images, 2);
  EXPECT_EQ(frozen_after.rms, frozen_before.rms);
  EXPECT_EQ(frozen_after.picture_part, frozen_before.picture_part);
  EXPECT_GT(drop, 0.0);  // the language side learned
  const auto [moving_before, moving_after] = rows_after_one_step(1.0, &drop);
  EXPECT_NE(moving_after.rms, moving_before.rms);

  TempDir out;
  auto bad = tiny_options(out.path());
  bad.vision_lr_scale = -1.0;
  test::expect_error([&] { Trainer t(bad); }, {"vision learning-rate scale", "-1"});
}

// The grounding stage's targets on a hand-built scene, cell by cell (7 x 7 grid, cells of 1/7).
TEST(Grounding, TargetsNameWhatEachCellHolds) {
  const auto object = [](const std::string& colour, const std::string& shape, bool large, double x,
                         double y) {
    SceneObject o;
    o.colour = colour;
    o.shape = shape;
    o.size = large ? "large" : "small";
    o.radius = large ? 0.15 : 0.09;
    o.x = x;
    o.y = y;
    return o;
  };
  Scene scene;
  scene.background = "black";
  scene.objects = {object("red", "circle", true, 0.2, 0.2),
                   object("blue", "square", false, 0.8, 0.8),
                   object("red", "square", true, 0.5, 0.5),
                   object("yellow", "circle", false, 0.5, 0.5)};  // on top of the red square
  const auto& heads = train::grounding_heads();
  std::vector<std::string> names;
  for (const auto& h : heads) names.push_back(h.name);
  ASSERT_EQ(names, (std::vector<std::string>{"colour", "shape", "size", "row", "column", "x", "y",
                                             "centre", "background"}));
  const auto t = train::grounding_targets(scene, 7);
  ASSERT_EQ(t.sizes(), (std::vector<int64_t>{49, 9}));
  const auto cell = [&](int64_t r, int64_t c) {
    const auto row = t[r * 7 + c];
    return std::vector<int64_t>(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + 9);
  };
  // colours: red 1, blue 3, yellow 4; shapes: circle 1, square 2; black is background 5.
  // The large red circle's centre cell (1, 1): top left region (1, 1), x and y in ninth 1.
  EXPECT_EQ(cell(1, 1), (std::vector<int64_t>{1, 1, 2, 1, 1, 2, 2, 1, 5}));
  // The small blue square's centre cell (5, 5): bottom right, ninth 7.
  EXPECT_EQ(cell(5, 5), (std::vector<int64_t>{3, 2, 1, 3, 3, 8, 8, 1, 5}));
  // Two centres in the middle cell; the yellow circle drawn last covers it.
  EXPECT_EQ(cell(3, 3), (std::vector<int64_t>{4, 1, 1, 2, 2, 5, 5, 1, 5}));
  // Next to it, the red square shows around the circle.
  EXPECT_EQ(cell(3, 2), (std::vector<int64_t>{1, 2, 2, 2, 2, 5, 5, 0, 5}));
  // An empty corner: nothing but the background.
  EXPECT_EQ(cell(0, 6), (std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0, 0, 5}));
  EXPECT_EQ(t.select(1, 7).sum().item<int64_t>(), 3);  // 3 cells hold the 4 centres
  test::expect_error([&] { train::grounding_targets(scene, 0); }, {"grid", "got 0"});
}

// The grounding stage trains the image side before the first step, once: its loss falls, the
// image rows change, every head reports a held-out accuracy, and a resumed run does not repeat it.
TEST(Train, TheGroundingStageRunsOnceBeforeTheFirstStep) {
  TempDir out;
  auto options = tiny_options(out.path());
  options.ground_scenes = tiny_set() / "train-scenes.jsonl";
  options.ground_steps = 25;
  options.ground_batch = 4;
  options.steps = 1;
  const auto items = items_with_distinct_pictures(4);
  std::vector<std::string> events;
  std::vector<double> ground_losses;
  ImageRowStats before, after;
  TrainReport report;
  // One worker (tiny_options) leaves the intra-op count as the caller set it; the grounding stage
  // sets its own and must put this one back.
  const int intra_op_threads = at::get_num_threads();
  at::set_num_threads(intra_op_threads + 1);
  {
    Trainer trainer(options);
    before = trainer.image_row_stats(items);
    report = trainer.run([&](const TrainProgress& p) {
      if (events.empty() || events.back() != p.event) events.push_back(p.event);
      if (p.event == "ground") ground_losses.push_back(p.loss);
      return true;
    });
    after = trainer.image_row_stats(items);
  }
  EXPECT_EQ(events, (std::vector<std::string>{"ground", "ground-done", "step", "save"}));
  EXPECT_EQ(at::get_num_threads(), intra_op_threads + 1);
  at::set_num_threads(intra_op_threads);
  ASSERT_EQ(ground_losses.size(), 25u);
  EXPECT_LT(ground_losses.back(), ground_losses.front());  // the running mean falls
  EXPECT_NE(after.rms, before.rms);
  ASSERT_EQ(report.ground_accuracy.size(), train::grounding_heads().size());
  for (const auto& [head, accuracy] : report.ground_accuracy) {
    EXPECT_GE(accuracy, 0.0) << head;
    EXPECT_LE(accuracy, 1.0) << head;
  }
  const auto state = read_text_file(out / "training_state" / "state.json");
  EXPECT_NE(state.find("\"grounded_steps\": 25"), std::string::npos) << state;

  options.steps = 2;
  events.clear();
  Trainer(options).run([&](const TrainProgress& p) {
    events.push_back(p.event);
    return true;
  });
  EXPECT_EQ(std::count(events.begin(), events.end(), "ground"), 0);

  TempDir other;
  auto bad = tiny_options(other.path());
  bad.ground_steps = 5;
  test::expect_error([&] { Trainer(bad).run(); }, {"train-scenes.jsonl"});
  bad.ground_steps = -1;
  test::expect_error([&] { Trainer t(bad); }, {"ground_steps", "-1"});
}

// A curriculum stage trained on part of the data learns its tokenizer from the set named by
// tokenizer_set: the same tokenizer as a model started on that whole set.
TEST(Train, ATokenizerSetGivesEveryStageTheFullSetsTokenizer) {
  TempDir out;
  // The first scene's items only: a corpus without most of the set's words. Kept beside the
  // set, since relative image paths resolve against the set's folder.
  const auto subset = tiny_set() / "first-scene.jsonl";
  {
    std::ofstream f(subset);
    std::ifstream all(tiny_set() / "train.jsonl");
    std::string line;
    for (int i = 0; i < 4 && std::getline(all, line); ++i) f << line << "\n";
  }
  const auto tokenizer_of = [&](const std::string& name, const std::filesystem::path& train,
                                const std::filesystem::path& tokenizer_set) {
    auto options = tiny_options(out / name);
    options.train_set = train;
    options.tokenizer_set = tokenizer_set;
    Trainer trainer(options);
    return read_text_file(out / name / "tokenizer.json");
  };
  const auto full = tokenizer_of("full", tiny_set() / "train.jsonl", {});
  EXPECT_NE(tokenizer_of("subset", subset, {}), full);
  EXPECT_EQ(tokenizer_of("staged", subset, tiny_set() / "train.jsonl"), full);
}

// Oversampling by family is the set with those lines written out again in place: the same
// batches, so the same weights (the embedded model's third stage was measured that way). The
// state records it, and a bad family is refused before anything is written.
TEST(Train, FamilyRepeatsTrainExactlyAsTheSetWithThoseLinesRepeated) {
  TempDir out;
  // The short-answer items (the tiny tokenizer's merges do not fit every long answer in its
  // gen_length), once as they are and once with every colour line written twice.
  const auto plain = tiny_set() / "short.jsonl";
  const auto repeated = tiny_set() / "short-colour-twice.jsonl";
  {
    std::ofstream once(plain), twice(repeated);
    std::ifstream all(tiny_set() / "train.jsonl");
    std::string line;
    while (std::getline(all, line)) {
      const auto family = nlohmann::json::parse(line)["family"].get<std::string>();
      if (family == "reasoning" || family == "describe") continue;
      once << line << "\n";
      for (int k = 0; k < (family == "colour" ? 2 : 1); ++k) twice << line << "\n";
    }
  }
  const auto logits_after_steps = [&](const std::string& name, const std::filesystem::path& train,
                                      std::map<std::string, int64_t> repeats) {
    auto options = tiny_options(out / name);
    options.train_set = train;
    options.tokenizer_set = tiny_set() / "train.jsonl";
    options.family_repeats = std::move(repeats);
    options.steps = 6;
    Trainer trainer(options);
    trainer.run();
    return trainer.answer_logits(load_vqa_jsonl(plain).front());
  };
  const auto by_option = logits_after_steps("option", plain, {{"colour", 2}});
  EXPECT_TRUE(torch::equal(by_option, logits_after_steps("file", repeated, {})));
  EXPECT_FALSE(torch::equal(by_option, logits_after_steps("plain", plain, {})));
  const auto state = read_text_file(out / "option" / "training_state" / "state.json");
  EXPECT_NE(state.find("\"colour\": 2"), std::string::npos) << state;

  auto bad = tiny_options(out / "bad");
  bad.family_repeats = {{"colours", 2}};
  test::expect_error([&] { Trainer t(bad); }, {"'colours'", "not a question family"});
  EXPECT_FALSE(std::filesystem::exists(out / "bad" / "config.json"));
}

// A curriculum stage ends mid-schedule with stop_at; the next run resumes there on the same
// cosine and lands on the weights of one uninterrupted run.
TEST(Train, StopAtEndsAStageMidScheduleAndTheResumedRunMatchesAnUninterruptedOne) {
  TempDir staged, straight;
  auto options = tiny_options(staged.path());
  options.steps = 4;
  options.stop_at = 2;
  options.val_set = tiny_set() / "val.jsonl";
  options.validate_every = 0;
  options.validate_items = 2;
  int64_t last_step = 0, validations = 0;
  const auto first = Trainer(options).run([&](const TrainProgress& p) {
    last_step = p.step;
    EXPECT_EQ(p.total_steps, 4);
    if (p.event == "validate") ++validations;
    return true;
  });
  EXPECT_FALSE(first.stopped);
  EXPECT_EQ(first.steps_done, 2);
  EXPECT_EQ(last_step, 2);
  EXPECT_EQ(validations, 1);  // the stage's end validates like the end of a run
  options.stop_at = 0;
  Trainer resumed(options);
  EXPECT_EQ(resumed.step(), 2);
  EXPECT_EQ(resumed.run().steps_done, 2);

  auto whole = tiny_options(straight.path());
  whole.steps = 4;
  Trainer uninterrupted(whole);
  uninterrupted.run();
  const auto item = first_items(1).front();
  EXPECT_TRUE(torch::equal(resumed.answer_logits(item), uninterrupted.answer_logits(item)));

  options.stop_at = 5;
  test::expect_error([&] { Trainer t(options); }, {"stop_at", "5"});
}

// --init starts from a trained folder with a fresh optimizer; --add-layers grows it by identity
// layers, so the grown model's logits are the trained one's until a step moves them.
TEST(Train, AGrownCheckpointGivesTheSameLogitsAndTrainsOn) {
  TempDir base, same, grown;
  const auto batch = first_items(4);
  const auto item = batch.front();
  torch::Tensor logits;
  {
    Trainer trainer(tiny_options(base.path()));
    trainer.train_step(batch, 1);
    trainer.train_step(batch, 2);
    trainer.save();
    logits = trainer.answer_logits(item);
  }
  auto init = tiny_options(same.path());
  init.init_from = base.path();
  init.size = "embedded";  // unused: the checkpoint's config wins
  Trainer copy(init);
  EXPECT_EQ(copy.step(), 0);
  EXPECT_EQ(copy.config().text.num_layers, 2);
  EXPECT_TRUE(torch::equal(copy.answer_logits(item), logits));

  auto grow = tiny_options(grown.path());
  grow.init_from = base.path();
  grow.add_layers = 3;
  Trainer trainer(grow);
  EXPECT_EQ(trainer.step(), 0);
  EXPECT_EQ(trainer.config().text.num_layers, 5);
  EXPECT_TRUE(torch::allclose(trainer.answer_logits(item), logits, 0.0, 1e-6));
  const double before = trainer.loss_on(batch, 11);
  trainer.train_step(batch, 11);
  EXPECT_LT(trainer.loss_on(batch, 11), before);
  EXPECT_FALSE(torch::allclose(trainer.answer_logits(item), logits, 0.0, 1e-6));
  trainer.save();

  // The grown folder is a 5-layer checkpoint the inference loader opens, and a run resumes it.
  EXPECT_EQ(Session::load(grown.path())->info().config.text.num_layers, 5);
  EXPECT_EQ(Trainer(grow).step(), 1);

  auto bad = tiny_options(grown / "other");
  bad.add_layers = 2;
  test::expect_error([&] { Trainer t(bad); }, {"adding layers", "init_from"});
  bad.init_from = base.path();
  bad.add_layers = train::kMaxAddedLayers + 1;
  test::expect_error([&] { Trainer t(bad); }, {"layers to add", "65"});
  bad.add_layers = 1;
  bad.init_from = grown / "missing";
  test::expect_error([&] { Trainer t(bad); }, {"missing"});
}

TEST(Train, NoResumeStartsAfreshAndBadOptionsAreRefused) {
  TempDir out;
  {
    Trainer trainer(tiny_options(out.path()));
    trainer.train_step(first_items(2), 1);
    trainer.save();
  }
  auto fresh = tiny_options(out.path());
  fresh.resume = false;
  EXPECT_EQ(Trainer(fresh).step(), 0);

  auto bad = tiny_options(out / "other");
  bad.size = "huge";
  test::expect_error([&] { Trainer t(bad); }, {"unknown model size 'huge'", "embedded, tiny"});
  bad = tiny_options(out / "other2");
  bad.batch_size = 0;
  test::expect_error([&] { Trainer t(bad); }, {"batch size"});
}

}  // namespace
}  // namespace cachelens

// SPDX-License-Identifier: MIT
// Training: the schedule and batch order, the trained tokenizer, one step lowering the loss on a
// fixed batch, and checkpoints that load back (through the real loader) to identical logits and
// resume to an identical next step.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

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

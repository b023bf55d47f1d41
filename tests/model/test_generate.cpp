// SPDX-License-Identifier: MIT
// End to end on generated tiny models: image + text in, tokens out, deterministic, every
// unmasking rule, the step events, cancellation and the errors a user can cause.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "cachelens/device.h"
#include "cachelens/engine.h"
#include "cachelens/error.h"
#include "cachelens/tokenizer.h"
#include "test_model_support.h"

using namespace cachelens;
using testing::HasSubstr;

namespace {

std::unique_ptr<Session> tiny_session(bool text_only = false) {
  return Session::load(test::generated_model("tiny", 0, text_only));
}

GenerateRequest image_request(const std::string& image, int64_t gen = 16, int64_t block = 8,
                              int64_t steps = 8) {
  GenerateRequest r;
  r.prompt = "What colour is the circle?";
  r.image_path = test::source_dir() / "resources/samples" / image;
  r.decode.gen_length = gen;
  r.decode.block_length = block;
  r.decode.steps = steps;
  return r;
}

}  // namespace

TEST(Generate, PngAndJpegRunEndToEndAndAreDeterministic) {
  auto session = tiny_session();
  for (const char* image : {"shapes.png", "night.jpg"}) {
    const auto a = session->generate(image_request(image));
    const auto b = session->generate(image_request(image));
    EXPECT_EQ(a.summary.token_ids, b.summary.token_ids) << image;
    EXPECT_EQ(a.summary.answer, b.summary.answer);
    EXPECT_GT(a.input.image_tokens, 16);  // base crop + grid rows
    EXPECT_EQ(a.input.image_tokens,
              session->image_tokens_for(image == std::string("shapes.png") ? 320 : 400,
                                        image == std::string("shapes.png") ? 240 : 300));
    EXPECT_GT(a.input.prompt_length, a.input.image_tokens);
    EXPECT_LE(a.summary.token_ids.size(), 16u);
    EXPECT_EQ(a.summary.steps, 8);  // 2 blocks x 4 steps, fixed schedule, unless an early stop
    EXPECT_EQ(a.summary.nfe, a.summary.steps);
  }
  // A fresh session over the same folder answers the same.
  auto again = tiny_session();
  EXPECT_EQ(again->generate(image_request("shapes.png")).summary.token_ids,
            session->generate(image_request("shapes.png")).summary.token_ids);
}

TEST(Generate, TheImageReachesTheLanguageTower) {
  auto session = tiny_session();
  const auto first_step = [&](const char* image) {
    std::vector<double> confidences;
    session->generate(image_request(image), [&](const StepEvent& e) {
      if (e.step == 0) confidences = e.decoded_confidences;
    });
    return confidences;
  };
  // Same prompt, same image-row count (both 4:3), different pixels: different first-step beliefs.
  EXPECT_NE(first_step("shapes.png"), first_step("night.jpg"));
}

TEST(Generate, FixedRuleUnmasksTheScheduledCountEachStep) {
  auto session = tiny_session();
  auto request = image_request("shapes.png", 12, 12, 5);  // 12 tokens in 5 steps: 3,3,2,2,2
  std::vector<StepEvent> events;
  request.prompt = "Describe the picture.";
  const auto result = session->generate(request, [&](const StepEvent& e) { events.push_back(e); });
  ASSERT_FALSE(events.empty());
  const std::vector<size_t> schedule = {3, 3, 2, 2, 2};
  std::set<int64_t> decoded;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].step, static_cast<int64_t>(i));
    EXPECT_LE(events[i].decoded_positions.size(), schedule[i]);
    for (auto p : events[i].decoded_positions)
      EXPECT_TRUE(decoded.insert(p).second) << "decoded twice";
    // Confidences are probabilities, most confident first.
    for (size_t k = 0; k < events[i].decoded_confidences.size(); ++k) {
      EXPECT_GT(events[i].decoded_confidences[k], 0.0);
      EXPECT_LE(events[i].decoded_confidences[k], 1.0);
      if (k) EXPECT_GE(events[i].decoded_confidences[k - 1], events[i].decoded_confidences[k]);
    }
    EXPECT_EQ(events[i].cells.layers(), 2);
    EXPECT_EQ(events[i].recomputed_cells, events[i].total_cells);  // full recompute
  }
  if (!result.summary.stopped_at_eot) {
    EXPECT_EQ(events.size(), schedule.size());
    for (size_t i = 0; i < events.size(); ++i)
      EXPECT_EQ(events[i].decoded_positions.size(), schedule[i]);
  }
}

TEST(Generate, EveryUnmaskRuleTerminatesWithinItsBound) {
  auto session = tiny_session();
  for (auto rule :
       {UnmaskRule::Fixed, UnmaskRule::Threshold, UnmaskRule::Factor, UnmaskRule::Random}) {
    auto request = image_request("shapes.png", 16, 8, 4);
    request.decode.rule = rule;
    request.decode.threshold = 0.5;
    int64_t events = 0;
    const auto result = session->generate(request, [&](const StepEvent& e) {
      ++events;
      EXPECT_GE(e.decoded_positions.size(), 1u) << unmask_rule_name(rule);
    });
    EXPECT_EQ(events, result.summary.steps);
    EXPECT_LE(result.summary.steps, 16) << unmask_rule_name(rule);  // at least one token per step
    if (rule == UnmaskRule::Fixed || rule == UnmaskRule::Random) EXPECT_LE(result.summary.steps, 8);
  }
}

TEST(Generate, TemperatureSamplingIsSeeded) {
  auto session = tiny_session();
  auto request = image_request("shapes.png", 16, 16, 16);
  request.decode.temperature = 1.0;
  request.decode.seed = 5;
  const auto a = session->generate(request);
  const auto b = session->generate(request);
  EXPECT_EQ(a.summary.token_ids, b.summary.token_ids);
  bool differs = false;
  for (uint64_t seed = 6; seed < 10 && !differs; ++seed) {
    request.decode.seed = seed;
    differs = session->generate(request).summary.token_ids != a.summary.token_ids;
  }
  EXPECT_TRUE(differs) << "four other seeds all gave the same sample";
}

TEST(Generate, AnswerStopsAtTheFirstEotAndNeverHoldsBannedTokens) {
  auto session = tiny_session();
  const auto& tok = session->tokenizer();
  const std::set<int32_t> banned = {
      tok.id_of("<|endoftext|>"),       tok.id_of("<|startoftext|>"),
      tok.id_of("<|start_header_id|>"), tok.id_of("<|end_header_id|>"),
      tok.id_of("<|mdm_mask|>"),        tok.id_of("<|eot_id|>")};
  for (uint64_t seed = 0; seed < 3; ++seed) {
    auto request = image_request("shapes.png", 32, 32, 32);
    request.decode.temperature = 2.0;  // wide sampling so the stop token appears sometimes
    request.decode.seed = seed;
    std::vector<int32_t> last;
    const auto result =
        session->generate(request, [&](const StepEvent& e) { last = e.answer_ids; });
    for (int32_t id : result.summary.token_ids) EXPECT_EQ(banned.count(id), 0u) << id;
    if (result.summary.stopped_at_eot) {
      const auto eot = std::find(last.begin(), last.end(), tok.id_of("<|eot_id|>"));
      ASSERT_NE(eot, last.end());
      EXPECT_EQ(result.summary.token_ids, std::vector<int32_t>(last.begin(), eot));
    } else {
      EXPECT_EQ(result.summary.token_ids.size(), 32u);
    }
  }
}

TEST(Generate, TextOnlyPromptsUseTheLanguageTowerAlone) {
  auto session = tiny_session(/*text_only=*/true);
  GenerateRequest request;
  request.prompt = "Count to three.";
  request.decode.gen_length = request.decode.block_length = request.decode.steps = 8;
  const auto result = session->generate(request);
  EXPECT_EQ(result.input.image_tokens, 0);
  EXPECT_EQ(result.summary.steps, 8);
  request.image_path = test::source_dir() / "resources/samples/shapes.png";
  EXPECT_THAT(test::error_message([&] { session->generate(request); }),
              HasSubstr("no vision tower"));
}

TEST(Generate, StopRequestCancelsWithinTheRun) {
  auto session = tiny_session();
  int polls = 0;
  EXPECT_THROW(session->generate(image_request("shapes.png"), {}, [&] { return ++polls > 3; }),
               Cancelled);
  // The session stays usable.
  EXPECT_NO_THROW(session->generate(image_request("shapes.png")));
}

TEST(Generate, LoadReportsProgressAndCanBeCancelled) {
  std::vector<double> fractions;
  LoadOptions options;
  options.on_progress = [&](double f, const std::string&) {
    fractions.push_back(f);
    return true;
  };
  Session::load(test::generated_model("tiny"), options);
  ASSERT_GE(fractions.size(), 3u);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
  options.on_progress = [](double f, const std::string&) { return f < 0.5; };
  EXPECT_THROW(Session::load(test::generated_model("tiny"), options), Cancelled);
}

TEST(Generate, UserErrorsAreClear) {
  auto session = tiny_session();
  auto request = image_request("shapes.png");
  request.prompt = "   ";
  EXPECT_THAT(test::error_message([&] { session->generate(request); }),
              HasSubstr("prompt is empty"));
  request = image_request("missing.png");
  EXPECT_THAT(test::error_message([&] { session->generate(request); }), HasSubstr("missing.png"));
  request = image_request("shapes.png", 20, 8, 8);
  EXPECT_THAT(test::error_message([&] { session->generate(request); }), HasSubstr("not divisible"));
  LoadOptions cuda;
  cuda.device = "cuda";
  if (!cachelens::cuda_available()) {
    EXPECT_THAT(test::error_message([&] { Session::load(test::generated_model("tiny"), cuda); }),
                HasSubstr("CUDA"));
  }
}

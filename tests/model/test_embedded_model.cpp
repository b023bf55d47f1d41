// SPDX-License-Identifier: MIT
// The embedded model in resources/models: a real LLaDA-V folder within the size budget, the
// default of the command line, and it answers fixed items of the shipped test set correctly.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cachelens/dataset.h"
#include "cachelens/engine.h"
#include "cachelens/resources.h"
#include "cachelens/tokenizer.h"
#include "cli_run.h"
#include "test_support.h"

namespace cachelens {
namespace {

namespace fs = std::filesystem;

fs::path shipped_set() {
  return test::source_dir() / "resources" / "eval" / "shapes-test.jsonl";
}

TEST(EmbeddedModel, IsASmallLladaVCheckpointFolder) {
  const auto dir = embedded_model_dir();
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  uintmax_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(dir)) bytes += entry.file_size();
  EXPECT_LE(bytes, 40u << 20);
  auto session = Session::load(dir);
  const auto& info = session->info();
  EXPECT_EQ(info.name, kEmbeddedModelName);
  EXPECT_EQ(info.config.model_type, "llava_llada");
  EXPECT_TRUE(info.has_vision);
  for (const char* special : {"<|mdm_mask|>", "<|eot_id|>", "<|start_header_id|>"}) {
    EXPECT_TRUE(session->tokenizer().find_id(special)) << special;
  }
}

TEST(EmbeddedModel, AnswersFixedTestItemsCorrectly) {
  const auto items = load_vqa_jsonl(shipped_set());
  ASSERT_EQ(items.size(), 500u);
  auto session = Session::load(embedded_model_dir());
  // The known-good items: a regression in the model code, the tokenizer, the image path or the
  // decoder breaks them.
  ASSERT_FALSE(embedded_model_known_good_items().empty());
  for (size_t index : embedded_model_known_good_items()) {
    const auto& item = items.at(index);
    GenerateRequest request;
    request.prompt = item.question;
    request.image_path = item.image;
    request.decode.gen_length = request.decode.block_length = request.decode.steps =
        item.gen_length;
    const auto trace = session->generate(request);
    EXPECT_TRUE(score_answer(item.scoring, trace.summary.answer, item.answer))
        << "item " << index << " (" << item.family << "): " << item.question << "\n  expected "
        << item.answer << "\n  got      " << trace.summary.answer;
  }
}

TEST(EmbeddedModel, IsTheCommandLineDefault) {
  const auto image = test::source_dir() / "resources" / "samples" / "shapes.png";
  std::string output;
  const int status =
      test::run_command(test::cli_path().string() + " generate --image '" + image.string() +
                            "' --prompt 'How many shapes are there?' "
                            "--gen-length 32 --block-length 32 --steps 32 --json",
                        &output);
  ASSERT_EQ(status, 0) << output;
  const auto json = test::json_in(output);
  EXPECT_EQ(json["model"], kEmbeddedModelName);
}

}  // namespace
}  // namespace cachelens

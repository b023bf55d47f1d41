// SPDX-License-Identifier: MIT
// cachelens-cli make-dataset: the synthetic visual question answering set (scenes of coloured
// shapes) the embedded model is trained and evaluated on.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "args.h"
#include "cachelens/dataset.h"
#include "cachelens/error.h"
#include "commands.h"
#include "progress.h"

namespace cachelens::cli {
namespace {

const char* const kHelp =
    "usage: cachelens-cli make-dataset --out DIR [options]\n"
    "\n"
    "Writes DIR/images/<split>/*.png and DIR/{train,val,test}.jsonl (one question a line: image,\n"
    "question, answer, family, scoring, gen_length, scene). The same seed gives the same files.\n"
    "\n"
    "  --out DIR                  folder to write\n"
    "  --seed N                   random seed (default 0)\n"
    "  --train-scenes N           scenes in the train split (default 20000)\n"
    "  --val-scenes N             scenes in the val split (default 200)\n"
    "  --test-scenes N            scenes in the test split (default 500)\n"
    "  --questions-per-scene N    questions sampled a scene, families kept balanced\n"
    "                             (default 0: every question a scene gives)\n"
    "  --image-side N             image width and height in pixels (default 192)\n"
    "  --relation-answer FORM     yes-first (\"No, the A is below the B.\"), conclude\n"
    "                             (\"The A is below the B, so the answer is no.\") or\n"
    "                             ordered (\"The B is above the A, so the answer is\n"
    "                             yes.\" when asked \"Is the A below the B?\": the pair in\n"
    "                             the order \"above\" or \"to the left of\" asks about\n"
    "                             it); default yes-first\n"
    "  --relation-before-share P  share of relation questions asked with \"above\" or\n"
    "                             \"to the left of\" rather than \"below\" or \"to the right\n"
    "                             of\" (default 0.5; more gives the yes/no a cue from the\n"
    "                             picture alone, for a curriculum's first stage)\n"
    "  --reasoning-answer FORM    listed (\"I can see 2 red shapes: a circle and a\n"
    "                             square.\") or counts (\"I can see 2 red shapes.\", \"I\n"
    "                             can see 0 red shapes.\": the step-by-step answer's\n"
    "                             length no longer depends on the counts); default listed\n"
    "\n"
    "Subsets for a training curriculum (the same seed and counts give exactly the full set's\n"
    "items that pass, in its order, with its scene ids and pictures):\n"
    "  --max-objects N            only scenes of at most N objects (default 0: any)\n"
    "  --families LIST            only these question families, comma-separated, from\n"
    "                             colour, shape, count, exists, position, relation,\n"
    "                             describe, reasoning (default: all)\n";

int64_t non_negative(const Args& args, const std::string& name, int64_t fallback) {
  const int64_t value = args.get_int(name, fallback);
  if (value < 0) fail("option --", name, " expects a non-negative integer, got ", value);
  return value;
}

}  // namespace

int cmd_make_dataset(int argc, char** argv, int first) {
  const Args args(argc, argv, first,
                  {"out", "seed", "train-scenes", "val-scenes", "test-scenes",
                   "questions-per-scene", "image-side", "relation-answer", "relation-before-share",
                   "reasoning-answer", "max-objects", "families"},
                  {"help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  DatasetOptions options;
  options.out = args.required("out");
  options.seed = static_cast<uint64_t>(non_negative(args, "seed", 0));
  options.train_scenes = non_negative(args, "train-scenes", options.train_scenes);
  options.val_scenes = non_negative(args, "val-scenes", options.val_scenes);
  options.test_scenes = non_negative(args, "test-scenes", options.test_scenes);
  options.questions_per_scene =
      non_negative(args, "questions-per-scene", options.questions_per_scene);
  options.image_side = int(non_negative(args, "image-side", options.image_side));
  options.max_objects = non_negative(args, "max-objects", options.max_objects);
  options.style.relation_answer = parse_relation_answer(
      args.get("relation-answer", relation_answer_name(options.style.relation_answer)));
  options.style.relation_before_share =
      args.get_double("relation-before-share", options.style.relation_before_share);
  options.style.reasoning_answer = parse_reasoning_answer(
      args.get("reasoning-answer", reasoning_answer_name(options.style.reasoning_answer)));
  // Its range is checked where it is used (questions_for_scene), for every caller.
  if (args.has("families")) {
    std::stringstream list(args.get("families", ""));
    for (std::string family; std::getline(list, family, ',');) {
      if (!family.empty()) options.families.push_back(family);
    }
    if (options.families.empty()) fail("option --families expects a comma-separated list");
  }
  ProgressLine progress("making dataset");
  options.on_progress = [&](double fraction) {
    progress.update(fraction);
    return true;
  };
  const auto start = std::chrono::steady_clock::now();
  make_dataset(options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The summary reads the files back, so it reports what is on disk.
  std::set<std::string> images;
  for (const char* split : {"train", "val", "test"}) {
    const auto items = load_vqa_jsonl(options.out / (std::string(split) + ".jsonl"));
    std::map<std::string, int64_t> per_family;
    for (const VqaItem& item : items) {
      ++per_family[item.family];
      images.insert(item.image);
    }
    std::string families;
    for (const std::string& family : vqa_families()) {
      families += " " + family + "=" + std::to_string(per_family[family]);
    }
    std::printf("%-5s %7zu items:%s\n", split, items.size(), families.c_str());
  }
  std::printf("wrote %zu scenes (%dx%d px) to %s in %.1f s\n", images.size(), options.image_side,
              options.image_side, options.out.string().c_str(), seconds);
  return 0;
}

}  // namespace cachelens::cli

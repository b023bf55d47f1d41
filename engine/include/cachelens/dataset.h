// SPDX-License-Identifier: MIT
// The synthetic visual question answering set the embedded model is trained and evaluated on
// (DESIGN.md, "The embedded default"): scenes of coloured shapes, rendered deterministically from
// a seed, with question families whose answers are right by construction, and the scoring rule
// each answer is judged by.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cachelens/image.h"

namespace cachelens {

// One object of a scene. Coordinates are fractions of the image side (0 = left/top, 1 =
// right/bottom); `radius` is half the object's extent, also a fraction of the side.
struct SceneObject {
  std::string shape;   // circle | square | triangle | cross
  std::string colour;  // red | green | blue | yellow | purple | orange
  std::string size;    // small | large
  double x = 0.5, y = 0.5, radius = 0.1;
};

struct Scene {
  std::string id;                    // unique within a dataset ("train-000123")
  std::string background;            // a named background (white, grey, cream, ...)
  std::vector<SceneObject> objects;  // in drawing order (later ones are drawn on top)
};

// The closed vocabularies the generator draws from (and the scorers recognise).
const std::vector<std::string>& scene_shapes();
const std::vector<std::string>& scene_colours();
const std::vector<std::string>& scene_backgrounds();  // "white", "light grey", "cream", ...

// The RGB of a named object colour or background; throws Error naming an unknown one.
std::array<uint8_t, 3> scene_rgb(const std::string& name);

// What makes two scenes the same picture: the background and the objects (order-free) with their
// positions rounded to 0.01 of the side. Splits share no key.
std::string scene_content_key(const Scene& scene);

// Renders the scene at side x side pixels, anti-aliased, objects in order.
Image render_scene(const Scene& scene, int side);

// Whether the point (x, y), in fractions of the image side, lies inside the object (the
// rasteriser's own test, so it agrees with the picture).
bool scene_object_covers(const SceneObject& object, double x, double y);

// A scene with the picture make_dataset wrote for it: the ground truth behind every question about
// that picture, which training's image-side grounding stage learns from.
struct SceneRecord {
  Scene scene;
  std::string image;  // PNG path, relative to the JSONL file's folder (absolute once loaded)
};
// make_dataset writes them to <split>-scenes.jsonl, one scene a line; errors name the file, the
// line and the field.
void save_scenes_jsonl(const std::vector<SceneRecord>& scenes, const std::filesystem::path& file);
std::vector<SceneRecord> load_scenes_jsonl(const std::filesystem::path& file);

// One question about one scene.
struct VqaItem {
  std::string image;     // PNG path, relative to the JSONL file's folder
  std::string question;  // the user text (no <image> tag)
  std::string answer;    // the reference answer, exactly as the model is trained to say it
  // colour | shape | count | exists | position | relation | describe | reasoning
  std::string family;
  std::string scoring;      // exact | yes-no | final-number | objects
  int64_t gen_length = 32;  // answer positions to decode for it (like lmms-eval's max_new_tokens)
  std::string scene;        // the scene id, so splits can be checked for overlap
};

// The families in a fixed order, and the scoring rules items may name.
const std::vector<std::string>& vqa_families();
const std::vector<std::string>& vqa_scoring_rules();

// How relation answers are worded. kYesFirst (DATA to DATA3's): "No, the A is below the B.".
// kConclude states the relation first and concludes from it: "The A is below the B, so the answer
// is no.", so that the yes or no can follow a sentence already decoded (the yes-no rule reads
// either form). kOrdered names the pair in the order the "before" word ("above", "to the left of")
// asks about it, with its true word: "Is the A below the B?" -> "The B is above the A, so the
// answer is yes.", so that the yes/no follows the stated word alone, never the question's word
// (docs/benchmarks.md, "The pair named in the order the question's word asks").
enum class RelationAnswer { kYesFirst, kConclude, kOrdered };
const char* relation_answer_name(RelationAnswer form);  // "yes-first" | "conclude" | "ordered"
RelationAnswer parse_relation_answer(const std::string& name);  // throws naming the choices

// How reasoning answers state their counts. kListed (DATA to D14's): "I can see 2 red shapes: a
// circle and a square." / "I can see no red shapes.", so in training a masked count can be read
// off its visible list, and the answer's length depends on the counts; kCounts: "I can see 2 red
// shapes." / "I can see 0 red shapes.", the count read from the picture alone and the length the
// same whatever the counts (docs/benchmarks.md, "stage 15").
enum class ReasoningAnswer { kListed, kCounts };
const char* reasoning_answer_name(ReasoningAnswer form);          // "listed" | "counts"
ReasoningAnswer parse_reasoning_answer(const std::string& name);  // throws naming the choices

// How questions are asked and answered. Each related pair gives one true and one false relation
// question; each is asked with the "before" word ("above", "to the left of") or the "after" word
// ("below", "to the right of"), the "before" word with probability `relation_before_share`. At
// the default 0.5 the word says nothing about the yes/no, which is then the exclusive or of the
// word and the picture; a larger share gives training a first-order cue (the yes/no correlates
// with the picture alone), a curriculum's first stage (docs/benchmarks.md, "c tries").
struct QuestionStyle {
  RelationAnswer relation_answer = RelationAnswer::kYesFirst;
  double relation_before_share = 0.5;  // in [0, 1]
  ReasoningAnswer reasoning_answer = ReasoningAnswer::kListed;
};

// The questions a scene gives rise to, every family that applies (deterministic in `seed`). The
// answer forms change only the answers' wording, never which questions are asked; a
// relation_before_share other than 0.5 changes which relation questions are asked (and, as it
// draws differently, the later families' random picks).
std::vector<VqaItem> questions_for_scene(const Scene& scene, uint64_t seed,
                                         const QuestionStyle& style = {});

struct DatasetOptions {
  // folder: images/<split>/*.png, train.jsonl, val.jsonl, test.jsonl and <split>-scenes.jsonl (the
  // scenes that got a picture)
  std::filesystem::path out;
  uint64_t seed = 0;
  int64_t train_scenes = 20000;
  int64_t val_scenes = 200;
  int64_t test_scenes = 500;
  int64_t questions_per_scene = 0;  // 0 = every question the scene gives; else that many, sampled
                                    // so that families stay balanced
  int image_side = 192;
  QuestionStyle style;
  // Subsets for a training curriculum: only scenes of at most `max_objects` objects (0 = any) and
  // only questions of `families` (empty = all). Scenes are drawn and questions sampled exactly as
  // without them, so the result is the unfiltered set's items that pass, in the same order, with
  // the same ids and pictures; a scene left without questions writes no image.
  int64_t max_objects = 0;
  std::vector<std::string> families;
  // Progress in [0, 1]; false cancels (throws Cancelled; finished files stay, JSONL is written
  // atomically at the end of each split).
  std::function<bool(double)> on_progress;
};
void make_dataset(const DatasetOptions& options);

// The scenes make_dataset draws for each split (ids "train-000000", ...), without rendering or
// writing anything: each split has its own random stream, and no two scenes share a
// scene_content_key (test claims its keys first, then val, then train, so the evaluation scenes
// do not change with the train size).
struct DatasetScenes {
  std::vector<Scene> train, val, test;
};
DatasetScenes draw_dataset_scenes(const DatasetOptions& options);

// Reads a JSONL file; errors name the file, the line and the field. Image paths are made
// absolute against the file's folder.
std::vector<VqaItem> load_vqa_jsonl(const std::filesystem::path& file);
// Writes items one JSON object a line (image paths as given), atomically.
void save_vqa_jsonl(const std::vector<VqaItem>& items, const std::filesystem::path& file);

// The image-ablation control: every item gets the image of the next distinct image in the set
// (first-appearance order, the last wrapping to the first), so no item keeps its own picture and
// every item of one picture moves to the same other one. Accuracy on the result, against the
// original, says how much of it the model owes to looking at the image. Throws for a set with
// fewer than two distinct images.
std::vector<VqaItem> with_images_swapped(const std::vector<VqaItem>& items);

// Judges a model's response against the item's reference answer by the item's scoring rule:
//   exact         normalised text (lower case, punctuation and spaces collapsed) is equal
//   yes-no        the first word of both is the same yes/no
//   final-number  the number in the last "The answer is N" (else the last number) is equal
//   objects       the multiset of "<colour> <shape>" mentions is equal (order-free)
bool score_answer(const std::string& scoring, const std::string& response,
                  const std::string& reference);

}  // namespace cachelens

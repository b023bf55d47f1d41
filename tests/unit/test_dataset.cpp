// SPDX-License-Identifier: MIT
// The synthetic shapes VQA set: rendering, random scenes, every question family's exact answers
// on hand-built scenes, the dataset files (determinism, split separation), the JSONL reader's
// errors and the four scoring rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cachelens/atomic_file.h"
#include "cachelens/dataset.h"
#include "cachelens/error.h"
#include "cachelens/image.h"
#include "dataset/scene_internal.h"
#include "io/string_suffix.h"
#include "test_support.h"

namespace cachelens {
namespace {

namespace fs = std::filesystem;

SceneObject object(const std::string& colour, const std::string& shape, const std::string& size,
                   double x, double y) {
  SceneObject o;
  o.colour = colour;
  o.shape = shape;
  o.size = size;
  o.radius = size == "large" ? dataset::kLargeRadius : dataset::kSmallRadius;
  o.x = x;
  o.y = y;
  return o;
}

// A large red circle at the top left, a small red triangle in the centre, a small blue square at
// the bottom right.
Scene three_objects() {
  Scene scene;
  scene.id = "hand-000000";
  scene.background = "white";
  scene.objects = {object("red", "circle", "large", 0.2, 0.2),
                   object("red", "triangle", "small", 0.5, 0.5),
                   object("blue", "square", "small", 0.8, 0.8)};
  return scene;
}

// A red circle at the top left and a blue square at the bottom right: apart on both axes.
Scene two_objects_apart() {
  Scene scene;
  scene.id = "hand-000001";
  scene.background = "cream";
  scene.objects = {object("red", "circle", "large", 0.2, 0.2),
                   object("blue", "square", "small", 0.8, 0.8)};
  return scene;
}

// Every relation question two_objects_apart() can be asked, with its answer (the yes-first form).
std::map<std::string, std::string> two_objects_apart_relations() {
  return {
      {"Is the red circle to the left of the blue square?",
       "Yes, the red circle is to the left of the blue square."},
      {"Is the blue square to the right of the red circle?",
       "Yes, the blue square is to the right of the red circle."},
      {"Is the red circle to the right of the blue square?",
       "No, the red circle is to the left of the blue square."},
      {"Is the blue square to the left of the red circle?",
       "No, the blue square is to the right of the red circle."},
      {"Is the red circle above the blue square?", "Yes, the red circle is above the blue square."},
      {"Is the blue square below the red circle?", "Yes, the blue square is below the red circle."},
      {"Is the red circle below the blue square?", "No, the red circle is above the blue square."},
      {"Is the blue square above the red circle?", "No, the blue square is below the red circle."},
  };
}

// The answer to `question` among `items`; fails the test when it is asked not exactly once.
std::string answer_to(const std::vector<VqaItem>& items, const std::string& question) {
  std::vector<std::string> found;
  for (const VqaItem& item : items) {
    if (item.question == question) found.push_back(item.answer);
  }
  EXPECT_EQ(found.size(), 1u) << question;
  return found.empty() ? "<not asked>" : found[0];
}

std::vector<VqaItem> of_family(const std::vector<VqaItem>& items, const std::string& family) {
  std::vector<VqaItem> out;
  for (const VqaItem& item : items) {
    if (item.family == family) out.push_back(item);
  }
  return out;
}

size_t word_count(const std::string& text) {
  std::istringstream in(text);
  size_t n = 0;
  for (std::string w; in >> w;) ++n;
  return n;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

std::string file_bytes(const fs::path& file) {
  return read_text_file(file);
}

// Relative path -> bytes of every file under `root`.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file())
      out[fs::relative(entry.path(), root).generic_string()] = file_bytes(entry.path());
  }
  return out;
}

std::array<uint8_t, 3> pixel(const Image& image, double fx, double fy) {
  const int x = int(fx * image.width), y = int(fy * image.height);
  return {image.at(x, y, 0), image.at(x, y, 1), image.at(x, y, 2)};
}

// ---- rendering --------------------------------------------------------------------------------

TEST(SceneRender, ObjectCentresHaveTheirColourAndCornersTheBackground) {
  const Scene scene = three_objects();
  const Image image = render_scene(scene, 56);
  ASSERT_EQ(image.width, 56);
  ASSERT_EQ(image.height, 56);
  ASSERT_EQ(image.rgb.size(), 56u * 56 * 3);
  for (const SceneObject& o : scene.objects) {
    EXPECT_EQ(pixel(image, o.x, o.y), scene_rgb(o.colour)) << o.colour << " " << o.shape;
  }
  EXPECT_EQ(pixel(image, 0, 0), scene_rgb("white"));
  EXPECT_EQ(pixel(image, 0.99, 0.01), scene_rgb("white"));
}

TEST(SceneRender, EveryShapeAndColourOnEveryBackground) {
  for (const std::string& background : scene_backgrounds()) {
    for (const std::string& shape : scene_shapes()) {
      for (const std::string& colour : scene_colours()) {
        Scene scene;
        scene.background = background;
        scene.objects = {object(colour, shape, "small", 0.5, 0.5)};
        const Image image = render_scene(scene, 56);
        EXPECT_EQ(pixel(image, 0.5, 0.5), scene_rgb(colour)) << shape;
        EXPECT_EQ(pixel(image, 0.02, 0.98), scene_rgb(background));
      }
    }
  }
}

size_t painted(const Image& image, const std::array<uint8_t, 3>& background) {
  size_t n = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (image.at(x, y, 0) != background[0] || image.at(x, y, 1) != background[1] ||
          image.at(x, y, 2) != background[2])
        ++n;
    }
  }
  return n;
}

TEST(SceneRender, SmallObjectsCoverFewerPixelsAndEdgesAreAntiAliased) {
  for (const std::string& shape : scene_shapes()) {
    Scene small, large;
    small.background = large.background = "black";
    small.objects = {object("yellow", shape, "small", 0.5, 0.5)};
    large.objects = {object("yellow", shape, "large", 0.5, 0.5)};
    const Image a = render_scene(small, 56), b = render_scene(large, 56);
    EXPECT_GT(painted(a, scene_rgb("black")), 10u) << shape;
    EXPECT_LT(painted(a, scene_rgb("black")) * 2, painted(b, scene_rgb("black"))) << shape;
  }
  // Some pixel on a circle's edge is a blend, neither the object's colour nor the background.
  Scene scene;
  scene.background = "black";
  scene.objects = {object("yellow", "circle", "large", 0.5, 0.5)};
  const Image image = render_scene(scene, 56);
  bool blended = false;
  for (size_t i = 0; i < image.rgb.size(); i += 3) {
    if (image.rgb[i] != 0 && image.rgb[i] != scene_rgb("yellow")[0]) blended = true;
  }
  EXPECT_TRUE(blended);
}

TEST(SceneRender, LaterObjectsAreDrawnOnTop) {
  Scene scene;
  scene.background = "white";
  scene.objects = {object("red", "square", "large", 0.5, 0.5),
                   object("green", "circle", "small", 0.5, 0.5)};
  EXPECT_EQ(pixel(render_scene(scene, 56), 0.5, 0.5), scene_rgb("green"));
  std::swap(scene.objects[0], scene.objects[1]);
  EXPECT_EQ(pixel(render_scene(scene, 56), 0.5, 0.5), scene_rgb("red"));
}

TEST(SceneRender, UnknownNamesAreErrors) {
  Scene scene = three_objects();
  scene.background = "magenta";
  test::expect_error([&] { render_scene(scene, 56); }, {"magenta"});
  scene = three_objects();
  scene.objects[1].shape = "star";
  test::expect_error([&] { render_scene(scene, 56); }, {"star"});
}

TEST(SceneRender, SavedPngDecodesToTheSamePixels) {
  test::TempDir dir;
  const Image image = render_scene(three_objects(), 40);
  save_png(image, dir / "sub" / "scene.png");
  const Image back = load_image(dir / "sub" / "scene.png");
  EXPECT_EQ(back.width, 40);
  EXPECT_EQ(back.height, 40);
  EXPECT_EQ(back.rgb, image.rgb);
  Image broken = image;
  broken.rgb.pop_back();
  test::expect_error([&] { save_png(broken, dir / "broken.png"); }, {"broken.png"});
}

// ---- random scenes ----------------------------------------------------------------------------

TEST(RandomScene, ObeysTheLayoutRules) {
  dataset::Rng rng(7);
  std::set<size_t> counts;
  std::set<std::string> sizes;
  bool repeated_colour = false, repeated_shape = false;
  for (int i = 0; i < 500; ++i) {
    const Scene scene = dataset::random_scene(rng, "s");
    const auto& objects = scene.objects;
    ASSERT_GE(objects.size(), 1u);
    ASSERT_LE(objects.size(), 5u);
    counts.insert(objects.size());
    std::set<std::string> kinds, colours, shapes;
    for (const SceneObject& o : objects) {
      sizes.insert(o.size);
      EXPECT_TRUE(kinds.insert(o.colour + " " + o.shape).second) << "pair repeated";
      repeated_colour |= !colours.insert(o.colour).second;
      repeated_shape |= !shapes.insert(o.shape).second;
      for (double v : {o.x, o.y}) {
        EXPECT_GE(std::abs(v - 1.0 / 3.0), 0.05 - 1e-9);
        EXPECT_GE(std::abs(v - 2.0 / 3.0), 0.05 - 1e-9);
        EXPECT_GE(v - o.radius, 0.0);
        EXPECT_LE(v + o.radius, 1.0);
      }
    }
    for (size_t a = 0; a < objects.size(); ++a) {
      for (size_t b = a + 1; b < objects.size(); ++b) {
        const double d = std::hypot(objects[a].x - objects[b].x, objects[a].y - objects[b].y);
        EXPECT_GE(d, 0.8 * (objects[a].radius + objects[b].radius) - 1e-9);
      }
    }
  }
  EXPECT_EQ(counts.size(), 5u);
  EXPECT_EQ(sizes.size(), 2u);
  EXPECT_TRUE(repeated_colour);
  EXPECT_TRUE(repeated_shape);
}

TEST(RandomScene, UniformHelpersStayInRange) {
  dataset::Rng rng(1);
  std::vector<int> seen(3, 0);
  for (int i = 0; i < 3000; ++i) {
    const double u = dataset::uniform01(rng);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ++seen.at(size_t(dataset::uniform_int(rng, 3)));
  }
  for (int n : seen) EXPECT_GT(n, 800);
}

// ---- questions --------------------------------------------------------------------------------

TEST(Questions, ExactAnswersOnAHandBuiltScene) {
  const auto items = questions_for_scene(three_objects(), 3);
  // colour: one question a shape that occurs once.
  EXPECT_EQ(answer_to(items, "What colour is the circle?"), "The circle is red.");
  EXPECT_EQ(answer_to(items, "What colour is the triangle?"), "The triangle is red.");
  EXPECT_EQ(answer_to(items, "What colour is the square?"), "The square is blue.");
  EXPECT_EQ(of_family(items, "colour").size(), 3u);
  // shape: only for a colour that occurs once ("the red object" would be ambiguous).
  EXPECT_EQ(answer_to(items, "What shape is the blue object?"), "The blue object is a square.");
  EXPECT_EQ(of_family(items, "shape").size(), 1u);
  // count
  EXPECT_EQ(answer_to(items, "How many shapes are there?"), "There are 3 shapes.");
  EXPECT_EQ(answer_to(items, "How many red shapes are there?"), "There are 2 red shapes.");
  EXPECT_EQ(answer_to(items, "How many blue shapes are there?"), "There is 1 blue shape.");
  EXPECT_EQ(answer_to(items, "How many circles are there?"), "There is 1 circle.");
  EXPECT_EQ(answer_to(items, "How many squares are there?"), "There is 1 square.");
  size_t none = 0;
  for (const VqaItem& item : of_family(items, "count")) {
    if (item.answer == "There are no crosses.") ++none;
    for (const char* colour : {"green", "yellow", "purple", "orange"}) {
      if (item.answer == "There are no " + std::string(colour) + " shapes.") ++none;
    }
  }
  EXPECT_EQ(none, 2u);  // one absent colour and the one absent shape
  // position
  EXPECT_EQ(answer_to(items, "Where is the red circle?"), "The red circle is at the top left.");
  EXPECT_EQ(answer_to(items, "Where is the red triangle?"), "The red triangle is in the centre.");
  EXPECT_EQ(answer_to(items, "Where is the blue square?"),
            "The blue square is at the bottom right.");
  // exists: every object asked, as many absent pairs.
  EXPECT_EQ(answer_to(items, "Is there a red circle?"), "Yes, there is a red circle.");
  EXPECT_EQ(answer_to(items, "Is there a blue square?"), "Yes, there is a blue square.");
  size_t yes = 0, no = 0;
  for (const VqaItem& item : of_family(items, "exists")) {
    EXPECT_EQ(item.scoring, "yes-no");
    if (starts_with(item.answer, "Yes")) ++yes;
    if (starts_with(item.answer, "No, there is no ")) {
      ++no;
      const std::string name = item.answer.substr(16, item.answer.size() - 17);
      EXPECT_TRUE(name != "red circle" && name != "red triangle" && name != "blue square");
      EXPECT_TRUE(item.question == "Is there a " + name + "?" ||
                  item.question == "Is there an " + name + "?");
    }
  }
  EXPECT_EQ(yes, 3u);
  EXPECT_EQ(no, 3u);
  // describe
  EXPECT_EQ(answer_to(items, "Describe the image."),
            "The image shows 3 shapes on a white background: a large red circle at the top left, "
            "a small red triangle in the centre and a small blue square at the bottom right.");
  for (const VqaItem& item : items) {
    EXPECT_EQ(item.scene, "hand-000000");
    EXPECT_EQ(item.gen_length, item.family == "describe" || item.family == "reasoning" ? 96 : 32);
  }
}

TEST(Questions, RelationsAreRightAndBalanced) {
  Scene scene = two_objects_apart();
  const std::map<std::string, std::string> truth = two_objects_apart_relations();
  std::set<std::string> asked;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto relations = of_family(questions_for_scene(scene, seed), "relation");
    ASSERT_EQ(relations.size(), 4u);  // one yes and one no for each axis
    size_t yes = 0;
    for (const VqaItem& item : relations) {
      ASSERT_TRUE(truth.count(item.question)) << item.question;
      EXPECT_EQ(item.answer, truth.at(item.question));
      EXPECT_EQ(item.scoring, "yes-no");
      yes += starts_with(item.answer, "Yes");
      asked.insert(item.question);
    }
    EXPECT_EQ(yes, 2u);
  }
  EXPECT_EQ(asked.size(), truth.size());  // every form gets asked for some seed

  // Centres closer than 0.15 on an axis are not compared on it.
  scene.objects[1].x = 0.3;
  for (const VqaItem& item : of_family(questions_for_scene(scene, 0), "relation")) {
    EXPECT_EQ(item.question.find("left"), std::string::npos) << item.question;
    EXPECT_EQ(item.question.find("right"), std::string::npos) << item.question;
  }
}

// Whether a question or answer uses a "before" word ("above", "to the left of").
bool has_before_word(const std::string& text) {
  return text.find(" above ") != std::string::npos ||
         text.find(" to the left of ") != std::string::npos;
}

// A scene's relation questions with their answers in `form`.
std::vector<VqaItem> relations_in(const Scene& scene, uint64_t seed, RelationAnswer form) {
  QuestionStyle style;
  style.relation_answer = form;
  return of_family(questions_for_scene(scene, seed, style), "relation");
}

// The conclude form asks exactly the same questions (the same random draws) and states the same
// relation, then concludes: "The red circle is above the blue square, so the answer is no."
TEST(Questions, ConcludeFormStatesTheRelationThenAnswers) {
  const Scene scene = two_objects_apart();
  const std::map<std::string, std::string> truth = {
      {"Is the red circle above the blue square?",
       "The red circle is above the blue square, so the answer is yes."},
      {"Is the blue square above the red circle?",
       "The blue square is below the red circle, so the answer is no."},
      {"Is the blue square to the left of the red circle?",
       "The blue square is to the right of the red circle, so the answer is no."},
      {"Is the red circle to the right of the blue square?",
       "The red circle is to the left of the blue square, so the answer is no."},
  };
  size_t checked = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto first = of_family(questions_for_scene(scene, seed), "relation");
    const auto concluded = relations_in(scene, seed, RelationAnswer::kConclude);
    ASSERT_EQ(concluded.size(), first.size());
    for (size_t i = 0; i < first.size(); ++i) {
      EXPECT_EQ(concluded[i].question, first[i].question);
      // "No, the A is below the B." <-> "The A is below the B, so the answer is no."
      const bool yes = starts_with(first[i].answer, "Yes, ");
      const std::string fact = first[i].answer.substr(yes ? 5 : 4);
      EXPECT_EQ(concluded[i].answer, "T" + fact.substr(1, fact.size() - 2) + ", so the answer is " +
                                         (yes ? "yes." : "no."));
      EXPECT_TRUE(score_answer("yes-no", concluded[i].answer, first[i].answer));
      EXPECT_TRUE(score_answer("yes-no", first[i].answer, concluded[i].answer));
      if (truth.count(concluded[i].question)) {
        EXPECT_EQ(concluded[i].answer, truth.at(concluded[i].question));
        ++checked;
      }
    }
    // Every other family is worded the same in both forms.
    const auto all = questions_for_scene(scene, seed);
    const auto all_concluded =
        questions_for_scene(scene, seed, QuestionStyle{RelationAnswer::kConclude});
    ASSERT_EQ(all.size(), all_concluded.size());
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].family != "relation") EXPECT_EQ(all[i].answer, all_concluded[i].answer);
    }
  }
  EXPECT_GT(checked, 0u);
  EXPECT_EQ(parse_relation_answer("conclude"), RelationAnswer::kConclude);
  EXPECT_STREQ(relation_answer_name(parse_relation_answer("yes-first")), "yes-first");
  test::expect_error([] { parse_relation_answer("last"); },
                     {"'last'", "yes-first, conclude or ordered"});
}

// The ordered form asks the same questions and names the pair in the order the "before" word asks
// about it, with its true word: the yes/no follows that word alone, whatever the question's word.
TEST(Questions, OrderedFormNamesThePairInBeforeOrder) {
  const Scene scene = two_objects_apart();  // the red circle is above and left of the blue square
  const std::string above = "The red circle is above the blue square, so the answer is yes.";
  const std::string below = "The blue square is below the red circle, so the answer is no.";
  const std::string left =
      "The red circle is to the left of the blue square, so the answer is yes.";
  const std::string right =
      "The blue square is to the right of the red circle, so the answer is no.";
  const std::map<std::string, std::string> truth = {
      {"Is the red circle above the blue square?", above},
      {"Is the blue square below the red circle?", above},
      {"Is the red circle below the blue square?", below},
      {"Is the blue square above the red circle?", below},
      {"Is the red circle to the left of the blue square?", left},
      {"Is the blue square to the right of the red circle?", left},
      {"Is the red circle to the right of the blue square?", right},
      {"Is the blue square to the left of the red circle?", right},
  };
  std::set<std::string> asked;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto first = of_family(questions_for_scene(scene, seed), "relation");
    const auto ordered = relations_in(scene, seed, RelationAnswer::kOrdered);
    ASSERT_EQ(ordered.size(), first.size());
    for (size_t i = 0; i < first.size(); ++i) {
      EXPECT_EQ(ordered[i].question, first[i].question);
      ASSERT_TRUE(truth.count(ordered[i].question)) << ordered[i].question;
      EXPECT_EQ(ordered[i].answer, truth.at(ordered[i].question));
      EXPECT_TRUE(score_answer("yes-no", ordered[i].answer, first[i].answer));
      // "yes" exactly when the stated word is the "before" one.
      const std::string& answer = ordered[i].answer;
      EXPECT_EQ(answer.substr(answer.size() - 4) == "yes.", has_before_word(answer));
      asked.insert(ordered[i].question);
    }
  }
  EXPECT_EQ(asked.size(), truth.size());
  EXPECT_EQ(parse_relation_answer("ordered"), RelationAnswer::kOrdered);
  EXPECT_STREQ(relation_answer_name(RelationAnswer::kOrdered), "ordered");
}

// "above" and "to the left of" are the before words; `share` of the questions use them.
bool asked_with_before_word(const VqaItem& item) {
  return has_before_word(item.question);
}

TEST(Questions, RelationBeforeShareChoosesTheWordNotTheAnswer) {
  const Scene scene = two_objects_apart();
  const auto truth = two_objects_apart_relations();
  size_t before = 0, total = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    for (const double share : {0.0, 0.8, 1.0}) {
      const auto relations = of_family(
          questions_for_scene(scene, seed, QuestionStyle{RelationAnswer::kYesFirst, share}),
          "relation");
      ASSERT_EQ(relations.size(), 4u);
      size_t yes = 0;
      for (const VqaItem& item : relations) {
        ASSERT_TRUE(truth.count(item.question)) << item.question;
        EXPECT_EQ(item.answer, truth.at(item.question));  // still true to the picture
        yes += starts_with(item.answer, "Yes");
        if (share == 0.0) EXPECT_FALSE(asked_with_before_word(item)) << item.question;
        if (share == 1.0) EXPECT_TRUE(asked_with_before_word(item)) << item.question;
        if (share == 0.8) {
          before += asked_with_before_word(item);
          ++total;
        }
      }
      EXPECT_EQ(yes, 2u);  // the yes/no balance does not move with the word
    }
  }
  EXPECT_NEAR(double(before) / double(total), 0.8, 0.05);
  test::expect_error(
      [&] {
        questions_for_scene(scene, 0, QuestionStyle{RelationAnswer::kYesFirst, 1.5});
      },
      {"before share", "1.5"});
}

TEST(Questions, ReasoningStepsAndFinalAnswers) {
  const std::map<std::string, std::string> expected = {
      {"How many red and blue shapes are there in total? Think step by step.",
       "Let me count step by step. First, I look for red shapes. I can see 2 red "
       "shapes: a circle and a triangle. Next, I look for blue shapes. I can see 1 blue shape: a "
       "square. Now I add the two counts, so 2 + 1 = 3. The answer is 3."},
      {"How many blue and green shapes are there in total? Think step by step.",
       "Let me count step by step. First, I look for blue shapes. I can see 1 blue "
       "shape: a square. Next, I look for green shapes. I can see no green shapes. Now I add the "
       "two counts, so 1 + 0 = 1. The answer is 1."},
      {"How many circles and squares are there in total? Think step by step.",
       "Let me count step by step. First, I look for circles. I can see 1 circle: a "
       "red one. Next, I look for squares. I can see 1 square: a blue one. Now I add the two "
       "counts, so 1 + 1 = 2. The answer is 2."},
      {"How many shapes are not red? Think step by step.",
       "Let me count step by step. First, I count all the shapes. I can see 3 shapes "
       "in total. Next, I count the red shapes. I can see 2 red shapes: a circle and a triangle. "
       "Now I take the red shapes away from the total, so 3 - 2 = 1. The answer is 1."},
      {"How many more shapes are there than crosses? Think step by step.",
       "Let me count step by step. First, I count all the shapes. I can see 3 shapes "
       "in total. Next, I count the crosses. I can see no crosses. Now I take the crosses away "
       "from the total, so 3 - 0 = 3. The answer is 3."},
  };
  std::set<std::string> seen;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    for (const VqaItem& item : of_family(questions_for_scene(three_objects(), seed), "reasoning")) {
      EXPECT_EQ(item.scoring, "final-number");
      const size_t words = word_count(item.answer);
      EXPECT_GE(words, 40u) << item.answer;
      EXPECT_LE(words, 64u) << item.answer;
      // "so A op B = N. The answer is N." with N the true result of A op B.
      int a = 0, b = 0, n = 0, m = 0;
      char op = 0;
      const size_t so = item.answer.rfind("so ");
      ASSERT_NE(so, std::string::npos);
      ASSERT_EQ(std::sscanf(item.answer.c_str() + so, "so %d %c %d = %d. The answer is %d.", &a,
                            &op, &b, &n, &m),
                5)
          << item.answer;
      EXPECT_EQ(n, op == '+' ? a + b : a - b);
      EXPECT_EQ(m, n);
      EXPECT_TRUE(ends_with(item.answer, ". The answer is " + std::to_string(n) + "."));
      if (expected.count(item.question)) {
        EXPECT_EQ(item.answer, expected.at(item.question));
        seen.insert(item.question);
      }
    }
  }
  EXPECT_EQ(seen.size(), expected.size());
}

// The counts form asks the same questions with the same final answers as the listed form; only
// the "I can see" sentences lose their lists, so an answer's length depends on its question alone.
TEST(Questions, CountsFormKeepsTheQuestionsAndFixesTheLength) {
  const QuestionStyle counts{RelationAnswer::kYesFirst, 0.5, ReasoningAnswer::kCounts};
  const std::map<std::string, std::string> expected = {
      {"How many red and blue shapes are there in total? Think step by step.",
       "Let me count step by step. First, I look for red shapes. I can see 2 red shapes. Next, I "
       "look for blue shapes. I can see 1 blue shape. Now I add the two counts, so 2 + 1 = 3. The "
       "answer is 3."},
      {"How many more shapes are there than crosses? Think step by step.",
       "Let me count step by step. First, I count all the shapes. I can see 3 shapes in total. "
       "Next, I count the crosses. I can see 0 crosses. Now I take the crosses away from the "
       "total, so 3 - 0 = 3. The answer is 3."},
  };
  // A second scene whose counts differ from three_objects()'s for every colour and shape asked.
  Scene other = three_objects();
  other.objects = {
      object("blue", "cross", "large", 0.2, 0.2), object("blue", "cross", "small", 0.5, 0.8),
      object("blue", "circle", "small", 0.8, 0.5), object("red", "square", "large", 0.8, 0.2)};
  std::set<std::string> seen;
  std::map<std::string, std::pair<size_t, std::string>> first_words;  // question -> words, answer
  size_t compared = 0, differing = 0;
  for (const Scene& scene : {three_objects(), other}) {
    for (uint64_t seed = 0; seed < 200; ++seed) {
      const auto listed = of_family(questions_for_scene(scene, seed), "reasoning");
      const auto counted = of_family(questions_for_scene(scene, seed, counts), "reasoning");
      ASSERT_EQ(counted.size(), listed.size());
      for (size_t i = 0; i < counted.size(); ++i) {
        const VqaItem& item = counted[i];
        EXPECT_EQ(item.question, listed[i].question);
        EXPECT_EQ(item.scoring, "final-number");
        // The same final answer: the text from the last "so " on is the same in both forms.
        const auto tail = [](const std::string& a) { return a.substr(a.rfind("so ")); };
        EXPECT_EQ(tail(item.answer), tail(listed[i].answer));
        EXPECT_EQ(item.answer.find(':'), std::string::npos) << item.answer;
        EXPECT_GE(word_count(item.answer), 40u) << item.answer;
        if (expected.count(item.question) && scene.objects.size() == 3) {
          EXPECT_EQ(item.answer, expected.at(item.question));
          seen.insert(item.question);
        }
        const auto [it, fresh] = first_words.emplace(
            item.question, std::make_pair(word_count(item.answer), item.answer));
        if (fresh) continue;
        ++compared;
        differing += tail(it->second.second) != tail(item.answer);
        EXPECT_EQ(word_count(item.answer), it->second.first)
            << item.answer << " | " << it->second.second;
      }
    }
  }
  EXPECT_EQ(seen.size(), expected.size());
  EXPECT_GT(differing, 0u) << "no question asked of both scenes with different counts";
  EXPECT_GT(compared, differing);
  EXPECT_EQ(parse_reasoning_answer("counts"), ReasoningAnswer::kCounts);
  EXPECT_STREQ(reasoning_answer_name(parse_reasoning_answer("listed")), "listed");
  test::expect_error([] { parse_reasoning_answer("short"); }, {"'short'", "listed", "counts"});
}

TEST(Questions, OneObjectScenesReadNaturally) {
  Scene scene;
  scene.id = "hand-000002";
  scene.background = "pale blue";
  scene.objects = {object("orange", "cross", "small", 0.8, 0.5)};
  const auto items = questions_for_scene(scene, 0);
  EXPECT_EQ(answer_to(items, "How many shapes are there?"), "There is 1 shape.");
  EXPECT_EQ(answer_to(items, "Is there an orange cross?"), "Yes, there is an orange cross.");
  EXPECT_EQ(answer_to(items, "Where is the orange cross?"), "The orange cross is on the right.");
  EXPECT_EQ(answer_to(items, "What shape is the orange object?"), "The orange object is a cross.");
  EXPECT_EQ(answer_to(items, "Describe the image."),
            "The image shows 1 shape on a pale blue background: a small orange cross on the "
            "right.");
  EXPECT_TRUE(of_family(items, "relation").empty());
}

TEST(Questions, SameSeedSameQuestions) {
  const auto a = questions_for_scene(three_objects(), 11);
  const auto b = questions_for_scene(three_objects(), 11);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].question, b[i].question);
    EXPECT_EQ(a[i].answer, b[i].answer);
  }
  std::set<std::string> families;
  for (const VqaItem& item : a) families.insert(item.family);
  EXPECT_EQ(families.size(), vqa_families().size());
}

// ---- dataset files ----------------------------------------------------------------------------

DatasetOptions small_options(const fs::path& out, uint64_t seed) {
  DatasetOptions options;
  options.out = out;
  options.seed = seed;
  options.train_scenes = 24;
  options.val_scenes = 6;
  options.test_scenes = 8;
  options.image_side = 32;
  return options;
}

TEST(MakeDataset, SameSeedSameBytesOtherSeedOtherFiles) {
  test::TempDir a, b, c;
  make_dataset(small_options(a.path(), 5));
  make_dataset(small_options(b.path(), 5));
  make_dataset(small_options(c.path(), 6));
  const auto ta = tree(a.path()), tb = tree(b.path()), tc = tree(c.path());
  EXPECT_EQ(ta.size(), 3u + 3u + 24 + 6 + 8);  // item and scene JSONL per split, the pictures
  EXPECT_TRUE(ta == tb);
  EXPECT_NE(ta.at("train.jsonl"), tc.at("train.jsonl"));
  EXPECT_NE(ta.at("images/test/test-000000.png"), tc.at("images/test/test-000000.png"));
}

TEST(MakeDataset, SplitsShareNoSceneAndItemsAreWellFormed) {
  test::TempDir dir;
  DatasetOptions options = small_options(dir.path(), 9);
  options.train_scenes = 300;
  options.val_scenes = 40;
  options.test_scenes = 60;
  const DatasetScenes drawn = draw_dataset_scenes(options);
  std::map<std::string, const Scene*> by_id;
  std::set<std::string> keys;
  for (const auto* split : {&drawn.train, &drawn.val, &drawn.test}) {
    for (const Scene& scene : *split) {
      EXPECT_TRUE(by_id.emplace(scene.id, &scene).second) << scene.id;
      EXPECT_TRUE(keys.insert(scene_content_key(scene)).second) << scene.id;
    }
  }
  EXPECT_EQ(by_id.size(), 400u);
  EXPECT_EQ(drawn.val.at(7).id, "val-000007");
  // Evaluation scenes do not depend on the train size.
  DatasetOptions fewer = options;
  fewer.train_scenes = 10;
  const DatasetScenes drawn_fewer = draw_dataset_scenes(fewer);
  EXPECT_EQ(scene_content_key(drawn_fewer.test.at(59)), scene_content_key(drawn.test.at(59)));

  options.train_scenes = 40;  // the files themselves: a smaller set is enough
  make_dataset(options);
  const auto& families = vqa_families();
  const auto& rules = vqa_scoring_rules();
  const DatasetScenes written = draw_dataset_scenes(options);
  std::map<std::string, const Scene*> scenes;
  for (const auto* split : {&written.train, &written.val, &written.test}) {
    for (const Scene& scene : *split) scenes[scene.id] = &scene;
  }
  std::map<std::string, std::set<std::string>> ids_by_split;
  for (const std::string split : {"train", "val", "test"}) {
    const auto items = load_vqa_jsonl(dir / (split + ".jsonl"));
    ASSERT_FALSE(items.empty());
    for (const VqaItem& item : items) {
      ids_by_split[split].insert(item.scene);
      EXPECT_TRUE(starts_with(item.scene, split + "-")) << item.scene;
      EXPECT_TRUE(fs::exists(item.image)) << item.image;
      EXPECT_EQ(fs::path(item.image).filename().string(), item.scene + ".png");
      EXPECT_NE(std::find(families.begin(), families.end(), item.family), families.end());
      EXPECT_NE(std::find(rules.begin(), rules.end(), item.scoring), rules.end());
      EXPECT_TRUE(score_answer(item.scoring, item.answer, item.answer)) << item.answer;
      if (item.family == "reasoning") {
        EXPECT_GE(word_count(item.answer), 40u);
        EXPECT_NE(item.answer.find(". The answer is "), std::string::npos);
        EXPECT_EQ(item.answer.back(), '.');
      }
      if (item.family == "describe") {
        const Scene& scene = *scenes.at(item.scene);
        for (const SceneObject& o : scene.objects) {
          EXPECT_NE(item.answer.find(o.size + " " + o.colour + " " + o.shape), std::string::npos)
              << item.answer;
        }
        EXPECT_NE(item.answer.find("on a " + scene.background + " background"), std::string::npos);
      }
    }
  }
  for (const std::string& id : ids_by_split["train"]) {
    EXPECT_FALSE(ids_by_split["val"].count(id) || ids_by_split["test"].count(id));
  }
  EXPECT_EQ(load_image(dir / "images" / "val" / "val-000000.png").width, 32);
}

TEST(MakeDataset, QuestionsPerSceneKeepsFamiliesBalanced) {
  test::TempDir dir;
  DatasetOptions options = small_options(dir.path(), 2);
  options.train_scenes = 200;
  options.val_scenes = 0;
  options.test_scenes = 0;
  options.questions_per_scene = 2;
  int calls = 0;
  double last = 0;
  options.on_progress = [&](double fraction) {
    EXPECT_GE(fraction, last);
    last = fraction;
    ++calls;
    return true;
  };
  make_dataset(options);
  EXPECT_EQ(calls, 200);
  EXPECT_DOUBLE_EQ(last, 1.0);
  const auto items = load_vqa_jsonl(dir / "train.jsonl");
  EXPECT_EQ(items.size(), 400u);
  std::map<std::string, size_t> per_family, per_scene;
  for (const VqaItem& item : items) {
    ++per_family[item.family];
    ++per_scene[item.scene];
  }
  for (const auto& [scene, n] : per_scene) EXPECT_EQ(n, 2u) << scene;
  for (const std::string& family : vqa_families()) {
    EXPECT_GE(per_family[family], 25u) << family;  // 50 each if all were always possible
    EXPECT_LE(per_family[family], 75u) << family;
  }
  EXPECT_TRUE(load_vqa_jsonl(dir / "test.jsonl").empty());
}

TEST(MakeDataset, CurriculumFiltersWriteExactlyTheFullSetsItemsThatPass) {
  test::TempDir full_dir, subset_dir;
  DatasetOptions full = small_options(full_dir.path(), 3);
  full.train_scenes = 80;
  full.questions_per_scene = 4;
  DatasetOptions subset = full;
  subset.out = subset_dir.path();
  subset.max_objects = 1;
  subset.families = {"colour", "shape"};
  make_dataset(full);
  make_dataset(subset);

  const DatasetScenes drawn = draw_dataset_scenes(full);
  std::map<std::string, size_t> objects;
  for (const auto* split : {&drawn.train, &drawn.val, &drawn.test}) {
    for (const Scene& scene : *split) objects[scene.id] = scene.objects.size();
  }
  const auto full_files = tree(full_dir.path());
  const auto subset_files = tree(subset_dir.path());
  size_t pictures = 0;
  for (const std::string split : {"train", "val", "test"}) {
    std::vector<VqaItem> expected;
    for (const VqaItem& item : load_vqa_jsonl(full_dir / (split + ".jsonl"))) {
      if (objects.at(item.scene) == 1 && (item.family == "colour" || item.family == "shape"))
        expected.push_back(item);
    }
    const auto got = load_vqa_jsonl(subset_dir / (split + ".jsonl"));
    ASSERT_EQ(got.size(), expected.size()) << split;
    std::set<std::string> scenes;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].scene, expected[i].scene);
      EXPECT_EQ(got[i].question, expected[i].question);
      EXPECT_EQ(got[i].answer, expected[i].answer);
      EXPECT_EQ(got[i].family, expected[i].family);
      const std::string picture = "images/" + split + "/" + got[i].scene + ".png";
      EXPECT_EQ(fs::path(got[i].image).filename(), fs::path(picture).filename());
      ASSERT_TRUE(subset_files.count(picture)) << picture;
      EXPECT_EQ(subset_files.at(picture), full_files.at(picture)) << picture;
      scenes.insert(got[i].scene);
    }
    if (split == "train") EXPECT_GE(scenes.size(), 3u);
    pictures += scenes.size();
  }
  // A scene left without questions writes no picture (and no scene record).
  EXPECT_EQ(subset_files.size(), 3u + 3u + pictures);
  EXPECT_LT(subset_files.size(), full_files.size());
}

// The shipped evaluation set is what make-dataset writes today (seed 1, the test split, 4
// questions a scene): the same pictures, questions and answers, so a model trained on a fresh set
// is scored on its own phrasing.
TEST(MakeDataset, TheShippedTestSetIsWhatTheGeneratorWritesToday) {
  test::TempDir dir;
  DatasetOptions options;
  options.out = dir.path();
  options.seed = 1;
  options.train_scenes = 0;  // the test split is drawn first: the other sizes do not change it
  options.val_scenes = 0;
  options.test_scenes = 500;
  options.questions_per_scene = 4;
  make_dataset(options);
  std::map<std::pair<std::string, std::string>, VqaItem> fresh;
  for (auto& item : load_vqa_jsonl(dir / "test.jsonl"))
    fresh.emplace(std::make_pair(item.scene, item.question), item);
  const auto shipped =
      load_vqa_jsonl(test::source_dir() / "resources" / "eval" / "shapes-test.jsonl");
  ASSERT_EQ(shipped.size(), 500u);
  for (const auto& item : shipped) {
    const auto it = fresh.find({item.scene, item.question});
    ASSERT_NE(it, fresh.end()) << item.scene << ": " << item.question;
    EXPECT_EQ(item.answer, it->second.answer) << item.scene << ": " << item.question;
    EXPECT_EQ(item.family, it->second.family);
    EXPECT_EQ(item.scoring, it->second.scoring);
    EXPECT_EQ(item.gen_length, it->second.gen_length);
    EXPECT_EQ(file_bytes(item.image), file_bytes(it->second.image)) << item.image;
  }
}

TEST(MakeDataset, CancelsAndRejectsBadOptions) {
  test::TempDir dir;
  DatasetOptions options = small_options(dir.path(), 1);
  options.on_progress = [](double fraction) { return fraction < 0.2; };
  EXPECT_THROW(make_dataset(options), Cancelled);
  options.on_progress = nullptr;
  options.image_side = 4;
  test::expect_error([&] { make_dataset(options); }, {"image_side", "4"});
  options.image_side = 32;
  options.val_scenes = -1;
  test::expect_error([&] { make_dataset(options); }, {"negative"});
  options.val_scenes = 6;
  options.max_objects = -2;
  test::expect_error([&] { make_dataset(options); }, {"max_objects", "-2"});
  options.max_objects = 1;
  options.families = {"colour", "colours"};
  test::expect_error([&] { make_dataset(options); }, {"family 'colours'", "reasoning"});
}

// ---- JSONL ------------------------------------------------------------------------------------

TEST(VqaJsonl, RoundTrip) {
  test::TempDir dir;
  VqaItem item;
  item.image = "images/test/test-000003.png";
  item.question = "How many shapes are there?";
  item.answer = "There are \"3\" shapes.";
  item.family = "count";
  item.scoring = "exact";
  item.gen_length = 40;
  item.scene = "test-000003";
  VqaItem absolute = item;
  absolute.image = (dir.path() / "elsewhere.png").string();
  save_vqa_jsonl({item, absolute}, dir / "set.jsonl");
  const auto back = load_vqa_jsonl(dir / "set.jsonl");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].image, (dir.path() / "images" / "test" / "test-000003.png").string());
  EXPECT_EQ(back[1].image, absolute.image);
  EXPECT_EQ(back[0].question, item.question);
  EXPECT_EQ(back[0].answer, item.answer);
  EXPECT_EQ(back[0].family, item.family);
  EXPECT_EQ(back[0].scoring, item.scoring);
  EXPECT_EQ(back[0].gen_length, 40);
  EXPECT_EQ(back[0].scene, item.scene);
}

TEST(VqaJsonl, SwappedImagesMoveEachPictureToTheNextOne) {
  const auto item = [](const std::string& image, const std::string& question) {
    VqaItem v;
    v.image = image;
    v.question = question;
    return v;
  };
  const std::vector<VqaItem> items = {item("a.png", "q1"), item("a.png", "q2"), item("b.png", "q3"),
                                      item("c.png", "q4"), item("b.png", "q5")};
  const auto swapped = with_images_swapped(items);
  ASSERT_EQ(swapped.size(), items.size());
  const std::vector<std::string> expected = {"b.png", "b.png", "c.png", "a.png", "c.png"};
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(swapped[i].image, expected[i]) << i;
    EXPECT_EQ(swapped[i].question, items[i].question) << i;  // only the picture moves
  }
  test::expect_error(
      [&] {
        with_images_swapped({items[0], items[1]});
      },
      {"at least two different images", "got 1"});
}

TEST(VqaJsonl, ErrorsNameTheFileLineAndField) {
  test::TempDir dir;
  const std::string good =
      R"({"image":"a.png","question":"q","answer":"a","family":"count","scoring":"exact",)"
      R"("gen_length":32,"scene":"s"})";
  const fs::path missing = dir / "missing.jsonl";
  write_text_atomically(missing, good + "\n\n" +
                                     R"({"image":"a.png","question":"q","family":"count",)"
                                     R"("scoring":"exact"})" +
                                     "\n");
  test::expect_error([&] { load_vqa_jsonl(missing); },
                     {missing.string(), "line 3", "missing field 'answer'"});
  const fs::path malformed = dir / "malformed.jsonl";
  write_text_atomically(malformed, good + "\n{\"image\": \"a.png\", \n");
  test::expect_error([&] { load_vqa_jsonl(malformed); },
                     {malformed.string(), "line 2", "malformed JSON"});
  const fs::path wrong = dir / "wrong.jsonl";
  write_text_atomically(wrong, R"({"image":"a.png","question":"q","answer":"a","family":"x",)"
                               R"("scoring":"fuzzy"})");
  test::expect_error([&] { load_vqa_jsonl(wrong); }, {wrong.string(), "line 1", "scoring"});
  test::expect_error([&] { load_vqa_jsonl(dir / "absent.jsonl"); }, {"absent.jsonl"});
}

TEST(SceneJsonl, MakeDatasetWritesEveryPicturedSceneAndItLoadsBack) {
  test::TempDir dir;
  DatasetOptions options = small_options(dir.path(), 9);
  options.max_objects = 2;  // some scenes get no questions, so no picture and no record
  make_dataset(options);
  const auto drawn = draw_dataset_scenes(options);
  const auto items = load_vqa_jsonl(dir / "train.jsonl");
  const auto records = load_scenes_jsonl(dir / "train-scenes.jsonl");
  std::set<std::string> pictured;
  for (const auto& item : items) pictured.insert(item.scene);
  ASSERT_EQ(records.size(), pictured.size());
  size_t k = 0;
  for (const Scene& scene : drawn.train) {
    if (!pictured.count(scene.id)) continue;
    const SceneRecord& record = records.at(k++);
    EXPECT_EQ(record.scene.id, scene.id);
    EXPECT_EQ(record.image, (dir.path() / "images" / "train" / (scene.id + ".png")).string());
    EXPECT_TRUE(fs::exists(record.image));
    EXPECT_EQ(scene_content_key(record.scene), scene_content_key(scene));
    ASSERT_EQ(record.scene.objects.size(), scene.objects.size());
    for (size_t j = 0; j < scene.objects.size(); ++j) {
      EXPECT_EQ(record.scene.objects[j].size, scene.objects[j].size);
      EXPECT_DOUBLE_EQ(record.scene.objects[j].radius, scene.objects[j].radius);
    }
  }
  for (const std::string split : {"val", "test"}) {
    std::set<std::string> scenes;
    for (const auto& item : load_vqa_jsonl(dir / (split + ".jsonl"))) scenes.insert(item.scene);
    EXPECT_EQ(load_scenes_jsonl(dir / (split + "-scenes.jsonl")).size(), scenes.size()) << split;
  }
}

TEST(SceneJsonl, CoverageAgreesWithThePicture) {
  const Scene scene = three_objects();
  const Image image = render_scene(scene, 200);
  for (double y = 0.0125; y < 1.0; y += 0.025) {
    for (double x = 0.0125; x < 1.0; x += 0.025) {
      const SceneObject* top = nullptr;
      for (const auto& o : scene.objects)
        if (scene_object_covers(o, x, y)) top = &o;
      const auto expected = scene_rgb(top ? top->colour : scene.background);
      const auto got = pixel(image, x, y);
      // Edge pixels blend; a point well inside or outside has the exact colour.
      const bool near_edge = [&] {
        for (const auto& o : scene.objects) {
          for (double d : {-0.01, 0.01}) {
            if (scene_object_covers(o, x + d, y) != scene_object_covers(o, x, y) ||
                scene_object_covers(o, x, y + d) != scene_object_covers(o, x, y))
              return true;
          }
        }
        return false;
      }();
      if (!near_edge) EXPECT_EQ(got, expected) << x << ", " << y;
    }
  }
}

TEST(SceneJsonl, ErrorsNameTheFileLineAndField) {
  test::TempDir dir;
  const std::string object =
      R"({"shape":"circle","colour":"red","size":"small","x":0.5,"y":0.5,"radius":0.09})";
  const auto scene_line = [&](const std::string& background, const std::string& obj) {
    return R"({"id":"s","image":"a.png","background":")" + background + R"(","objects":[)" + obj +
           "]}\n";
  };
  const fs::path good = dir / "good.jsonl";
  write_text_atomically(good, scene_line("white", object));
  const auto back = load_scenes_jsonl(good);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].image, (dir.path() / "a.png").string());
  EXPECT_EQ(back[0].scene.objects.at(0).colour, "red");
  // A file of `text` is refused with an error naming it and each of `parts`.
  const auto refused = [&](const std::string& name, const std::string& text,
                           std::vector<std::string> parts) {
    const fs::path file = dir / name;
    write_text_atomically(file, text);
    parts.insert(parts.begin(), file.string());
    test::expect_error([&] { load_scenes_jsonl(file); }, parts);
  };
  // `object` with its first `from` replaced by `to`.
  const auto edited = [&](const std::string& from, const std::string& to) {
    std::string changed = object;
    return changed.replace(changed.find(from), from.size(), to);
  };
  refused("background.jsonl", scene_line("white", object) + scene_line("mauve", object),
          {"line 2", "background", "mauve"});
  refused("shape.jsonl", scene_line("white", edited("circle", "hexagon")),
          {"line 1 object 0", "shape", "hexagon"});
  refused("x.jsonl", scene_line("white", edited("\"x\":0.5", "\"x\":1.5")), {"field 'x'", "1.5"});
}

// ---- scoring ----------------------------------------------------------------------------------

TEST(ScoreAnswer, Exact) {
  EXPECT_TRUE(score_answer("exact", "the circle is RED", "The circle is red."));
  EXPECT_TRUE(score_answer("exact", "  The circle  is red . ", "The circle is red."));
  EXPECT_FALSE(score_answer("exact", "The circle is blue.", "The circle is red."));
  EXPECT_FALSE(score_answer("exact", "The circle is red, I think.", "The circle is red."));
  EXPECT_FALSE(score_answer("exact", "", "The circle is red."));
}

TEST(ScoreAnswer, YesNo) {
  EXPECT_TRUE(score_answer("yes-no", "yes", "Yes, there is a green triangle."));
  EXPECT_TRUE(
      score_answer("yes-no", "Yes, there is a red one.", "Yes, there is a green triangle."));
  EXPECT_TRUE(score_answer("yes-no", "No.", "No, there is no green triangle."));
  EXPECT_FALSE(score_answer("yes-no", "no", "Yes, there is a green triangle."));
  EXPECT_FALSE(score_answer("yes-no", "Yesterday", "Yes, there is a green triangle."));
  EXPECT_FALSE(score_answer("yes-no", "", "No, there is no green triangle."));
  EXPECT_FALSE(score_answer("yes-no", "maybe", "maybe"));  // the reference must be yes or no
  // A concluded answer's yes or no is the word after its last "the answer is".
  const std::string concluded = "The red circle is below the blue square, so the answer is no.";
  EXPECT_TRUE(score_answer("yes-no", concluded, "No, the red circle is below the blue square."));
  EXPECT_TRUE(score_answer("yes-no", "No, the red circle is above the blue square.", concluded));
  EXPECT_FALSE(score_answer("yes-no",
                            "The red circle is below the blue square, so the answer "
                            "is yes.",
                            concluded));
  EXPECT_FALSE(score_answer("yes-no", "The red circle is below the blue square.", concluded));
  EXPECT_FALSE(score_answer("yes-no", "so the answer is nothing", concluded));
  // The first word wins over a later conclusion.
  EXPECT_FALSE(score_answer("yes-no", "Yes, so the answer is no.", concluded));
}

TEST(ScoreAnswer, FinalNumber) {
  const std::string reference = "Let me count. I see 2 and 3, so 2 + 3 = 5. The answer is 5.";
  EXPECT_TRUE(score_answer("final-number", "The answer is 5.", reference));
  EXPECT_TRUE(score_answer("final-number", "so 2 + 3 = 5. The answer is 5.", reference));
  EXPECT_TRUE(score_answer("final-number", "5", reference));
  EXPECT_TRUE(score_answer("final-number", "I count 1, 4, 05", reference));  // last number
  EXPECT_FALSE(score_answer("final-number", "so 2 + 3 = 5. The answer is 6.", reference));
  EXPECT_FALSE(score_answer("final-number", "The answer is 5, not 4. The answer is 4.", reference));
  EXPECT_FALSE(score_answer("final-number", "The answer is five.", reference));
  EXPECT_FALSE(score_answer("final-number", "5", "There is no number here."));
  EXPECT_TRUE(
      score_answer("final-number", "so 3 - 5 = -2. The answer is -2.", "The answer is -2."));
  EXPECT_FALSE(score_answer("final-number", "The answer is 2.", "The answer is -2."));
}

TEST(ScoreAnswer, ObjectsAreOrderFree) {
  const std::string reference =
      "The image shows 3 shapes on a grey background: a large red circle at the top left, a small "
      "blue square in the centre and a small green triangle at the bottom right.";
  EXPECT_TRUE(score_answer(
      "objects", "A green triangle, a blue square and a red circle are in the image.", reference));
  EXPECT_TRUE(score_answer("objects", reference, reference));
  EXPECT_FALSE(score_answer("objects", "A red circle and a blue square.", reference));
  EXPECT_FALSE(score_answer(
      "objects", "a red circle, a red circle, a blue square, a green triangle", reference));
  EXPECT_FALSE(score_answer("objects", "a red square, a blue circle, a green triangle", reference));
  EXPECT_TRUE(score_answer("objects", "two red circles", "a red circle"));  // plurals count
  EXPECT_FALSE(score_answer("objects", "nothing", "nothing at all"));       // no objects: no match
}

TEST(ScoreAnswer, UnknownRuleIsAnError) {
  test::expect_error([] { score_answer("fuzzy", "a", "a"); }, {"fuzzy"});
}

}  // namespace
}  // namespace cachelens

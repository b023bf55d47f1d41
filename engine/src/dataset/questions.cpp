// SPDX-License-Identifier: MIT
// The question families and their answer templates. The model learns the exact phrasing, so every
// answer comes from one fixed template per case; only which questions are asked is random.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "cachelens/dataset.h"
#include "cachelens/error.h"
#include "dataset/scene_internal.h"

namespace cachelens {
namespace {

using dataset::Rng;

constexpr int64_t kShortLength = 32;     // one-sentence answers
constexpr int64_t kLongLength = 96;      // describe and reasoning
constexpr size_t kMaxPerSide = 4;        // yes (and as many no) exists/relation questions a scene
constexpr double kMinSeparation = 0.15;  // relations only between centres this far apart

std::string article(const std::string& next_word) {
  return std::string("aeiou").find(next_word[0]) != std::string::npos ? "an" : "a";
}

std::string plural(const std::string& shape) {
  return shape == "cross" ? "crosses" : shape + "s";
}

std::string name_of(const SceneObject& o) {
  return o.colour + " " + o.shape;
}

// "a", "a and b", "a, b and c".
std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += i + 1 == parts.size() ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

// "There are 3 red shapes." / "There is 1 red shape." / "There are no red shapes."
std::string there_are(size_t n, const std::string& singular, const std::string& plural_form) {
  if (n == 0) return "There are no " + plural_form + ".";
  if (n == 1) return "There is 1 " + singular + ".";
  return "There are " + std::to_string(n) + " " + plural_form + ".";
}

// Reading order: region row, region column, then left to right.
std::vector<SceneObject> reading_order(const Scene& scene) {
  std::vector<SceneObject> objects = scene.objects;
  std::stable_sort(objects.begin(), objects.end(), [](const SceneObject& a, const SceneObject& b) {
    const int ra = dataset::region_row(a), rb = dataset::region_row(b);
    if (ra != rb) return ra < rb;
    const int ca = dataset::region_column(a), cb = dataset::region_column(b);
    if (ca != cb) return ca < cb;
    if (a.x != b.x) return a.x < b.x;
    return a.y < b.y;
  });
  return objects;
}

struct Builder {
  const Scene& scene;
  std::vector<VqaItem> items;

  void add(const std::string& family, const std::string& scoring, int64_t length,
           const std::string& question, const std::string& answer) {
    VqaItem item;
    item.question = question;
    item.answer = answer;
    item.family = family;
    item.scoring = scoring;
    item.gen_length = length;
    item.scene = scene.id;
    items.push_back(item);
  }
  std::vector<SceneObject> with_colour(const std::string& colour) const {
    std::vector<SceneObject> out;
    for (const SceneObject& o : reading_order(scene)) {
      if (o.colour == colour) out.push_back(o);
    }
    return out;
  }
  std::vector<SceneObject> with_shape(const std::string& shape) const {
    std::vector<SceneObject> out;
    for (const SceneObject& o : reading_order(scene)) {
      if (o.shape == shape) out.push_back(o);
    }
    return out;
  }
};

void colour_questions(Builder& b) {
  for (const std::string& shape : scene_shapes()) {
    const auto found = b.with_shape(shape);
    if (found.size() != 1) continue;  // "the circle" must name one object
    b.add("colour", "exact", kShortLength, "What colour is the " + shape + "?",
          "The " + shape + " is " + found[0].colour + ".");
  }
}

void shape_questions(Builder& b) {
  for (const std::string& colour : scene_colours()) {
    const auto found = b.with_colour(colour);
    if (found.size() != 1) continue;
    b.add("shape", "exact", kShortLength, "What shape is the " + colour + " object?",
          "The " + colour + " object is " + article(found[0].shape) + " " + found[0].shape + ".");
  }
}

void count_questions(Builder& b, Rng& rng) {
  b.add("count", "exact", kShortLength, "How many shapes are there?",
        there_are(b.scene.objects.size(), "shape", "shapes"));
  // Every colour and shape present, and one absent of each (so "no" answers are learnt too).
  std::vector<std::string> absent;
  std::vector<std::string> colours;
  for (const std::string& colour : scene_colours()) {
    (b.with_colour(colour).empty() ? absent : colours).push_back(colour);
  }
  if (!absent.empty()) colours.push_back(dataset::pick(rng, absent));
  for (const std::string& colour : colours) {
    b.add("count", "exact", kShortLength, "How many " + colour + " shapes are there?",
          there_are(b.with_colour(colour).size(), colour + " shape", colour + " shapes"));
  }
  absent.clear();
  std::vector<std::string> shapes;
  for (const std::string& shape : scene_shapes()) {
    (b.with_shape(shape).empty() ? absent : shapes).push_back(shape);
  }
  if (!absent.empty()) shapes.push_back(dataset::pick(rng, absent));
  for (const std::string& shape : shapes) {
    b.add("count", "exact", kShortLength, "How many " + plural(shape) + " are there?",
          there_are(b.with_shape(shape).size(), shape, plural(shape)));
  }
}

void exists_questions(Builder& b, Rng& rng) {
  std::vector<std::string> yes, near_miss, other;
  for (const SceneObject& o : b.scene.objects) yes.push_back(name_of(o));
  for (const std::string& colour : scene_colours()) {
    for (const std::string& shape : scene_shapes()) {
      const std::string name = colour + " " + shape;
      if (std::find(yes.begin(), yes.end(), name) != yes.end()) continue;
      // A near miss shares its colour or its shape with an object: it tests the binding.
      const bool near = !b.with_colour(colour).empty() || !b.with_shape(shape).empty();
      (near ? near_miss : other).push_back(name);
    }
  }
  dataset::shuffle(rng, yes);
  dataset::shuffle(rng, near_miss);
  dataset::shuffle(rng, other);
  const size_t n = std::min(yes.size(), kMaxPerSide);
  std::vector<std::string> no;  // near misses and other pairs, alternating while both last
  size_t next_near = 0, next_other = 0;
  while (no.size() < n && (next_near < near_miss.size() || next_other < other.size())) {
    const bool take_near =
        next_near < near_miss.size() && (no.size() % 2 == 0 || next_other >= other.size());
    no.push_back(take_near ? near_miss[next_near++] : other[next_other++]);
  }
  for (size_t i = 0; i < n; ++i) {
    b.add("exists", "yes-no", kShortLength, "Is there " + article(yes[i]) + " " + yes[i] + "?",
          "Yes, there is " + article(yes[i]) + " " + yes[i] + ".");
  }
  for (const std::string& name : no) {
    b.add("exists", "yes-no", kShortLength, "Is there " + article(name) + " " + name + "?",
          "No, there is no " + name + ".");
  }
}

void position_questions(Builder& b) {
  for (const SceneObject& o : reading_order(b.scene)) {
    b.add("position", "exact", kShortLength, "Where is the " + name_of(o) + "?",
          "The " + name_of(o) + " is " + dataset::region_phrase(o) + ".");
  }
}

struct Relation {
  std::string question, answer;
};

// The words for each axis (0: x, 1: y): the "before" word says the subject's coordinate is the
// smaller one.
const char* before_word(int axis) {
  return axis == 0 ? "to the left of" : "above";
}
const char* after_word(int axis) {
  return axis == 0 ? "to the right of" : "below";
}

// "Is the A <word> the B?" and its answer, the word the "before" one if `asked_before`; `holds`
// says whether A really is there.
Relation relation(const SceneObject& a, const SceneObject& b, int axis, bool asked_before,
                  bool holds, RelationAnswer form) {
  const std::string asked = asked_before ? before_word(axis) : after_word(axis);
  const std::string opposite = asked_before ? after_word(axis) : before_word(axis);
  const std::string subject = "the " + name_of(a), object = "the " + name_of(b);
  const std::string question = "Is " + subject + " " + asked + " " + object + "?";
  const std::string conclusion = std::string(", so the answer is ") + (holds ? "yes." : "no.");
  if (form == RelationAnswer::kOrdered) {
    // The pair in the order the "before" word asks about it, with its true word: "yes" exactly
    // when that word is the "before" one, so the yes/no never needs the question's word.
    const std::string& first = asked_before ? subject : object;
    const std::string& second = asked_before ? object : subject;
    const char* word = holds ? before_word(axis) : after_word(axis);
    return {question, "T" + first.substr(1) + " is " + word + " " + second + conclusion};
  }
  const std::string fact = subject + " is " + (holds ? asked : opposite) + " " + object;
  if (form == RelationAnswer::kConclude) return {question, "T" + fact.substr(1) + conclusion};
  return {question, (holds ? "Yes, " : "No, ") + fact + "."};
}

// Index 0 or 1 of a pair of question forms, index `before` being the one asked with the "before"
// word. The default share draws exactly as the sets made before the option did.
size_t relation_form_index(Rng& rng, double before_share, size_t before) {
  if (before_share == 0.5) return size_t(dataset::uniform_int(rng, 2));
  return dataset::uniform01(rng) < before_share ? before : 1 - before;
}

void relation_questions(Builder& b, Rng& rng, const QuestionStyle& style) {
  const RelationAnswer form = style.relation_answer;
  std::vector<Relation> yes, no;
  const auto& objects = b.scene.objects;
  for (size_t i = 0; i < objects.size(); ++i) {
    for (size_t j = i + 1; j < objects.size(); ++j) {
      for (int axis = 0; axis < 2; ++axis) {
        const SceneObject& p = objects[i];
        const SceneObject& q = objects[j];
        const double dp = axis == 0 ? p.x : p.y, dq = axis == 0 ? q.x : q.y;
        if (std::abs(dp - dq) < kMinSeparation) continue;
        // `first` is the object with the smaller coordinate: left of / above the other.
        const SceneObject& first = dp < dq ? p : q;
        const SceneObject& second = dp < dq ? q : p;
        // Four ways to ask about the pair, two true and two false; one of each is kept.
        const Relation true_forms[2] = {relation(first, second, axis, true, true, form),
                                        relation(second, first, axis, false, true, form)};
        const Relation false_forms[2] = {relation(first, second, axis, false, false, form),
                                         relation(second, first, axis, true, false, form)};
        yes.push_back(true_forms[relation_form_index(rng, style.relation_before_share, 0)]);
        no.push_back(false_forms[relation_form_index(rng, style.relation_before_share, 1)]);
      }
    }
  }
  dataset::shuffle(rng, yes);
  dataset::shuffle(rng, no);
  const size_t n = std::min(yes.size(), kMaxPerSide);
  for (size_t i = 0; i < n; ++i) {
    b.add("relation", "yes-no", kShortLength, yes[i].question, yes[i].answer);
    b.add("relation", "yes-no", kShortLength, no[i].question, no[i].answer);
  }
}

void describe_question(Builder& b) {
  std::vector<std::string> parts;
  for (const SceneObject& o : reading_order(b.scene)) {
    parts.push_back(article(o.size) + " " + o.size + " " + name_of(o) + " " +
                    dataset::region_phrase(o));
  }
  const size_t n = b.scene.objects.size();
  b.add("describe", "objects", kLongLength, "Describe the image.",
        "The image shows " + std::to_string(n) + (n == 1 ? " shape" : " shapes") + " on " +
            article(b.scene.background) + " " + b.scene.background + " background: " + join(parts) +
            ".");
}

// "I can see 2 red shapes: a circle and a square." / "I can see no red shapes." (kCounts: "I can
// see 2 red shapes." / "I can see 0 red shapes.")
std::string see_colour(const Builder& b, const std::string& colour, ReasoningAnswer form) {
  const auto found = b.with_colour(colour);
  if (form == ReasoningAnswer::kCounts)
    return "I can see " + std::to_string(found.size()) + " " + colour +
           (found.size() == 1 ? " shape." : " shapes.");
  if (found.empty()) return "I can see no " + colour + " shapes.";
  std::vector<std::string> parts;
  for (const SceneObject& o : found) parts.push_back(article(o.shape) + " " + o.shape);
  return "I can see " + std::to_string(found.size()) + " " + colour +
         (found.size() == 1 ? " shape: " : " shapes: ") + join(parts) + ".";
}

// "I can see 2 circles: a red one and a blue one." / "I can see no circles." (kCounts: "I can see
// 2 circles." / "I can see 0 circles.")
std::string see_shape(const Builder& b, const std::string& shape, ReasoningAnswer form) {
  const auto found = b.with_shape(shape);
  if (form == ReasoningAnswer::kCounts)
    return "I can see " + std::to_string(found.size()) + " " +
           (found.size() == 1 ? shape : plural(shape)) + ".";
  if (found.empty()) return "I can see no " + plural(shape) + ".";
  std::vector<std::string> parts;
  for (const SceneObject& o : found) parts.push_back(article(o.colour) + " " + o.colour + " one");
  return "I can see " + std::to_string(found.size()) + " " +
         (found.size() == 1 ? shape : plural(shape)) + ": " + join(parts) + ".";
}

std::string see_total(size_t n) {
  return "I can see " + std::to_string(n) + (n == 1 ? " shape" : " shapes") + " in total.";
}

std::string finish(const std::string& sum, int64_t result) {
  return sum + " = " + std::to_string(result) + ". The answer is " + std::to_string(result) + ".";
}

const char* const kOpening = "Let me count step by step. ";
const char* const kStepByStep = " Think step by step.";

// A different value from `values`, never `except`.
std::string other_than(Rng& rng, const std::vector<std::string>& values,
                       const std::string& except) {
  std::vector<std::string> rest;
  for (const std::string& v : values) {
    if (v != except) rest.push_back(v);
  }
  return dataset::pick(rng, rest);
}

void reasoning_questions(Builder& b, Rng& rng, ReasoningAnswer form) {
  const auto& objects = b.scene.objects;
  const auto add = [&](const std::string& question, const std::string& answer) {
    b.add("reasoning", "final-number", kLongLength, question + kStepByStep, kOpening + answer);
  };
  {  // Two colours added.
    const std::string c1 = dataset::pick(rng, objects).colour;
    const std::string c2 = other_than(rng, scene_colours(), c1);
    const size_t n1 = b.with_colour(c1).size(), n2 = b.with_colour(c2).size();
    add("How many " + c1 + " and " + c2 + " shapes are there in total?",
        "First, I look for " + c1 + " shapes. " + see_colour(b, c1, form) + " Next, I look for " +
            c2 + " shapes. " + see_colour(b, c2, form) + " Now I add the two counts, so " +
            finish(std::to_string(n1) + " + " + std::to_string(n2), int64_t(n1 + n2)));
  }
  {  // Two shapes added.
    const std::string s1 = dataset::pick(rng, objects).shape;
    const std::string s2 = other_than(rng, scene_shapes(), s1);
    const size_t n1 = b.with_shape(s1).size(), n2 = b.with_shape(s2).size();
    add("How many " + plural(s1) + " and " + plural(s2) + " are there in total?",
        "First, I look for " + plural(s1) + ". " + see_shape(b, s1, form) + " Next, I look for " +
            plural(s2) + ". " + see_shape(b, s2, form) + " Now I add the two counts, so " +
            finish(std::to_string(n1) + " + " + std::to_string(n2), int64_t(n1 + n2)));
  }
  const size_t total = objects.size();
  {  // All shapes minus one shape (which may be absent).
    const std::string s = dataset::pick(rng, scene_shapes());
    const size_t n = b.with_shape(s).size();
    add("How many more shapes are there than " + plural(s) + "?",
        "First, I count all the shapes. " + see_total(total) + " Next, I count the " + plural(s) +
            ". " + see_shape(b, s, form) + " Now I take the " + plural(s) +
            " away from the total, so " +
            finish(std::to_string(total) + " - " + std::to_string(n), int64_t(total - n)));
  }
  {  // All shapes minus one colour.
    const std::string c = dataset::pick(rng, objects).colour;
    const size_t n = b.with_colour(c).size();
    add("How many shapes are not " + c + "?",
        "First, I count all the shapes. " + see_total(total) + " Next, I count the " + c +
            " shapes. " + see_colour(b, c, form) + " Now I take the " + c +
            " shapes away from the total, so " +
            finish(std::to_string(total) + " - " + std::to_string(n), int64_t(total - n)));
  }
}

}  // namespace

const std::vector<std::string>& vqa_families() {
  static const std::vector<std::string> families = {
      "colour", "shape", "count", "exists", "position", "relation", "describe", "reasoning"};
  return families;
}

const std::vector<std::string>& vqa_scoring_rules() {
  static const std::vector<std::string> rules = {"exact", "yes-no", "final-number", "objects"};
  return rules;
}

namespace {

// Each answer form's names in enum order: one table serves the name and the parse.
constexpr std::array<const char*, 3> kRelationForms = {"yes-first", "conclude", "ordered"};
constexpr std::array<const char*, 2> kReasoningForms = {"listed", "counts"};

template <class Form, size_t N>
Form parse_form(const std::string& name, const std::array<const char*, N>& names,
                const char* what) {
  std::string choices;
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<Form>(i);
    choices += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + names[i];
  }
  fail("unknown ", what, " answer form '", name, "' (expected ", choices, ")");
}

}  // namespace

const char* relation_answer_name(RelationAnswer form) {
  return kRelationForms[static_cast<size_t>(form)];
}

RelationAnswer parse_relation_answer(const std::string& name) {
  return parse_form<RelationAnswer>(name, kRelationForms, "relation");
}

const char* reasoning_answer_name(ReasoningAnswer form) {
  return kReasoningForms[static_cast<size_t>(form)];
}

ReasoningAnswer parse_reasoning_answer(const std::string& name) {
  return parse_form<ReasoningAnswer>(name, kReasoningForms, "reasoning");
}

std::vector<VqaItem> questions_for_scene(const Scene& scene, uint64_t seed,
                                         const QuestionStyle& style) {
  if (!(style.relation_before_share >= 0.0 && style.relation_before_share <= 1.0))
    fail("relation before share must be in [0, 1], got ", style.relation_before_share);
  Builder b{scene, {}};
  if (scene.objects.empty()) return b.items;
  Rng rng(dataset::mix_seed(seed, 0x51));
  colour_questions(b);
  shape_questions(b);
  count_questions(b, rng);
  exists_questions(b, rng);
  position_questions(b);
  relation_questions(b, rng, style);
  describe_question(b);
  reasoning_questions(b, rng, style.reasoning_answer);
  return b.items;
}

}  // namespace cachelens

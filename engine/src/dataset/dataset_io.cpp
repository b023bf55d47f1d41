// SPDX-License-Identifier: MIT
// The dataset on disk: make_dataset draws, renders and writes the splits; the JSONL readers and
// writers (items: image, question, answer, family, scoring, gen_length, scene; scenes: id, image,
// background, objects).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cachelens/atomic_file.h"
#include "cachelens/dataset.h"
#include "cachelens/error.h"
#include "dataset/scene_internal.h"

namespace cachelens {
namespace {

namespace fs = std::filesystem;
using dataset::Rng;

struct Split {
  std::string name;
  int64_t scenes;
  uint64_t stream;  // fixed per split, so each split's draws are independent of the others' sizes
  std::vector<Scene> drawn;
};

std::string scene_id(const std::string& split, int64_t index) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(index));
  return split + "-" + digits;
}

// `count` questions of the scene, taking families in turn from `cursor` (which carries on across
// the split's scenes, so each family gets its share) and skipping those the scene has none of.
std::vector<VqaItem> sample_questions(std::vector<VqaItem> all, int64_t count, Rng& rng,
                                      size_t* cursor) {
  const auto& families = vqa_families();
  std::vector<std::vector<VqaItem>> by_family(families.size());
  for (VqaItem& item : all) {
    const size_t f =
        size_t(std::find(families.begin(), families.end(), item.family) - families.begin());
    by_family.at(f).push_back(std::move(item));
  }
  std::vector<VqaItem> out;
  while (int64_t(out.size()) < count) {
    size_t f = *cursor, tried = 0;
    while (tried < families.size() && by_family[f].empty()) {
      f = (f + 1) % families.size();
      ++tried;
    }
    if (tried == families.size()) break;  // the scene has no questions left
    auto& pool = by_family[f];
    const size_t k = size_t(dataset::uniform_int(rng, int64_t(pool.size())));
    out.push_back(std::move(pool[k]));
    pool.erase(pool.begin() + std::ptrdiff_t(k));
    *cursor = (f + 1) % families.size();
  }
  return out;
}

const std::string& string_field(const nlohmann::json& object, const std::string& field,
                                const std::string& where) {
  const auto it = object.find(field);
  if (it == object.end()) fail(where, ": missing field '", field, "'");
  if (!it->is_string()) fail(where, ": field '", field, "' must be a string");
  return it->get_ref<const std::string&>();
}

// A string field whose value must be one of `names` (a closed vocabulary).
const std::string& one_of(const nlohmann::json& object, const std::string& field,
                          const std::vector<std::string>& names, const std::string& where) {
  const std::string& value = string_field(object, field, where);
  if (std::find(names.begin(), names.end(), value) == names.end())
    fail(where, ": field '", field, "' is '", value, "', expected one of ", join_names(names));
  return value;
}

// A JSONL file's image path, made absolute against the file's folder.
std::string image_path(const fs::path& folder, const fs::path& image) {
  return (image.is_absolute() ? image : folder / image).lexically_normal().string();
}

// Calls `fn` with each non-blank line's JSON object and a "'FILE' line N" prefix for errors.
void for_each_jsonl_object(
    const fs::path& file,
    const std::function<void(const nlohmann::json&, const std::string&)>& fn) {
  const std::string text = read_text_file(file);
  std::istringstream in(text);
  int64_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = "'" + file.string() + "' line " + std::to_string(number);
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      fail(where, ": malformed JSON (", e.what(), ")");
    }
    if (!object.is_object()) fail(where, ": expected a JSON object");
    fn(object, where);
  }
}

void check(const DatasetOptions& options) {
  if (options.train_scenes < 0 || options.val_scenes < 0 || options.test_scenes < 0)
    fail("make_dataset: scene counts must not be negative");
  if (options.questions_per_scene < 0)
    fail("make_dataset: questions_per_scene must not be negative, got ",
         options.questions_per_scene);
  if (options.image_side < 8 || options.image_side > 4096)
    fail("make_dataset: image_side must be 8..4096 pixels, got ", options.image_side);
  if (options.max_objects < 0)
    fail("make_dataset: max_objects must not be negative, got ", options.max_objects);
  const auto& known = vqa_families();
  for (const std::string& family : options.families) {
    if (std::find(known.begin(), known.end(), family) == known.end()) {
      fail("make_dataset: unknown question family '", family, "', expected one of ",
           join_names(known));
    }
  }
}

// Whether the curriculum filters keep this question of this scene.
bool kept(const DatasetOptions& options, const Scene& scene, const VqaItem& item) {
  if (options.max_objects > 0 && int64_t(scene.objects.size()) > options.max_objects) return false;
  return options.families.empty() || std::find(options.families.begin(), options.families.end(),
                                               item.family) != options.families.end();
}

std::vector<Split> draw_splits(const DatasetOptions& options) {
  check(options);
  std::vector<Split> splits = {{"train", options.train_scenes, 1, {}},
                               {"val", options.val_scenes, 2, {}},
                               {"test", options.test_scenes, 3, {}}};
  std::set<std::string> keys;
  for (auto split = splits.rbegin(); split != splits.rend(); ++split) {
    Rng rng(dataset::mix_seed(options.seed, split->stream));
    for (int64_t i = 0; i < split->scenes; ++i) {
      Scene scene;
      do scene = dataset::random_scene(rng, scene_id(split->name, i));
      while (!keys.insert(scene_content_key(scene)).second);
      split->drawn.push_back(std::move(scene));
    }
  }
  return splits;
}

}  // namespace

DatasetScenes draw_dataset_scenes(const DatasetOptions& options) {
  std::vector<Split> splits = draw_splits(options);
  return {std::move(splits[0].drawn), std::move(splits[1].drawn), std::move(splits[2].drawn)};
}

void make_dataset(const DatasetOptions& options) {
  if (options.out.empty()) fail("make_dataset: no output folder given");
  const std::vector<Split> splits = draw_splits(options);
  const int64_t total = options.train_scenes + options.val_scenes + options.test_scenes;
  int64_t done = 0;
  for (const Split& split : splits) {
    const uint64_t split_seed = dataset::mix_seed(options.seed, split.stream);
    Rng sampler(dataset::mix_seed(options.seed, split.stream + 100));  // its own stream
    size_t cursor = size_t(dataset::uniform_int(sampler, int64_t(vqa_families().size())));
    const fs::path image_folder = fs::path("images") / split.name;
    std::vector<VqaItem> items;
    std::vector<SceneRecord> pictured;
    for (size_t i = 0; i < split.drawn.size(); ++i) {
      const Scene& scene = split.drawn[i];
      std::vector<VqaItem> questions =
          questions_for_scene(scene, dataset::mix_seed(split_seed, i), options.style);
      if (options.questions_per_scene > 0)
        questions =
            sample_questions(std::move(questions), options.questions_per_scene, sampler, &cursor);
      // Filtered only after sampling, so the sampler's stream and cursor match the unfiltered set.
      questions.erase(
          std::remove_if(questions.begin(), questions.end(),
                         [&](const VqaItem& item) { return !kept(options, scene, item); }),
          questions.end());
      const fs::path image = image_folder / (scene.id + ".png");
      if (!questions.empty()) {
        save_png(render_scene(scene, options.image_side), options.out / image);
        pictured.push_back({scene, image.generic_string()});
      }
      for (VqaItem& item : questions) {
        item.image = image.generic_string();
        items.push_back(std::move(item));
      }
      ++done;
      if (options.on_progress && !options.on_progress(double(done) / double(total)))
        throw Cancelled();
    }
    save_vqa_jsonl(items, options.out / (split.name + ".jsonl"));
    save_scenes_jsonl(pictured, options.out / (split.name + "-scenes.jsonl"));
  }
}

void save_scenes_jsonl(const std::vector<SceneRecord>& scenes, const fs::path& file) {
  std::string text;
  for (const SceneRecord& record : scenes) {
    nlohmann::json objects = nlohmann::json::array();
    for (const SceneObject& o : record.scene.objects) {
      objects.push_back({{"shape", o.shape},
                         {"colour", o.colour},
                         {"size", o.size},
                         {"x", o.x},
                         {"y", o.y},
                         {"radius", o.radius}});
    }
    const nlohmann::json line = {{"id", record.scene.id},
                                 {"image", record.image},
                                 {"background", record.scene.background},
                                 {"objects", objects}};
    text += line.dump() + "\n";
  }
  write_text_atomically(file, text);
}

std::vector<SceneRecord> load_scenes_jsonl(const fs::path& file) {
  const fs::path folder = fs::absolute(file).parent_path();
  static const std::vector<std::string> sizes = {"small", "large"};
  const auto number = [](const nlohmann::json& object, const std::string& field,
                         const std::string& where) {
    const auto it = object.find(field);
    if (it == object.end() || !it->is_number())
      fail(where, ": field '", field, "' must be a number");
    const double v = it->get<double>();
    if (!(v >= 0.0 && v <= 1.0))
      fail(where, ": field '", field, "' must be a fraction of the image side (0..1), got ", v);
    return v;
  };
  std::vector<SceneRecord> scenes;
  for_each_jsonl_object(file, [&](const nlohmann::json& object, const std::string& where) {
    SceneRecord record;
    record.scene.id = string_field(object, "id", where);
    record.image = image_path(folder, string_field(object, "image", where));
    record.scene.background = one_of(object, "background", scene_backgrounds(), where);
    const auto objects = object.find("objects");
    if (objects == object.end() || !objects->is_array())
      fail(where, ": field 'objects' must be an array");
    for (size_t k = 0; k < objects->size(); ++k) {
      const auto& o = (*objects)[k];
      const std::string at = where + " object " + std::to_string(k);
      if (!o.is_object()) fail(at, ": expected a JSON object");
      SceneObject obj;
      obj.shape = one_of(o, "shape", scene_shapes(), at);
      obj.colour = one_of(o, "colour", scene_colours(), at);
      obj.size = one_of(o, "size", sizes, at);
      obj.x = number(o, "x", at);
      obj.y = number(o, "y", at);
      obj.radius = number(o, "radius", at);
      record.scene.objects.push_back(std::move(obj));
    }
    scenes.push_back(std::move(record));
  });
  return scenes;
}

void save_vqa_jsonl(const std::vector<VqaItem>& items, const fs::path& file) {
  std::string text;
  for (const VqaItem& item : items) {
    const nlohmann::json line = {{"image", item.image},     {"question", item.question},
                                 {"answer", item.answer},   {"family", item.family},
                                 {"scoring", item.scoring}, {"gen_length", item.gen_length},
                                 {"scene", item.scene}};
    text += line.dump() + "\n";
  }
  write_text_atomically(file, text);
}

std::vector<VqaItem> load_vqa_jsonl(const fs::path& file) {
  const fs::path folder = fs::absolute(file).parent_path();
  std::vector<VqaItem> items;
  for_each_jsonl_object(file, [&](const nlohmann::json& object, const std::string& where) {
    VqaItem item;
    item.image = image_path(folder, string_field(object, "image", where));
    item.question = string_field(object, "question", where);
    item.answer = string_field(object, "answer", where);
    item.family = string_field(object, "family", where);
    item.scoring = one_of(object, "scoring", vqa_scoring_rules(), where);
    if (object.contains("gen_length")) {
      const auto& length = object["gen_length"];
      if (!length.is_number_integer() || length.get<int64_t>() < 1)
        fail(where, ": field 'gen_length' must be a positive integer");
      item.gen_length = length.get<int64_t>();
    }
    if (object.contains("scene")) item.scene = string_field(object, "scene", where);
    items.push_back(std::move(item));
  });
  return items;
}

std::vector<VqaItem> with_images_swapped(const std::vector<VqaItem>& items) {
  std::vector<std::string> images;  // distinct, in first-appearance order
  std::map<std::string, size_t> position;
  for (const auto& item : items) {
    if (position.emplace(item.image, images.size()).second) images.push_back(item.image);
  }
  if (images.size() < 2) {
    fail("swapping images needs a set with at least two different images, got ", images.size());
  }
  std::vector<VqaItem> out = items;
  for (auto& item : out) item.image = images[(position.at(item.image) + 1) % images.size()];
  return out;
}

}  // namespace cachelens

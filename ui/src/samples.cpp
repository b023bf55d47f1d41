// SPDX-License-Identifier: MIT
#include "samples.h"

#include <algorithm>
#include <exception>

#include "cachelens/dataset.h"
#include "cachelens/resources.h"

namespace cachelens::ui {

std::vector<Sample> bundled_samples() {
  std::vector<Sample> samples;
  const auto file = resources_dir() / "eval" / "shapes-test.jsonl";
  std::vector<VqaItem> items;
  try {
    items = load_vqa_jsonl(file);
  } catch (const std::exception&) {
    return samples;
  }
  // Items the embedded model answers correctly come first, then the first item of each
  // long-answer family that has none there.
  std::vector<size_t> picks = embedded_model_known_good_items();
  for (const char* family : {"describe", "reasoning"}) {
    const auto in_family = [&](size_t i) { return i < items.size() && items[i].family == family; };
    if (std::any_of(picks.begin(), picks.end(), in_family)) continue;
    for (size_t i = 0; i < items.size(); ++i) {
      if (in_family(i)) {
        picks.push_back(i);
        break;
      }
    }
  }
  for (size_t i : picks) {
    if (i >= items.size()) continue;
    const VqaItem& item = items[i];
    Sample s;
    s.title = QStringLiteral("%1: %2").arg(QString::fromStdString(item.family),
                                           QString::fromStdString(item.question));
    s.image = QString::fromStdString((file.parent_path() / item.image).string());
    s.question = QString::fromStdString(item.question);
    s.expected = QString::fromStdString(item.answer);
    s.gen_length = static_cast<int>(item.gen_length);
    samples.push_back(s);
  }
  return samples;
}

}  // namespace cachelens::ui

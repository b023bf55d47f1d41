// SPDX-License-Identifier: MIT
#include "cachelens/resources.h"

#include <cstdlib>
#include <system_error>

namespace cachelens {
namespace fs = std::filesystem;

const char* const kEmbeddedModelName = "lladav-shapes-2.6m";

fs::path resources_dir() {
  if (const char* env = std::getenv("CACHELENS_RESOURCES"); env && *env) return env;
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "cachelens" / "resources";
    if (fs::is_directory(installed, ec)) return installed;
  }
  return fs::path(CACHELENS_SOURCE_RESOURCES);
}

fs::path embedded_model_dir() {
  return resources_dir() / "models" / kEmbeddedModelName;
}

const std::vector<size_t>& embedded_model_known_good_items() {
  // shape (a five-shape scene, first so that it is the app's first sample), colour (five
  // shapes), position (five), count of all shapes (four), exists (yes, five), a step-by-step count
  // over two shapes (its final answer; the model's counts carry no lists, the reference's do), a
  // full description of four shapes, word for word, and a relation asked with "below" (answered
  // "The blue cross is above the red triangle, so the answer is yes."); each is wrong with
  // swapped pictures (eval --swap-images).
  static const std::vector<size_t> items = {39, 36, 458, 124, 41, 378, 89, 467};
  return items;
}

}  // namespace cachelens

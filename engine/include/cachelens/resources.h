// SPDX-License-Identifier: MIT
// Where the bundled resources are: the embedded model, the sample images and the eval set.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace cachelens {

// The folder name of the embedded model under resources/models.
extern const char* const kEmbeddedModelName;

// The resources folder: $CACHELENS_RESOURCES when set; else ../share/cachelens/resources next to
// the running executable (an installed package); else the source tree's resources/ (a build).
std::filesystem::path resources_dir();
// resources_dir()/models/<kEmbeddedModelName>.
std::filesystem::path embedded_model_dir();
// Items of resources/eval/shapes-test.jsonl (0-based) that the embedded model answers correctly
// with default decoding and no cache, one per family where it names the right objects, chosen from
// its eval run (MODEL_CARD.md). Its test checks them; the app offers them first as samples.
const std::vector<size_t>& embedded_model_known_good_items();

}  // namespace cachelens

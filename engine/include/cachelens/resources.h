// SPDX-License-Identifier: MIT
// Where the bundled resources are: the embedded model, the sample images and the eval set.
#pragma once

#include <filesystem>

namespace cachelens {

// The folder name of the embedded model under resources/models.
extern const char* const kEmbeddedModelName;

// The resources folder: $CACHELENS_RESOURCES when set; else ../share/cachelens/resources next to
// the running executable (an installed package); else the source tree's resources/ (a build).
std::filesystem::path resources_dir();
// resources_dir()/models/<kEmbeddedModelName>.
std::filesystem::path embedded_model_dir();

}  // namespace cachelens

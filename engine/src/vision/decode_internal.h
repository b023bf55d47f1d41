// SPDX-License-Identifier: MIT
// Pieces shared by the stb_image decoder and the optional OpenCV fallback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "cachelens/image.h"

namespace cachelens::vision {

// Limits that keep a corrupt header from asking for gigabytes before anything is decoded.
constexpr int64_t kMaxImageSide = 32768;
constexpr int64_t kMaxImagePixels = 200'000'000;

// Fails, naming `origin`, when a width or height is 0 or past the limits above.
void check_image_dimensions(int64_t width, int64_t height, const std::string& origin);

// OpenCV's imdecode for the formats stb_image lacks (TIFF, WebP, ...). Returns false when OpenCV
// is not built in or cannot read the bytes either; `why` then says what OpenCV reported, if any.
bool decode_with_opencv(const uint8_t* data, size_t size, const std::string& origin, Image* out,
                        std::string* why);

}  // namespace cachelens::vision

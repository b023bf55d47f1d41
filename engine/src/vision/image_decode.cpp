// SPDX-License-Identifier: MIT
// File bytes to RGB8 with stb_image (PNG, JPEG, BMP, GIF, PNM); OpenCV, when built in, only for
// what stb does not recognise (TIFF, WebP, ...).
//
// What matches PIL's Image.open(...).convert("RGB"): grey is replicated to three channels, alpha is
// dropped without compositing, palettes are expanded, EXIF orientation is ignored, a GIF gives its
// first frame. 16-bit samples keep their high byte (v >> 8), which is what PIL does for 16-bit
// RGB(A) PNGs; PIL saturates 16-bit grey instead (mode "I" clipped to 255), which we do not copy.
// Known difference: stb's JPEG colour conversion and upsampling differ from libjpeg's (PIL's) by up
// to 3 levels on a few percent of the samples of colour JPEGs; grey JPEGs and lossless formats
// match.
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <system_error>

#include "cachelens/error.h"
#include "cachelens/image.h"
#include "vision/decode_internal.h"

// The one stb_image implementation in the engine; formats PIL reads too, TGA left out because its
// loose header test takes random bytes for an image.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_NO_STDIO
#define STBI_FAILURE_USERMSG
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_ONLY_PNM
#include <stb_image.h>

namespace cachelens {

namespace vision {

void check_image_dimensions(int64_t width, int64_t height, const std::string& origin) {
  if (width <= 0 || height <= 0) {
    fail("image '", origin, "' has no pixels (", width, " x ", height, ")");
  }
  if (width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels) {
    fail("image '", origin, "' is too large: ", width, " x ", height, " (the limit is ",
         kMaxImageSide, " pixels a side and ", kMaxImagePixels / 1'000'000, " megapixels)");
  }
}

}  // namespace vision

namespace {

const char* stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason ? reason : "unknown error";
}

#ifdef CACHELENS_HAVE_OPENCV
constexpr const char* kFormats =
    "PNG, JPEG, BMP, GIF, PNM, and what OpenCV reads (TIFF, WebP, ...)";
#else
constexpr const char* kFormats = "PNG, JPEG, BMP, GIF, PNM";
#endif

// Formats stb_image decodes itself, by signature; for these it is the only decoder, so results do
// not depend on whether OpenCV was built in, and OpenCV's codecs never see (and print about) a
// corrupt file. Returns the format's name, or nullptr.
const char* stb_format(const uint8_t* data, size_t size) {
  auto starts = [&](const char* magic, size_t n) {
    return size >= n && std::memcmp(data, magic, n) == 0;
  };
  if (starts("\x89PNG", 4)) return "PNG";
  if (starts("\xFF\xD8", 2)) return "JPEG";
  if (starts("GIF8", 4)) return "GIF";
  if (starts("BM", 2)) return "BMP";
  if (starts("P5", 2) || starts("P6", 2)) return "PNM";
  return nullptr;
}

}  // namespace

Image decode_image(const uint8_t* data, size_t size, const std::string& origin) {
  if (size == 0 || data == nullptr) fail("image '", origin, "' is empty (0 bytes)");
  if (size > size_t(INT_MAX)) fail("image '", origin, "' is too large (", size, " bytes)");
  const int length = int(size);

  Image image;
  std::string opencv_why;
  int width = 0, height = 0, channels = 0;
  const char* format = stb_format(data, size);
  if (!stbi_info_from_memory(data, length, &width, &height, &channels)) {
    const std::string reason = stb_reason();
    if (format) {
      fail("cannot decode image '", origin, "': it starts like a ", format,
           " file but its header is corrupt or truncated (", reason, ")");
    }
    if (vision::decode_with_opencv(data, size, origin, &image, &opencv_why)) return image;
    fail("'", origin, "' is not an image that can be read (", reason,
         opencv_why.empty() ? "" : "; OpenCV: ", opencv_why, "); supported formats: ", kFormats);
  }
  // Checked before decoding so a corrupt header cannot make stb allocate gigabytes.
  vision::check_image_dimensions(width, height, origin);

  // Asking for 3 channels makes stb replicate grey, drop alpha and take the high byte of 16-bit.
  stbi_uc* pixels = stbi_load_from_memory(data, length, &width, &height, &channels, 3);
  if (!pixels) {
    fail("cannot decode image '", origin, "': ", stb_reason(),
         " (the file is corrupt or truncated)");
  }
  image.width = width;
  image.height = height;
  image.rgb.assign(pixels, pixels + size_t(width) * height * 3);
  stbi_image_free(pixels);
  return image;
}

Image load_image(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  const std::string name = file.string();
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (!fs::exists(status)) fail("image file '", name, "' does not exist");
  if (fs::is_directory(status)) fail("'", name, "' is a folder, not an image file");

  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) fail("cannot open image file '", name, "': ", std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) fail("cannot read image file '", name, "'");
  if (size == 0) fail("image file '", name, "' is empty (0 bytes)");
  if (size > std::streamoff(INT_MAX))
    fail("image file '", name, "' is too large (", size, " bytes)");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    fail("cannot read image file '", name, "': ", std::strerror(errno));
  }
  return decode_image(bytes.data(), bytes.size(), name);
}

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// PNG out, with stb_image_write: encoded to memory, then written atomically.
#include <string>

#include "cachelens/atomic_file.h"
#include "cachelens/error.h"
#include "cachelens/image.h"

// The one stb_image_write implementation in the engine (static, so a test may have its own).
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>

namespace cachelens {

void save_png(const Image& image, const std::filesystem::path& file) {
  if (image.width < 1 || image.height < 1 ||
      image.rgb.size() != size_t(image.width) * image.height * 3)
    fail("cannot write '", file.string(), "': image is ", image.width, "x", image.height, " with ",
         image.rgb.size(), " bytes, expected width * height * 3");
  std::string bytes;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
  };
  if (!stbi_write_png_to_func(append, &bytes, image.width, image.height, 3, image.rgb.data(),
                              image.width * 3))
    fail("cannot encode '", file.string(), "' as PNG");
  write_text_atomically(file, bytes);
}

}  // namespace cachelens

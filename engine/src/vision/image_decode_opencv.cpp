// SPDX-License-Identifier: MIT
// Fallback decoder for formats stb_image does not read; compiled to a stub without OpenCV.
#include "vision/decode_internal.h"

#ifdef CACHELENS_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#endif

namespace cachelens::vision {

#ifdef CACHELENS_HAVE_OPENCV

bool decode_with_opencv(const uint8_t* data, size_t size, const std::string& origin, Image* out,
                        std::string* why) {
  if (size > size_t(INT32_MAX)) return false;
  cv::Mat decoded;
  try {
    const cv::Mat bytes(1, int(size), CV_8UC1, const_cast<uint8_t*>(data));
    // PIL's Image.open does not apply EXIF orientation, so OpenCV must not either; IMREAD_COLOR
    // also reduces 16-bit samples to 8 bits and expands grey and palette to three channels.
    decoded = cv::imdecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    if (why) *why = e.what();
    return false;
  }
  if (decoded.empty() || decoded.type() != CV_8UC3) return false;
  check_image_dimensions(decoded.cols, decoded.rows, origin);
  out->width = decoded.cols;
  out->height = decoded.rows;
  out->rgb.resize(size_t(out->width) * out->height * 3);
  for (int y = 0; y < decoded.rows; ++y) {
    const uint8_t* bgr = decoded.ptr<uint8_t>(y);
    uint8_t* rgb = out->rgb.data() + size_t(y) * out->width * 3;
    for (int x = 0; x < decoded.cols; ++x) {
      rgb[3 * x + 0] = bgr[3 * x + 2];
      rgb[3 * x + 1] = bgr[3 * x + 1];
      rgb[3 * x + 2] = bgr[3 * x + 0];
    }
  }
  return true;
}

#else

bool decode_with_opencv(const uint8_t*, size_t, const std::string&, Image*, std::string*) {
  return false;
}

#endif

}  // namespace cachelens::vision

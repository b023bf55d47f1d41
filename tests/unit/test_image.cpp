// SPDX-License-Identifier: MIT
// Image decoding (every layout PIL's convert("RGB") handles, and the error messages) and the
// PIL-exact bicubic resampler. Pillow values come from scripts/gen_image_reference.py; the small
// fixtures under tests/data/images/ were written by the same script.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cachelens/error.h"
#include "cachelens/image.h"
#include "test_support.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>

namespace cachelens {
namespace {

namespace fs = std::filesystem;

fs::path fixture(const std::string& name) {
  return test::source_dir() / "tests" / "data" / "images" / name;
}

uint64_t fnv1a64(const std::vector<uint8_t>& data) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : data) h = (h ^ b) * 0x100000001b3ull;
  return h;
}

// Deterministic pixels with `comp` channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
std::vector<uint8_t> samples(int w, int h, int comp) {
  std::vector<uint8_t> v(size_t(w) * h * comp);
  for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t((i * 37 + i / 5 * 11) & 255);
  return v;
}

// What convert("RGB") makes of `comp`-channel pixels: grey replicated, alpha dropped.
std::vector<uint8_t> as_rgb(const std::vector<uint8_t>& v, int comp) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < v.size(); i += comp) {
    for (int c = 0; c < 3; ++c) out.push_back(comp < 3 ? v[i] : v[i + c]);
  }
  return out;
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// A PNG signature and IHDR only; stb_image reads the size from it without checking the CRC.
std::string png_header(uint32_t w, uint32_t h) {
  std::string s = "\x89PNG\r\n\x1a\n";
  auto be32 = [&s](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(char((v >> shift) & 0xff));
  };
  be32(13);
  s += "IHDR";
  be32(w);
  be32(h);
  s += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB
  be32(0);                                      // CRC
  return s;
}

std::string error_of(const fs::path& file) {
  try {
    load_image(file);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// --- decoding -----------------------------------------------------------------------------------

TEST(Decode, PngEveryChannelLayout) {
  test::TempDir dir;
  const int w = 7, h = 5;
  for (int comp = 1; comp <= 4; ++comp) {
    SCOPED_TRACE("channels " + std::to_string(comp));
    const auto pixels = samples(w, h, comp);
    const fs::path file = dir / ("c" + std::to_string(comp) + ".png");
    ASSERT_TRUE(stbi_write_png(file.c_str(), w, h, comp, pixels.data(), w * comp));
    const Image image = load_image(file);
    EXPECT_EQ(image.width, w);
    EXPECT_EQ(image.height, h);
    EXPECT_EQ(image.rgb, as_rgb(pixels, comp));
  }
}

TEST(Decode, Bmp) {
  test::TempDir dir;
  const auto pixels = samples(9, 4, 3);
  ASSERT_TRUE(stbi_write_bmp((dir / "a.bmp").c_str(), 9, 4, 3, pixels.data()));
  const Image image = load_image(dir / "a.bmp");
  EXPECT_EQ(image.width, 9);
  EXPECT_EQ(image.height, 4);
  EXPECT_EQ(image.rgb, pixels);
}

TEST(Decode, JpegRgbIsCloseToTheSource) {
  // Flat 8x8 blocks at quality 100 (no chroma subsampling) decode to within a few levels.
  test::TempDir dir;
  const int colours[4][3] = {{200, 30, 40}, {20, 180, 60}, {10, 20, 230}, {128, 128, 128}};
  std::vector<uint8_t> pixels(16 * 16 * 3);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      for (int c = 0; c < 3; ++c)
        pixels[(y * 16 + x) * 3 + c] = uint8_t(colours[y / 8 * 2 + x / 8][c]);
    }
  }
  ASSERT_TRUE(stbi_write_jpg((dir / "a.jpg").c_str(), 16, 16, 3, pixels.data(), 100));
  const Image image = load_image(dir / "a.jpg");
  ASSERT_EQ(image.width, 16);
  ASSERT_EQ(image.height, 16);
  int worst = 0;
  for (size_t i = 0; i < pixels.size(); ++i)
    worst = std::max(worst, std::abs(image.rgb[i] - pixels[i]));
  EXPECT_LE(worst, 3);
}

TEST(Decode, GrayJpegMatchesPillow) {
  const Image image = load_image(fixture("gray.jpg"));
  ASSERT_EQ(image.width, 8);
  ASSERT_EQ(image.height, 8);
  const uint8_t ramp[64] = {0,   32,  64,  96,  128, 160, 191, 224, 4,   36,  68,  100, 132,
                            164, 195, 228, 8,   41,  72,  104, 136, 168, 200, 233, 12,  44,
                            76,  108, 140, 172, 203, 236, 16,  49,  80,  112, 144, 176, 208,
                            240, 19,  52,  84,  116, 148, 180, 211, 244, 24,  57,  88,  120,
                            152, 184, 216, 248, 28,  61,  92,  124, 156, 188, 220, 252};
  for (int i = 0; i < 64; ++i) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(image.rgb[i * 3 + c], ramp[i]) << "pixel " << i;
  }
}

TEST(Decode, PaletteWithTransparencyKeepsColours) {
  const Image image = load_image(fixture("palette.png"));
  ASSERT_EQ(image.width, 3);
  ASSERT_EQ(image.height, 2);
  EXPECT_EQ(image.rgb, (std::vector<uint8_t>{255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 0, 0, 255,
                                             0, 255, 0}));
}

TEST(Decode, GifFirstFrame) {
  const Image image = load_image(fixture("frames.gif"));
  ASSERT_EQ(image.width, 4);
  ASSERT_EQ(image.height, 2);
  EXPECT_EQ(image.rgb,
            (std::vector<uint8_t>{0, 0,   0,   255, 255, 255, 200, 100, 50,  5, 150, 250,
                                  5, 150, 250, 200, 100, 50,  255, 255, 255, 0, 0,   0}));
}

TEST(Decode, SixteenBitKeepsTheHighByte) {
  // RGB and RGBA: the same bytes as Pillow.
  const std::vector<uint8_t> pillow{18, 255, 0, 171, 1, 127};
  EXPECT_EQ(load_image(fixture("rgb16.png")).rgb, pillow);
  EXPECT_EQ(load_image(fixture("rgba16.png")).rgb, pillow);
  // Grey 0x0000, 0x8000, 0xFFFF. Pillow opens this as mode "I" and convert("RGB") saturates it
  // to 0, 255, 255; the high byte is the documented choice here.
  EXPECT_EQ(load_image(fixture("gray16.png")).rgb,
            (std::vector<uint8_t>{0, 0, 0, 128, 128, 128, 255, 255, 255}));
}

TEST(Decode, FromMemoryEqualsFromFile) {
  std::ifstream in(fixture("palette.png"), std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  const Image image = decode_image(bytes.data(), bytes.size(), "palette (memory)");
  EXPECT_EQ(image.rgb, load_image(fixture("palette.png")).rgb);
}

TEST(Decode, TiffOnlyThroughOpenCV) {
  // stb_image has no TIFF reader: with OpenCV built in the pixels come back, without it the error
  // says which formats are supported.
  try {
    const Image image = load_image(fixture("tiny.tif"));
    ASSERT_EQ(image.width, 3);
    ASSERT_EQ(image.height, 2);
    std::vector<uint8_t> want;
    for (int v = 10; v < 190; v += 10) want.push_back(uint8_t(v));
    EXPECT_EQ(image.rgb, want);
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "tiny.tif")) << e.what();
    EXPECT_TRUE(contains(e.what(), "supported formats: PNG, JPEG, BMP, GIF, PNM")) << e.what();
  }
}

// --- decoding errors: each names the file ------------------------------------------------------

TEST(DecodeErrors, MissingFile) {
  test::TempDir dir;
  const std::string message = error_of(dir / "no-such-image.png");
  EXPECT_TRUE(contains(message, "no-such-image.png")) << message;
  EXPECT_TRUE(contains(message, "does not exist")) << message;
}

TEST(DecodeErrors, Folder) {
  test::TempDir dir;
  fs::create_directory(dir / "pictures.png");
  const std::string message = error_of(dir / "pictures.png");
  EXPECT_TRUE(contains(message, "pictures.png")) << message;
  EXPECT_TRUE(contains(message, "folder")) << message;
}

TEST(DecodeErrors, EmptyFile) {
  test::TempDir dir;
  write_bytes(dir / "empty.jpg", "");
  const std::string message = error_of(dir / "empty.jpg");
  EXPECT_TRUE(contains(message, "empty.jpg")) << message;
  EXPECT_TRUE(contains(message, "empty")) << message;
}

TEST(DecodeErrors, NotAnImage) {
  test::TempDir dir;
  write_bytes(dir / "notes.png", "this is a text file, not a picture\n");
  const std::string message = error_of(dir / "notes.png");
  EXPECT_TRUE(contains(message, "notes.png")) << message;
  EXPECT_TRUE(contains(message, "not an image")) << message;
  EXPECT_TRUE(contains(message, "not of any known type")) << message;  // stb_image's reason
}

TEST(DecodeErrors, TruncatedPng) {
  test::TempDir dir;
  const auto pixels = samples(32, 32, 3);
  int length = 0;
  unsigned char* png = stbi_write_png_to_mem(pixels.data(), 32 * 3, 32, 32, 3, &length);
  ASSERT_NE(png, nullptr);
  write_bytes(dir / "cut.png", std::string(reinterpret_cast<char*>(png), size_t(length) / 2));
  STBIW_FREE(png);
  const std::string message = error_of(dir / "cut.png");
  EXPECT_TRUE(contains(message, "cut.png")) << message;
  EXPECT_TRUE(contains(message, "orrupt")) << message;
}

TEST(DecodeErrors, AbsurdDimensions) {
  test::TempDir dir;
  write_bytes(dir / "wide.png", png_header(40000, 8));
  std::string message = error_of(dir / "wide.png");
  EXPECT_TRUE(contains(message, "wide.png")) << message;
  EXPECT_TRUE(contains(message, "too large")) << message;
  EXPECT_TRUE(contains(message, "40000 x 8")) << message;

  write_bytes(dir / "huge.png", png_header(20000, 11000));  // 220 megapixels
  message = error_of(dir / "huge.png");
  EXPECT_TRUE(contains(message, "huge.png")) << message;
  EXPECT_TRUE(contains(message, "too large")) << message;

  write_bytes(dir / "zero.png", png_header(0, 8));
  message = error_of(dir / "zero.png");  // stb_image rejects a 0-pixel PNG header itself
  EXPECT_TRUE(contains(message, "zero.png")) << message;
  EXPECT_TRUE(contains(message, "PNG file but its header is corrupt")) << message;
}

TEST(DecodeErrors, EmptyMemoryNamesTheOrigin) {
  try {
    decode_image(nullptr, 0, "upload #3");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "upload #3")) << e.what();
  }
}

// --- resize_bicubic against Pillow --------------------------------------------------------------

struct Sample {
  int x, y;
  uint8_t rgb[3];
};
struct ResizeCase {
  int src_w, src_h, dst_w, dst_h;
  uint64_t hash;
  Sample samples[6];
};

const ResizeCase kPillowCases[] = {
    // clang-format off
    {37, 23, 13, 9, 0x89121923c0299d07ull, {{0, 0, {7, 18, 80}}, {12, 0, {247, 139, 154}}, {0, 8, {7, 25, 94}}, {12, 8, {247, 128, 146}}, {6, 3, {127, 107, 114}}, {4, 4, {87, 115, 142}}}},
    {37, 23, 80, 50, 0xb0c1fa65ad63d764ull, {{0, 0, {0, 0, 0}}, {79, 0, {255, 255, 0}}, {0, 49, {0, 29, 255}}, {79, 49, {255, 0, 255}}, {40, 16, {129, 153, 241}}, {26, 25, {83, 107, 177}}}},
    {37, 23, 20, 23, 0x106e369a166e287dull, {{0, 0, {3, 3, 0}}, {19, 0, {251, 249, 125}}, {0, 22, {3, 34, 255}}, {19, 22, {251, 15, 130}}, {10, 7, {134, 119, 255}}, {6, 11, {81, 134, 132}}}},
    {37, 23, 61, 23, 0xbbd50b71154c9361ull, {{0, 0, {0, 0, 0}}, {60, 0, {255, 253, 0}}, {0, 22, {0, 28, 255}}, {60, 22, {255, 1, 255}}, {30, 7, {127, 167, 255}}, {20, 11, {85, 105, 245}}}},
    {37, 23, 37, 11, 0x2eddadc0dfcc3d12ull, {{0, 0, {0, 8, 31}}, {36, 0, {255, 140, 31}}, {0, 10, {0, 9, 99}}, {36, 10, {255, 142, 99}}, {18, 3, {127, 154, 197}}, {12, 5, {85, 116, 185}}}},
    {37, 23, 37, 40, 0xf50bc45c7af187a7ull, {{0, 0, {0, 0, 0}}, {36, 0, {255, 255, 0}}, {0, 39, {0, 31, 255}}, {36, 39, {255, 0, 255}}, {18, 13, {127, 158, 200}}, {12, 20, {85, 96, 193}}}},
    {37, 23, 50, 11, 0x0adba64546027f7eull, {{0, 0, {0, 8, 31}}, {49, 0, {255, 141, 31}}, {0, 10, {0, 9, 99}}, {49, 10, {255, 143, 99}}, {25, 3, {130, 142, 197}}, {16, 5, {83, 123, 157}}}},
    {37, 23, 384, 384, 0xb211c4c34930eeb5ull, {{0, 0, {0, 0, 0}}, {383, 0, {255, 255, 0}}, {0, 383, {0, 28, 255}}, {383, 383, {255, 0, 255}}, {192, 128, {127, 159, 217}}, {128, 192, {84, 107, 231}}}},
    {301, 217, 384, 384, 0xb479da6b2ffcb645ull, {{0, 0, {0, 0, 0}}, {383, 0, {255, 47, 0}}, {0, 383, {0, 255, 0}}, {383, 383, {255, 0, 0}}, {192, 128, {127, 233, 0}}, {128, 192, {85, 52, 255}}}},
    {301, 217, 97, 70, 0x23d33641a0660217ull, {{0, 0, {0, 23, 108}}, {96, 0, {254, 50, 141}}, {0, 69, {0, 123, 145}}, {96, 69, {254, 116, 116}}, {48, 23, {127, 137, 125}}, {32, 35, {85, 117, 127}}}},
    {301, 217, 5, 3, 0x0bc46d85d9e8962aull, {{0, 0, {26, 129, 127}}, {4, 0, {228, 129, 128}}, {0, 2, {26, 128, 128}}, {4, 2, {228, 127, 127}}, {2, 1, {127, 128, 127}}, {1, 1, {75, 127, 127}}}},
    // clang-format on
};

TEST(ResizeBicubic, MatchesPillowExactly) {
  for (const auto& c : kPillowCases) {
    SCOPED_TRACE(std::to_string(c.src_w) + "x" + std::to_string(c.src_h) + " -> " +
                 std::to_string(c.dst_w) + "x" + std::to_string(c.dst_h));
    const Image out = resize_bicubic(test::pattern_image(c.src_w, c.src_h), c.dst_w, c.dst_h);
    ASSERT_EQ(out.width, c.dst_w);
    ASSERT_EQ(out.height, c.dst_h);
    for (const auto& s : c.samples) {
      for (int ch = 0; ch < 3; ++ch) {
        EXPECT_EQ(out.at(s.x, s.y, ch), s.rgb[ch]) << "pixel " << s.x << "," << s.y << " c" << ch;
      }
    }
    EXPECT_EQ(fnv1a64(out.rgb), c.hash);
  }
}

TEST(ResizeBicubic, ShrinkEveryByteMatchesPillow) {  // 37x23 -> 13x9
  const std::vector<uint8_t> pillow = {
      // clang-format off
      7, 18, 80, 26, 38, 166, 46, 55, 91, 66, 77, 161, 87, 95, 98, 107, 118, 152, 127, 143, 108, 147, 151, 142, 167, 180, 120, 188, 207, 129, 208, 212, 132, 228, 202, 116, 247, 139, 154,
      7, 50, 137, 26, 66, 120, 46, 77, 135, 66, 104, 121, 87, 146, 134, 107, 184, 122, 127, 197, 132, 147, 150, 125, 167, 159, 129, 188, 169, 127, 208, 157, 127, 228, 125, 130, 247, 118, 122,
      7, 82, 146, 26, 99, 112, 46, 121, 142, 66, 179, 114, 87, 225, 139, 107, 219, 118, 127, 178, 135, 147, 141, 122, 167, 127, 131, 188, 154, 127, 208, 179, 126, 228, 186, 132, 247, 166, 117,
      7, 111, 95, 26, 144, 154, 46, 183, 103, 66, 222, 150, 87, 193, 107, 107, 132, 145, 127, 107, 114, 147, 145, 137, 167, 196, 122, 188, 192, 129, 208, 169, 131, 228, 113, 120, 247, 80, 146,
      7, 149, 150, 26, 147, 109, 46, 176, 145, 66, 172, 111, 87, 115, 142, 107, 118, 115, 127, 185, 137, 147, 193, 121, 167, 137, 131, 188, 81, 127, 208, 70, 125, 228, 52, 133, 247, 23, 115,
      7, 187, 130, 26, 197, 125, 46, 152, 130, 66, 136, 125, 87, 149, 129, 107, 210, 126, 127, 180, 129, 147, 92, 127, 167, 50, 128, 188, 52, 127, 208, 68, 127, 228, 69, 128, 247, 86, 126,
      7, 225, 101, 26, 193, 149, 46, 132, 107, 66, 151, 146, 87, 221, 111, 107, 177, 141, 127, 88, 117, 147, 42, 135, 167, 87, 123, 188, 82, 128, 208, 82, 130, 228, 142, 121, 247, 168, 142,
      7, 170, 160, 26, 94, 101, 46, 123, 152, 66, 163, 105, 87, 175, 148, 107, 102, 110, 127, 82, 141, 147, 52, 118, 167, 62, 133, 188, 124, 126, 208, 183, 124, 228, 162, 135, 247, 132, 109,
      7, 25, 94, 26, 71, 155, 46, 165, 102, 66, 190, 151, 87, 128, 107, 107, 143, 145, 127, 139, 114, 147, 56, 137, 167, 121, 122, 188, 206, 129, 208, 150, 131, 228, 106, 119, 247, 128, 146,
      // clang-format on
  };
  EXPECT_EQ(resize_bicubic(test::pattern_image(37, 23), 13, 9).rgb, pillow);
}

TEST(ResizeBicubic, IdentityReturnsTheSamePixels) {
  const Image in = test::pattern_image(31, 17);
  const Image out = resize_bicubic(in, 31, 17);
  EXPECT_EQ(out.width, 31);
  EXPECT_EQ(out.height, 17);
  EXPECT_EQ(out.rgb, in.rgb);
}

TEST(ResizeBicubic, FlatImagesStayFlat) {  // the normalised fixed-point weights sum to one
  Image in;
  in.width = 29;
  in.height = 13;
  in.rgb.assign(29 * 13 * 3, 0);
  for (size_t i = 0; i < in.rgb.size(); i += 3)
    in.rgb[i] = 200, in.rgb[i + 1] = 7, in.rgb[i + 2] = 255;
  for (const auto& [w, h] : std::vector<std::pair<int, int>>{{5, 3}, {64, 40}, {29, 100}, {1, 1}}) {
    const Image out = resize_bicubic(in, w, h);
    for (size_t i = 0; i < out.rgb.size(); i += 3) {
      ASSERT_EQ(out.rgb[i], 200);
      ASSERT_EQ(out.rgb[i + 1], 7);
      ASSERT_EQ(out.rgb[i + 2], 255);
    }
  }
}

TEST(ResizeBicubic, RejectsBadSizes) {
  EXPECT_THROW(resize_bicubic(test::pattern_image(4, 4), 0, 4), Error);
  EXPECT_THROW(resize_bicubic(Image{}, 4, 4), Error);
}

}  // namespace
}  // namespace cachelens

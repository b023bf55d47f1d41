// SPDX-License-Identifier: MIT
// Safetensors reading and writing: round trips, sharding, zero-copy views, and every corrupt file
// the reader must refuse with a message naming the file and tensor.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "cachelens/atomic_file.h"
#include "cachelens/error.h"
#include "cachelens/safetensors.h"
#include "test_support.h"

namespace cachelens {
namespace {

namespace fs = std::filesystem;
using test::expect_error;
using test::TempDir;
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// A safetensors file made by hand: 8-byte little-endian length, header text, data bytes.
void write_raw(const fs::path& file, const std::string& header, const std::string& data,
               uint64_t length_override = UINT64_MAX) {
  const uint64_t length = length_override == UINT64_MAX ? header.size() : length_override;
  std::ofstream out(file, std::ios::binary);
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((length >> (8 * i)) & 0xff));
  out << header << data;
}

std::string read_bytes(const fs::path& file) {
  return read_text_file(file);
}

NamedTensors every_dtype() {
  torch::manual_seed(7);
  const auto f = torch::randn({3, 5});
  return {
      {"f64", torch::randn({2, 3}, torch::kFloat64)},
      {"f32", f},
      {"f16", (f * 100).to(torch::kFloat16)},
      {"bf16", (f * 1e5).to(torch::kBFloat16)},  // large values: bf16's coarse steps must survive
      {"i64", torch::arange(-6, 6, torch::kInt64).reshape({3, 4})},
      {"i32", torch::tensor({-2147483647 - 1, 0, 2147483647}, torch::kInt32)},
      {"i16", torch::tensor({-32768, 1, 32767}, torch::kInt16)},
      {"i8", torch::tensor({-128, 5, 127}, torch::kInt8)},
      {"u8", torch::tensor({0, 200, 255}, torch::kUInt8)},
      {"bool", torch::tensor({true, false, true, true})},
      {"scalar", torch::tensor(3.5)},
      {"empty", torch::zeros({0, 4}, torch::kFloat32)},
  };
}

TEST(SafetensorsDType, NamesSizesAndTorchTypes) {
  EXPECT_STREQ(dtype_name(DType::BF16), "BF16");
  EXPECT_STREQ(dtype_name(DType::BOOL), "BOOL");
  EXPECT_EQ(dtype_size(DType::F64), 8);
  EXPECT_EQ(dtype_size(DType::BF16), 2);
  EXPECT_EQ(dtype_size(DType::U8), 1);
  EXPECT_EQ(to_torch(DType::BF16), torch::kBFloat16);
  EXPECT_EQ(to_torch(DType::F16), torch::kFloat16);
  EXPECT_EQ(from_torch(torch::kBFloat16), DType::BF16);
  EXPECT_EQ(from_torch(torch::kBool), DType::BOOL);
  for (DType d : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32,
                  DType::I16, DType::I8, DType::U8, DType::BOOL}) {
    EXPECT_EQ(from_torch(to_torch(d)), d);
    EXPECT_EQ(dtype_size(d), c10::elementSize(to_torch(d)));
  }
  expect_error([] { from_torch(torch::kComplexFloat); }, {"BF16"});
}

TEST(Safetensors, RoundTripEveryDtype) {
  TempDir dir;
  const auto tensors = every_dtype();
  write_safetensors(dir / "all.safetensors", tensors);
  const auto archive = SafetensorsArchive::open_files({dir / "all.safetensors"});
  ASSERT_EQ(archive.size(), tensors.size());
  for (const auto& [name, expected] : tensors) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(archive.contains(name));
    const torch::Tensor got = archive.tensor(name);
    EXPECT_EQ(got.scalar_type(), expected.scalar_type());
    EXPECT_EQ(got.sizes(), expected.sizes());
    EXPECT_TRUE(torch::equal(got, expected));
    EXPECT_EQ(archive.info(name).shape, expected.sizes().vec());
    EXPECT_EQ(archive.info(name).file, dir / "all.safetensors");
    EXPECT_EQ(archive.info(name).numel(), expected.numel());
  }
  EXPECT_EQ(archive.info("bf16").dtype, DType::BF16);
  EXPECT_EQ(archive.tensor("scalar").dim(), 0);
  EXPECT_EQ(archive.tensor("empty").numel(), 0);
  auto names = archive.names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(Safetensors, WrittenFileIsAlignedAndHoleFree) {
  TempDir dir;
  write_safetensors(dir / "a.safetensors", every_dtype());
  const std::string bytes = read_bytes(dir / "a.safetensors");
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<uint8_t>(bytes[i]);
  EXPECT_EQ((8 + length) % 8, 0u);
  const auto header = nlohmann::json::parse(bytes.substr(8, length));
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const auto& [name, entry] : header.items()) {
    const uint64_t begin = entry["data_offsets"][0];
    ranges.emplace_back(begin, entry["data_offsets"][1].get<uint64_t>());
    DType dtype = DType::F32;
    for (DType d : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32,
                    DType::I16, DType::I8, DType::U8, DType::BOOL}) {
      if (entry["dtype"] == dtype_name(d)) dtype = d;
    }
    EXPECT_EQ(begin % dtype_size(dtype), 0u) << name;
  }
  std::sort(ranges.begin(), ranges.end());
  uint64_t expected_begin = 0;
  for (const auto& [begin, end] : ranges) {
    EXPECT_EQ(begin, expected_begin);
    expected_begin = end;
  }
  EXPECT_EQ(8 + length + expected_begin, bytes.size());
}

TEST(Safetensors, MetadataRoundTrip) {
  TempDir dir;
  write_safetensors(dir / "m.safetensors", {{"w", torch::ones({2})}},
                    {{"format", "pt"}, {"note", "made by a test"}});
  const auto archive = SafetensorsArchive::open_files({dir / "m.safetensors"});
  EXPECT_EQ(archive.metadata().at("format"), "pt");
  EXPECT_EQ(archive.metadata().at("note"), "made by a test");
  EXPECT_EQ(archive.metadata().size(), 2u);
}

TEST(Safetensors, ViewsAreZeroCopyAndCopyOnWrite) {
  TempDir dir;
  const auto file = dir / "v.safetensors";
  const auto original = torch::arange(16, torch::kFloat32);
  write_safetensors(file, {{"w", original}});
  const std::string before = read_bytes(file);

  torch::Tensor view;
  {
    const auto archive = SafetensorsArchive::open_files({file});
    view = archive.tensor("w");
    EXPECT_EQ(archive.tensor("w").data_ptr(), view.data_ptr());  // both view the mapping
  }
  // The archive is gone; the view keeps its mapping alive and can be written privately.
  view.add_(100);
  EXPECT_EQ(view[3].item<float>(), 103.0f);
  EXPECT_EQ(read_bytes(file), before);
  const auto reopened = SafetensorsArchive::open_files({file});
  EXPECT_TRUE(torch::equal(reopened.tensor("w"), original));
}

TEST(Safetensors, MisalignedDataIsCopied) {
  TempDir dir;
  const auto file = dir / "odd.safetensors";
  // One byte of U8 first, so the F32 tensor starts at an odd address.
  const float values[2] = {1.5f, -2.25f};
  std::string data(1, '\x07');
  data.append(reinterpret_cast<const char*>(values), sizeof(values));
  write_raw(file,
            R"({"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
            R"("f":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})",
            data);
  const auto archive = SafetensorsArchive::open_files({file});
  const auto f = archive.tensor("f");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f.data_ptr()) % 4, 0u);
  EXPECT_TRUE(torch::equal(f, torch::tensor({1.5f, -2.25f})));
  EXPECT_EQ(archive.tensor("b").item<uint8_t>(), 7);
}

NamedTensors five_tensors() {
  NamedTensors tensors;
  for (int i = 0; i < 5; ++i)
    tensors.emplace_back("layer." + std::to_string(i), torch::full({100}, float(i)));  // 400 B
  return tensors;
}

TEST(Safetensors, ShardedWriteReadsThroughIndex) {
  TempDir dir;
  write_sharded_checkpoint(dir.path(), five_tensors(), 1000);
  for (const char* name : {"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                           "model-00003-of-00003.safetensors", "model.safetensors.index.json"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  EXPECT_FALSE(fs::exists(dir / "model.safetensors"));

  const auto index = nlohmann::json::parse(read_text_file(dir / "model.safetensors.index.json"));
  EXPECT_EQ(index["metadata"]["total_size"], 2000);
  EXPECT_EQ(index["weight_map"]["layer.0"], "model-00001-of-00003.safetensors");
  EXPECT_EQ(index["weight_map"]["layer.2"], "model-00002-of-00003.safetensors");
  EXPECT_EQ(index["weight_map"]["layer.4"], "model-00003-of-00003.safetensors");

  const auto archive = SafetensorsArchive::open_folder(dir.path());
  ASSERT_EQ(archive.size(), 5u);
  for (const auto& [name, expected] : five_tensors())
    EXPECT_TRUE(torch::equal(archive.tensor(name), expected)) << name;
  EXPECT_EQ(archive.info("layer.3").file, dir / "model-00002-of-00003.safetensors");
}

TEST(Safetensors, SingleShardHasNoIndexAndReplacesAnOldSave) {
  TempDir dir;
  write_sharded_checkpoint(dir.path(), five_tensors(), 1000);
  write_sharded_checkpoint(dir.path(), five_tensors(), 1 << 20);
  EXPECT_TRUE(fs::exists(dir / "model.safetensors"));
  EXPECT_FALSE(fs::exists(dir / "model.safetensors.index.json"));
  EXPECT_FALSE(fs::exists(dir / "model-00001-of-00003.safetensors"));
  const auto archive = SafetensorsArchive::open_folder(dir.path());
  EXPECT_EQ(archive.size(), 5u);
  EXPECT_EQ(archive.info("layer.4").file, dir / "model.safetensors");
}

TEST(Safetensors, TensorLargerThanTheLimitGetsItsOwnShard) {
  TempDir dir;
  write_sharded_checkpoint(dir.path(), five_tensors(), 100);
  EXPECT_TRUE(fs::exists(dir / "model-00005-of-00005.safetensors"));
  EXPECT_EQ(SafetensorsArchive::open_folder(dir.path()).size(), 5u);
}

TEST(Safetensors, FolderWithoutIndexReadsEveryShard) {
  TempDir dir;
  write_safetensors(dir / "b.safetensors", {{"y", torch::ones({2})}});
  write_safetensors(dir / "a.safetensors", {{"x", torch::zeros({3})}});
  write_text_atomically(dir / "config.json", "{}");
  const auto archive = SafetensorsArchive::open_folder(dir.path());
  EXPECT_EQ(archive.names(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(archive.info("y").file, dir / "b.safetensors");
  EXPECT_TRUE(torch::equal(archive.tensor("x"), torch::zeros({3})));
}

TEST(Safetensors, FolderErrors) {
  TempDir dir;
  expect_error([&] { SafetensorsArchive::open_folder(dir / "nope"); }, {"nope", "does not exist"});
  expect_error([&] { SafetensorsArchive::open_folder(dir.path()); },
               {dir.path().string(), "no *.safetensors"});
}

TEST(Safetensors, UnknownTensorNameIsNamed) {
  TempDir dir;
  write_safetensors(dir / "a.safetensors", {{"x", torch::zeros({3})}});
  const auto archive = SafetensorsArchive::open_files({dir / "a.safetensors"});
  expect_error([&] { archive.info("model.norm.weight"); }, {"model.norm.weight"});
  expect_error([&] { archive.tensor("missing.tensor"); }, {"missing.tensor"});
}

TEST(Safetensors, WriterRejectsBadInput) {
  TempDir dir;
  expect_error(
      [&] {
        write_safetensors(dir / "c.safetensors", {{"z", torch::zeros({2}, torch::kComplexFloat)}});
      },
      {"'z'", "c.safetensors"});
  expect_error(
      [&] {
        write_safetensors(dir / "d.safetensors",
                          {{"w", torch::zeros({2})}, {"w", torch::ones({2})}});
      },
      {"'w'", "twice"});
  EXPECT_FALSE(fs::exists(dir / "c.safetensors"));
  EXPECT_FALSE(fs::exists(dir / "d.safetensors"));
}

// --- corrupt files, each crafted byte by byte -------------------------------------------------

class CorruptSafetensors : public ::testing::Test {
 protected:
  fs::path file() const { return dir_ / "broken.safetensors"; }
  // Every open error must also name the file.
  void expect_open_error(std::vector<std::string> parts) const {
    parts.push_back("broken.safetensors");
    expect_error([&] { SafetensorsArchive::open_files({file()}); }, parts);
  }
  TempDir dir_;
};

TEST_F(CorruptSafetensors, FileShorterThanLengthField) {
  std::ofstream(file(), std::ios::binary) << "abc";
  expect_open_error({"too short"});
}

TEST_F(CorruptSafetensors, EmptyFile) {
  std::ofstream(file(), std::ios::binary).flush();
  expect_open_error({"too short"});
}

TEST_F(CorruptSafetensors, HeaderNotJson) {
  write_raw(file(), "{\"w\": {dtype", "");
  expect_open_error({"not valid JSON"});
}

TEST_F(CorruptSafetensors, HeaderNotAnObject) {
  write_raw(file(), "[1, 2]", "");
  expect_open_error({"JSON object"});
}

TEST_F(CorruptSafetensors, HeaderLengthPastEndOfFile) {
  write_raw(file(), "{}", "", 4096);
  expect_open_error({"header length 4096", "past the end"});
}

TEST_F(CorruptSafetensors, AbsurdHeaderLength) {
  write_raw(file(), "{}", "", uint64_t(1) << 40);
  expect_open_error({"implausible"});
}

TEST_F(CorruptSafetensors, TruncatedData) {
  write_raw(file(), R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
            std::string(8, '\0'));
  expect_open_error({"'w'", "truncated"});
}

TEST_F(CorruptSafetensors, OverlappingOffsets) {
  write_raw(file(),
            R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            std::string(12, '\0'));
  expect_open_error({"'a'", "'b'", "overlap"});
}

TEST_F(CorruptSafetensors, UnknownDtype) {
  write_raw(file(), R"({"w":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}})",
            std::string(1, '\0'));
  expect_open_error({"'w'", "F8_E9", "BF16"});
}

TEST_F(CorruptSafetensors, SizeMismatch) {
  write_raw(file(), R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
            std::string(8, '\0'));
  expect_open_error({"'w'", "[3]", "12"});
}

TEST_F(CorruptSafetensors, ReversedOffsets) {
  write_raw(file(), R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})",
            std::string(8, '\0'));
  expect_open_error({"'w'", "end before"});
}

TEST_F(CorruptSafetensors, NegativeDimension) {
  write_raw(file(), R"({"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})", "");
  expect_open_error({"'w'", "negative"});
}

TEST_F(CorruptSafetensors, MissingField) {
  write_raw(file(), R"({"w":{"shape":[1],"data_offsets":[0,4]}})", std::string(4, '\0'));
  expect_open_error({"'w'", "missing 'dtype'"});
}

TEST_F(CorruptSafetensors, MissingOffsets) {
  write_raw(file(), R"({"w":{"dtype":"F32","shape":[1]}})", std::string(4, '\0'));
  expect_open_error({"'w'", "missing 'data_offsets'"});
}

TEST_F(CorruptSafetensors, WrongFieldTypes) {
  write_raw(file(), R"({"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}})",
            std::string(4, '\0'));
  expect_open_error({"'w'", "'shape'"});
  write_raw(file(), R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})",
            std::string(4, '\0'));
  expect_open_error({"'w'", "'data_offsets'"});
  write_raw(file(), R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", std::string(4, '\0'));
  expect_open_error({"'w'", "'dtype'"});
  write_raw(file(), R"({"w":[1,2]})", "");
  expect_open_error({"'w'", "JSON object"});
}

TEST_F(CorruptSafetensors, MetadataMustBeStrings) {
  write_raw(file(), R"({"__metadata__":{"step":3}})", "");
  expect_open_error({"__metadata__", "step"});
}

TEST(SafetensorsIndex, MissingShardIsNamed) {
  TempDir dir;
  write_safetensors(dir / "model-00001-of-00002.safetensors", {{"a", torch::ones({1})}});
  write_text_atomically(dir / "model.safetensors.index.json",
                        R"({"weight_map":{"a":"model-00001-of-00002.safetensors",)"
                        R"("b":"model-00002-of-00002.safetensors"}})");
  expect_error([&] { SafetensorsArchive::open_folder(dir.path()); },
               {"model-00002-of-00002.safetensors", "'b'", "does not exist",
                "model.safetensors.index.json"});
}

TEST(SafetensorsIndex, TensorMissingFromItsShard) {
  TempDir dir;
  write_safetensors(dir / "s1.safetensors", {{"a", torch::ones({1})}});
  write_safetensors(dir / "s2.safetensors", {{"b", torch::ones({1})}});
  write_text_atomically(dir / "model.safetensors.index.json",
                        R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors"}})");
  expect_error([&] { SafetensorsArchive::open_folder(dir.path()); },
               {"'b'", "s1.safetensors", "does not contain"});
}

TEST(SafetensorsIndex, MalformedIndex) {
  TempDir dir;
  write_safetensors(dir / "s1.safetensors", {{"a", torch::ones({1})}});
  write_text_atomically(dir / "model.safetensors.index.json", "{weight_map");
  expect_error([&] { SafetensorsArchive::open_folder(dir.path()); },
               {"model.safetensors.index.json", "not valid JSON"});
  write_text_atomically(dir / "model.safetensors.index.json", R"({"metadata":{}})");
  expect_error([&] { SafetensorsArchive::open_folder(dir.path()); },
               {"model.safetensors.index.json", "weight_map"});
}

TEST(SafetensorsIndex, DuplicateTensorAcrossShards) {
  TempDir dir;
  write_safetensors(dir / "a.safetensors", {{"shared.weight", torch::ones({1})}});
  write_safetensors(dir / "b.safetensors", {{"shared.weight", torch::zeros({1})}});
  expect_error([&] { SafetensorsArchive::open_folder(dir.path()); },
               {"'shared.weight'", "a.safetensors", "b.safetensors"});
}

}  // namespace
}  // namespace cachelens

// SPDX-License-Identifier: MIT
#include "io/safetensors_header.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cachelens/error.h"
#include "io/dtype_parse.h"

namespace cachelens {
namespace {

using nlohmann::json;

// Anything larger is not a real header (the 8B checkpoint's is well under 100 kB); refusing early
// keeps a corrupt length from making us parse gigabytes as JSON.
constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

// Reads a non-negative JSON integer; false for any other JSON value.
bool read_u64(const json& value, uint64_t* out) {
  if (value.is_number_unsigned()) {
    *out = value.get<uint64_t>();
    return true;
  }
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(value.get<int64_t>());
    return true;
  }
  return false;
}

TensorInfo parse_entry(const std::string& file, const std::string& name, const json& entry,
                       uint64_t data_bytes) {
  const std::string where = "'" + file + "': tensor '" + name + "'";
  if (!entry.is_object()) fail(where, ": header entry must be a JSON object, got ", entry.dump());
  TensorInfo info;
  info.name = name;

  const auto dtype = entry.find("dtype");
  if (dtype == entry.end()) fail(where, ": missing 'dtype'");
  if (!dtype->is_string()) fail(where, ": 'dtype' must be a string, got ", dtype->dump());
  if (!parse_dtype(dtype->get<std::string>(), &info.dtype)) {
    fail(where, ": unknown dtype '", dtype->get<std::string>(),
         "' (supported: ", supported_dtype_names(), ")");
  }

  const auto shape = entry.find("shape");
  if (shape == entry.end()) fail(where, ": missing 'shape'");
  if (!shape->is_array()) fail(where, ": 'shape' must be a list of integers, got ", shape->dump());
  for (const auto& dim : *shape) {
    if (!dim.is_number_integer()) fail(where, ": 'shape' must hold integers, got ", shape->dump());
    if (dim.is_number_unsigned() && dim.get<uint64_t>() > uint64_t(INT64_MAX))
      fail(where, ": dimension ", dim.dump(), " is too large");
    if (dim.get<int64_t>() < 0) fail(where, ": negative dimension in shape ", shape->dump());
    info.shape.push_back(dim.get<int64_t>());
  }

  const auto offsets = entry.find("data_offsets");
  if (offsets == entry.end()) fail(where, ": missing 'data_offsets'");
  if (!offsets->is_array() || offsets->size() != 2 || !read_u64((*offsets)[0], &info.begin) ||
      !read_u64((*offsets)[1], &info.end)) {
    fail(where, ": 'data_offsets' must be [begin, end] with non-negative integers, got ",
         offsets->dump());
  }
  if (info.begin > info.end)
    fail(where, ": data_offsets ", offsets->dump(), " end before they begin");
  if (info.end > data_bytes) {
    fail(where, ": data_offsets ", offsets->dump(), " run past the end of the data section (",
         data_bytes, " bytes); the file is truncated");
  }

  // Checked product: a corrupt shape must not wrap around to a plausible size.
  uint64_t expected = static_cast<uint64_t>(dtype_size(info.dtype));
  for (int64_t dim : info.shape) {
    if (__builtin_mul_overflow(expected, static_cast<uint64_t>(dim), &expected))
      fail(where, ": shape ", shape_text(info.shape), " is too large");
  }
  if (info.end - info.begin != expected) {
    fail(where, ": data_offsets ", offsets->dump(), " span ", info.end - info.begin,
         " bytes but shape ", shape_text(info.shape), " of ", dtype_name(info.dtype), " needs ",
         expected);
  }
  return info;
}

std::map<std::string, std::string> parse_metadata(const std::string& file, const json& value) {
  if (!value.is_object())
    fail("'", file, "': '__metadata__' must be an object of strings, got ", value.dump());
  std::map<std::string, std::string> metadata;
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string())
      fail("'", file, "': '__metadata__' field '", key, "' must be a string, got ", item.dump());
    metadata[key] = item.get<std::string>();
  }
  return metadata;
}

void check_no_overlap(const std::string& file, std::vector<const TensorInfo*> ranges) {
  ranges.erase(std::remove_if(ranges.begin(), ranges.end(),
                              [](const TensorInfo* t) { return t->begin == t->end; }),
               ranges.end());
  std::sort(ranges.begin(), ranges.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < ranges.size(); ++i) {
    const TensorInfo& prev = *ranges[i - 1];
    const TensorInfo& cur = *ranges[i];
    if (cur.begin < prev.end) {
      fail("'", file, "': tensors '", prev.name, "' [", prev.begin, ", ", prev.end, ") and '",
           cur.name, "' [", cur.begin, ", ", cur.end, ") overlap");
    }
  }
}

}  // namespace

SafetensorsHeader parse_safetensors_header(const MappedFile& mapped) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");
  const std::string file = mapped.path().string();
  const uint64_t size = mapped.size();
  if (size < 8) {
    fail("'", file, "' is ", size,
         " bytes, too short to be a safetensors file (it starts with an 8-byte header length)");
  }
  uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | mapped.data()[i];
  if (header_bytes > kMaxHeaderBytes) {
    fail("'", file, "': header length ", header_bytes,
         " bytes is implausible (over 100 MB); not a safetensors file?");
  }
  if (header_bytes > size - 8) {
    fail("'", file, "': header length ", header_bytes, " runs past the end of the file (", size,
         " bytes); the file is truncated or not safetensors");
  }

  json header;
  try {
    const char* text = reinterpret_cast<const char*>(mapped.data() + 8);
    header = json::parse(text, text + header_bytes);
  } catch (const json::exception& e) {
    fail("'", file, "': header is not valid JSON: ", e.what());
  }
  if (!header.is_object()) fail("'", file, "': header must be a JSON object");

  SafetensorsHeader out;
  out.data_start = 8 + header_bytes;
  const uint64_t data_bytes = size - out.data_start;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      out.metadata = parse_metadata(file, entry);
      continue;
    }
    out.tensors.push_back(parse_entry(file, name, entry, data_bytes));
    out.tensors.back().file = mapped.path();
  }
  std::vector<const TensorInfo*> ranges;
  for (const auto& t : out.tensors) ranges.push_back(&t);
  check_no_overlap(file, ranges);
  return out;
}

}  // namespace cachelens

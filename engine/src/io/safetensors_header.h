// SPDX-License-Identifier: MIT
// Parsing and strict validation of one safetensors file's header (internal to src/io).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cachelens/safetensors.h"
#include "io/mapped_file.h"

namespace cachelens {

struct SafetensorsHeader {
  std::vector<TensorInfo> tensors;  // in header order; `file` set to the mapped file's path
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // file offset of the data section
};

// Throws Error naming the file (and the tensor or field) for anything malformed: short file,
// implausible or out-of-range header length, bad JSON, missing or mistyped fields, unknown dtype,
// negative dims, offsets that are reversed, past the data section or of the wrong size, overlaps.
SafetensorsHeader parse_safetensors_header(const MappedFile& file);

}  // namespace cachelens

// SPDX-License-Identifier: MIT
// Header-name parsing for safetensors dtypes (internal to src/io).
#pragma once

#include <string>

#include "cachelens/safetensors.h"

namespace cachelens {

// False when `name` is not one of the supported dtype names.
bool parse_dtype(const std::string& name, DType* out);
std::string supported_dtype_names();  // "F64 F32 ... BOOL", for error messages

}  // namespace cachelens

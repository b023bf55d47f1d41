// SPDX-License-Identifier: MIT
// Safetensors dtype names and their LibTorch counterparts.
#include "io/dtype_parse.h"

#include "cachelens/error.h"
#include "cachelens/safetensors.h"

namespace cachelens {
namespace {

struct DTypeRow {
  DType dtype;
  const char* name;
  int64_t size;
  torch::ScalarType torch_type;
};

constexpr DTypeRow kRows[] = {
    {DType::F64, "F64", 8, torch::kFloat64}, {DType::F32, "F32", 4, torch::kFloat32},
    {DType::F16, "F16", 2, torch::kFloat16}, {DType::BF16, "BF16", 2, torch::kBFloat16},
    {DType::I64, "I64", 8, torch::kInt64},   {DType::I32, "I32", 4, torch::kInt32},
    {DType::I16, "I16", 2, torch::kInt16},   {DType::I8, "I8", 1, torch::kInt8},
    {DType::U8, "U8", 1, torch::kUInt8},     {DType::BOOL, "BOOL", 1, torch::kBool},
};

const DTypeRow& row(DType dtype) {
  for (const auto& r : kRows)
    if (r.dtype == dtype) return r;
  fail("invalid DType value ", static_cast<int>(dtype));
}

}  // namespace

const char* dtype_name(DType dtype) {
  return row(dtype).name;
}
int64_t dtype_size(DType dtype) {
  return row(dtype).size;
}
torch::ScalarType to_torch(DType dtype) {
  return row(dtype).torch_type;
}

DType from_torch(torch::ScalarType type) {
  for (const auto& r : kRows)
    if (r.torch_type == type) return r.dtype;
  fail("safetensors cannot hold torch dtype ", c10::toString(type),
       " (supported: ", supported_dtype_names(), ")");
}

bool parse_dtype(const std::string& name, DType* out) {
  for (const auto& r : kRows) {
    if (name == r.name) {
      *out = r.dtype;
      return true;
    }
  }
  return false;
}

std::string supported_dtype_names() {
  std::vector<std::string> names;
  for (const auto& r : kRows) names.emplace_back(r.name);
  return join_names(names, " ");
}

}  // namespace cachelens

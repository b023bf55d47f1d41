// SPDX-License-Identifier: MIT
// Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}}, then the raw data. Files are memory-mapped; a
// folder may hold one file or several shards with or without model.safetensors.index.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace cachelens {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

const char* dtype_name(DType dtype);  // "F32", "BF16", ... as written in headers
int64_t dtype_size(DType dtype);
torch::ScalarType to_torch(DType dtype);
DType from_torch(torch::ScalarType type);  // throws for types safetensors cannot hold

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::filesystem::path file;  // the shard holding it
  uint64_t begin = 0;          // byte offsets into the shard's data section
  uint64_t end = 0;
  int64_t numel() const;
};

class MappedFile;  // read-only private mapping of one shard

// All tensors of a checkpoint, by name. Tensors returned by `tensor()` view the mapping without a
// copy (copy-on-write, so an accidental in-place op cannot touch the file) and keep it alive.
class SafetensorsArchive {
 public:
  // A folder: model.safetensors.index.json when present (every shard it names must exist and hold
  // the tensors it maps), otherwise every *.safetensors file in it (sorted by name).
  static SafetensorsArchive open_folder(const std::filesystem::path& dir);
  static SafetensorsArchive open_files(const std::vector<std::filesystem::path>& files);

  bool contains(const std::string& name) const;
  const TensorInfo& info(const std::string& name) const;  // throws naming the tensor
  std::vector<std::string> names() const;                 // sorted
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  size_t size() const { return tensors_.size(); }

  // The tensor in its stored dtype on the CPU.
  torch::Tensor tensor(const std::string& name) const;

 private:
  std::map<std::string, TensorInfo> tensors_;
  std::map<std::filesystem::path, std::shared_ptr<MappedFile>> files_;
  std::map<std::string, std::string> metadata_;
};

// Writes one safetensors file atomically (temp file + rename). Tensors are written contiguous in
// their own dtype, in name order, with 8-byte aligned data offsets.
void write_safetensors(const std::filesystem::path& file,
                       const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// A tensor produced only when its shard is written, so a checkpoint larger than memory (the 17 GB
// 8B test model) can be written shard by shard.
struct LazyTensor {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
  std::function<torch::Tensor()> make;  // called once, when its shard is written
  uint64_t bytes() const;
};

// Shards of at most `max_shard_bytes` (a larger tensor gets a shard of its own), filled greedily in
// the given order, named like Hugging Face's (model-00001-of-00003.safetensors) with
// model.safetensors.index.json; one shard is written as model.safetensors with no index. Files of
// an earlier save into the same folder that this one did not write are removed. `on_progress` gets
// the fraction of bytes written; false cancels (throws Cancelled).
void write_sharded_checkpoint(const std::filesystem::path& dir,
                              const std::vector<LazyTensor>& tensors, uint64_t max_shard_bytes,
                              const std::function<bool(double)>& on_progress = {});
// The same for tensors already in memory, in name order.
void write_sharded_checkpoint(const std::filesystem::path& dir,
                              const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                              uint64_t max_shard_bytes);

}  // namespace cachelens

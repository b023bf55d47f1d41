// SPDX-License-Identifier: MIT
// SafetensorsArchive: the name -> (shard, offsets) map of a checkpoint and zero-copy tensor views.
#include <algorithm>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "cachelens/atomic_file.h"
#include "cachelens/error.h"
#include "cachelens/safetensors.h"
#include "io/mapped_file.h"
#include "io/safetensors_header.h"

namespace cachelens {
namespace fs = std::filesystem;

namespace {

constexpr const char* kIndexName = "model.safetensors.index.json";

// The shard files an index names, and which shard each tensor is in.
struct IndexMap {
  std::vector<fs::path> shards;  // sorted, unique
  std::map<std::string, fs::path> tensor_shard;
};

IndexMap read_index(const fs::path& dir, const fs::path& index_file) {
  const std::string where = "'" + index_file.string() + "'";
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(read_text_file(index_file));
  } catch (const nlohmann::json::exception& e) {
    fail(where, " is not valid JSON: ", e.what());
  }
  if (!index.is_object()) fail(where, " must hold a JSON object");
  const auto map = index.find("weight_map");
  if (map == index.end()) fail(where, " has no 'weight_map'");
  if (!map->is_object()) fail(where, ": 'weight_map' must be an object of tensor -> shard file");
  if (map->empty()) fail(where, ": 'weight_map' lists no tensors");

  IndexMap out;
  std::set<fs::path> shards;
  for (const auto& [name, shard] : map->items()) {
    if (!shard.is_string() || shard.get<std::string>().empty())
      fail(where, ": weight_map entry for tensor '", name, "' must be a file name");
    const fs::path file = dir / shard.get<std::string>();
    if (shards.insert(file).second) {
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) {
        fail(where, " names shard '", shard.get<std::string>(), "' (for tensor '", name,
             "'), which does not exist in '", dir.string(), "'");
      }
    }
    out.tensor_shard[name] = file;
  }
  out.shards.assign(shards.begin(), shards.end());
  return out;
}

}  // namespace

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t dim : shape) n *= dim;
  return n;
}

SafetensorsArchive SafetensorsArchive::open_files(const std::vector<fs::path>& files) {
  SafetensorsArchive archive;
  for (const auto& path : files) {
    auto mapped = std::make_shared<MappedFile>(path);
    SafetensorsHeader header = parse_safetensors_header(*mapped);
    mapped->set_data_start(header.data_start);
    for (auto& info : header.tensors) {
      const auto existing = archive.tensors_.find(info.name);
      if (existing != archive.tensors_.end()) {
        fail("tensor '", info.name, "' is in both '", existing->second.file.string(), "' and '",
             path.string(), "'");
      }
      archive.tensors_.emplace(info.name, std::move(info));
    }
    // Shards normally repeat the same metadata; the first file's value wins on a conflict.
    archive.metadata_.insert(header.metadata.begin(), header.metadata.end());
    archive.files_[path] = std::move(mapped);
  }
  return archive;
}

SafetensorsArchive SafetensorsArchive::open_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) fail("checkpoint folder '", dir.string(), "' does not exist");
  if (!fs::is_directory(dir, ec)) fail("'", dir.string(), "' is not a folder");

  const fs::path index_file = dir / kIndexName;
  if (fs::exists(index_file, ec)) {
    const IndexMap index = read_index(dir, index_file);
    SafetensorsArchive archive = open_files(index.shards);
    for (const auto& [name, shard] : index.tensor_shard) {
      const auto found = archive.tensors_.find(name);
      if (found == archive.tensors_.end() || found->second.file != shard) {
        fail("'", index_file.string(), "' maps tensor '", name, "' to '", shard.string(),
             "', which does not contain it");
      }
    }
    return archive;
  }

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".safetensors")
      files.push_back(entry.path());
  }
  if (ec) fail("cannot list folder '", dir.string(), "': ", ec.message());
  if (files.empty()) fail("no *.safetensors files in '", dir.string(), "'");
  std::sort(files.begin(), files.end());
  return open_files(files);
}

bool SafetensorsArchive::contains(const std::string& name) const {
  return tensors_.count(name) != 0;
}

const TensorInfo& SafetensorsArchive::info(const std::string& name) const {
  const auto found = tensors_.find(name);
  if (found == tensors_.end())
    fail("the checkpoint has no tensor named '", name, "' (it holds ", tensors_.size(), ")");
  return found->second;
}

std::vector<std::string> SafetensorsArchive::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& item : tensors_) out.push_back(item.first);
  return out;
}

torch::Tensor SafetensorsArchive::tensor(const std::string& name) const {
  const TensorInfo& info = this->info(name);
  const auto options = torch::TensorOptions().dtype(to_torch(info.dtype)).device(torch::kCPU);
  if (info.numel() == 0) return torch::empty(info.shape, options);

  const std::shared_ptr<MappedFile> mapped = files_.at(info.file);
  uint8_t* data = mapped->data() + mapped->data_start() + info.begin;
  if (reinterpret_cast<uintptr_t>(data) % static_cast<uintptr_t>(dtype_size(info.dtype)) != 0) {
    // Misaligned element access is undefined behaviour for LibTorch kernels: copy instead.
    torch::Tensor copy = torch::empty(info.shape, options);
    std::memcpy(copy.data_ptr(), data, info.end - info.begin);
    return copy;
  }
  // The deleter owns a reference to the mapping, so the view outlives the archive safely.
  std::function<void(void*)> keep_alive = [mapped](void*) { (void)mapped; };
  return torch::from_blob(data, info.shape, keep_alive, options);
}

}  // namespace cachelens

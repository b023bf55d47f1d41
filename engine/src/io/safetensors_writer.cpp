// SPDX-License-Identifier: MIT
// Writing safetensors files and Hugging Face style sharded checkpoints.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "cachelens/atomic_file.h"
#include "cachelens/error.h"
#include "cachelens/safetensors.h"

namespace cachelens {
namespace fs = std::filesystem;

namespace {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

struct Entry {
  std::string name;
  torch::Tensor data;  // contiguous, CPU
  DType dtype;
  uint64_t bytes;
};

// Sorted by name; rejects duplicates and dtypes safetensors cannot hold before anything is written.
std::vector<Entry> prepare(const NamedTensors& tensors, const std::string& target) {
  std::vector<Entry> entries;
  entries.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    if (name.empty() || name == "__metadata__")
      fail("cannot write tensor named '", name, "' to '", target, "'");
    if (!tensor.defined()) fail("tensor '", name, "' for '", target, "' is undefined");
    Entry e;
    e.name = name;
    try {
      e.dtype = from_torch(tensor.scalar_type());
    } catch (const Error& error) {
      fail("tensor '", name, "' for '", target, "': ", error.what());
    }
    e.data = tensor.detach().to(torch::kCPU).contiguous();
    e.bytes = static_cast<uint64_t>(e.data.numel()) * static_cast<uint64_t>(dtype_size(e.dtype));
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].name == entries[i - 1].name)
      fail("tensor '", entries[i].name, "' is given twice for '", target, "'");
  }
  return entries;
}

void write_entries(const fs::path& file, std::vector<Entry> entries,
                   const std::map<std::string, std::string>& metadata) {
  // Wider elements first (then by name): every offset is then a multiple of its element size
  // without gaps between tensors, which the reference reader rejects.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return dtype_size(a.dtype) > dtype_size(b.dtype);
  });
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& e : entries) {
    header[e.name] = {{"dtype", dtype_name(e.dtype)},
                      {"shape", e.data.sizes().vec()},
                      {"data_offsets", {offset, offset + e.bytes}}};
    offset += e.bytes;
  }
  std::string text = header.dump();
  // Space padding keeps the data section (8 + header length) 8-byte aligned in the file.
  text.append((8 - text.size() % 8) % 8, ' ');

  write_file_atomically(file, [&](std::ostream& out) {
    char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    out.write(length, 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& e : entries) {
      if (e.bytes == 0) continue;
      out.write(static_cast<const char*>(e.data.data_ptr()), static_cast<std::streamsize>(e.bytes));
    }
  });
}

std::string shard_name(size_t index, size_t count) {
  char name[64];
  std::snprintf(name, sizeof(name), "model-%05zu-of-%05zu.safetensors", index, count);
  return name;
}

// "model-DDDDD-of-DDDDD.safetensors", the names shard_name() produces.
bool is_numbered_shard(const std::string& name) {
  const std::string pattern = "model-#####-of-#####.safetensors";
  if (name.size() != pattern.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const bool ok = pattern[i] == '#' ? (name[i] >= '0' && name[i] <= '9') : name[i] == pattern[i];
    if (!ok) return false;
  }
  return true;
}

// Files a previous save left behind would otherwise be read with the new ones (the no-index glob
// picks up every shard; a stale index would win over a single new file).
void remove_stale(const fs::path& dir, const std::set<std::string>& keep) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool ours = name == "model.safetensors" || name == "model.safetensors.index.json" ||
                      is_numbered_shard(name);
    if (ours && !keep.count(name)) fs::remove(entry.path(), ec);
  }
}

}  // namespace

void write_safetensors(const fs::path& file, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_entries(file, prepare(tensors, file.string()), metadata);
}

uint64_t LazyTensor::bytes() const {
  uint64_t n = static_cast<uint64_t>(dtype_size(dtype));
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

void write_sharded_checkpoint(const fs::path& dir, const std::vector<LazyTensor>& tensors,
                              uint64_t max_shard_bytes,
                              const std::function<bool(double)>& on_progress) {
  if (max_shard_bytes == 0) fail("max_shard_bytes must be positive for '", dir.string(), "'");
  // Greedy fill in the given order; a tensor larger than the limit gets a shard of its own.
  std::vector<std::vector<const LazyTensor*>> shards(1);
  uint64_t filled = 0, total = 0;
  for (const auto& t : tensors) {
    if (!shards.back().empty() && filled + t.bytes() > max_shard_bytes) {
      shards.emplace_back();
      filled = 0;
    }
    filled += t.bytes();
    total += t.bytes();
    shards.back().push_back(&t);
  }

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create folder '", dir.string(), "': ", ec.message());
  const bool single = shards.size() == 1;
  nlohmann::json weight_map = nlohmann::json::object();
  std::set<std::string> written;
  uint64_t done = 0;
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::string name = single ? "model.safetensors" : shard_name(i + 1, shards.size());
    NamedTensors contents;
    for (const LazyTensor* t : shards[i]) {
      auto value = t->make();
      if (value.sizes().vec() != t->shape || value.scalar_type() != to_torch(t->dtype)) {
        fail("tensor '", t->name, "' for '", dir.string(),
             "' was made with the wrong shape or dtype");
      }
      contents.emplace_back(t->name, std::move(value));
      weight_map[t->name] = name;
      done += t->bytes();
    }
    write_entries(dir / name, prepare(contents, (dir / name).string()), {});
    written.insert(name);
    if (on_progress &&
        !on_progress(total ? static_cast<double>(done) / static_cast<double>(total) : 1.0)) {
      throw Cancelled();
    }
  }
  if (!single) {
    const nlohmann::json index = {{"metadata", {{"total_size", total}}},
                                  {"weight_map", weight_map}};
    write_text_atomically(dir / "model.safetensors.index.json", index.dump(2) + "\n");
    written.insert("model.safetensors.index.json");
  }
  remove_stale(dir, written);
}

void write_sharded_checkpoint(const fs::path& dir, const NamedTensors& tensors,
                              uint64_t max_shard_bytes) {
  // Checked and sorted by name up front, so a bad tensor fails before anything is written.
  const auto entries = prepare(tensors, dir.string());
  std::vector<LazyTensor> lazy;
  for (const auto& e : entries) {
    lazy.push_back({e.name, e.data.sizes().vec(), e.dtype, [data = e.data] { return data; }});
  }
  write_sharded_checkpoint(dir, lazy, max_shard_bytes);
}

}  // namespace cachelens

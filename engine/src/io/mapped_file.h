// SPDX-License-Identifier: MIT
// A whole file mapped privately: pages are shared with the page cache until written, and writes
// stay in this process (copy-on-write), so tensors viewing it can never modify the checkpoint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace cachelens {

class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& file);  // throws Error naming the file
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  // Where the safetensors data section starts (8 + header length), set once the header is parsed.
  uint64_t data_start() const { return data_start_; }
  void set_data_start(uint64_t offset) { data_start_ = offset; }

 private:
  std::filesystem::path path_;
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t data_start_ = 0;
};

}  // namespace cachelens

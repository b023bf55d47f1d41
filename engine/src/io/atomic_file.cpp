// SPDX-License-Identifier: MIT
#include "cachelens/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "cachelens/error.h"

namespace cachelens {
namespace fs = std::filesystem;

void write_file_atomically(const fs::path& target, const std::function<void(std::ostream&)>& write) {
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) fail("cannot create folder '", folder.string(), "' for '", target.string(), "': ", ec.message());
  std::random_device rd;
  const fs::path temp = folder / ("." + target.filename().string() + ".tmp-" + std::to_string(rd()));
  try {
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      if (!out) fail("cannot write '", temp.string(), "'");
      write(out);
      out.flush();
      if (!out) fail("writing '", target.string(), "' failed (disk full?)");
    }
    // fsync so a crash right after the rename cannot leave an empty file behind it.
    const int fd = ::open(temp.c_str(), O_RDONLY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
    fs::rename(temp, target, ec);
    if (ec) fail("cannot rename '", temp.string(), "' to '", target.string(), "': ", ec.message());
  } catch (...) {
    fs::remove(temp, ec);
    throw;
  }
}

void write_text_atomically(const fs::path& target, const std::string& text) {
  write_file_atomically(target, [&](std::ostream& out) { out.write(text.data(), text.size()); });
}

std::string read_text_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) fail("file not found: '", file.string(), "'");
  if (fs::is_directory(file, ec)) fail("'", file.string(), "' is a folder, expected a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("cannot read '", file.string(), "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cachelens

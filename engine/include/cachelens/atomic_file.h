// SPDX-License-Identifier: MIT
// Files the user keeps (checkpoints, traces, exports) are written to a temp file in the same
// folder and renamed over the target, so a crash never leaves a half-written file.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace cachelens {

// Calls `write` with a stream on a temp file, flushes, fsyncs and renames it onto `target`.
// Throws Error naming `target` if anything fails; the temp file is removed then.
void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(std::ostream&)>& write);
void write_text_atomically(const std::filesystem::path& target, const std::string& text);

// Reads a whole file; throws Error naming it when it is missing or unreadable.
std::string read_text_file(const std::filesystem::path& file);

}  // namespace cachelens

// Whole-file reads and writes with errors that name the file and the reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace qrun_cli {

// Reads the whole file, but stops after max_bytes + 1 bytes so that a huge
// (or endless) file is rejected without reading it all; *too_large tells.
std::vector<uint8_t> ReadFile(const std::string& path, size_t max_bytes, bool* too_large);

// Size of a regular file, or -1 if unknown (pipes, errors).
int64_t FileSize(const std::string& path);

struct Chunk {
  const void* data;
  size_t size;
};
// Creates or truncates `path` and writes the chunks in order.
void WriteFile(const std::string& path, std::initializer_list<Chunk> chunks);

}  // namespace qrun_cli

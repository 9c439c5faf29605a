#include "file_io.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli_error.h"

namespace qrun_cli {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

std::string Reason(int err) { return std::strerror(err); }

}  // namespace

std::vector<uint8_t> ReadFile(const std::string& path, size_t max_bytes, bool* too_large) {
  *too_large = false;
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) Fail("cannot open '" + path + "': " + Reason(errno));
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  for (;;) {
    size_t n = std::fread(buffer, 1, sizeof(buffer), f.get());
    bytes.insert(bytes.end(), buffer, buffer + n);
    if (bytes.size() > max_bytes) {
      *too_large = true;
      break;
    }
    if (n < sizeof(buffer)) break;
  }
  // Reading a directory "opens" fine on Linux and fails here with EISDIR.
  if (std::ferror(f.get())) Fail("cannot read '" + path + "': " + Reason(errno));
  return bytes;
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return static_cast<int64_t>(st.st_size);
}

void WriteFile(const std::string& path, std::initializer_list<Chunk> chunks) {
  FilePtr f(std::fopen(path.c_str(), "wb"));
  if (!f) Fail("cannot create '" + path + "': " + Reason(errno));
  for (const Chunk& c : chunks) {
    if (c.size > 0 && std::fwrite(c.data, 1, c.size, f.get()) != c.size) {
      Fail("cannot write '" + path + "': " + Reason(errno));
    }
  }
  // fclose flushes; a full disk may only show up here.
  FILE* raw = f.release();
  if (std::fclose(raw) != 0) Fail("cannot write '" + path + "': " + Reason(errno));
}

}  // namespace qrun_cli

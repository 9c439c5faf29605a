#include "runtime/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qrun {

MappedFile::~MappedFile() {
  if (data_ != nullptr) munmap(data_, size_);
}

Status MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(QRUN_ERROR_IO, "cannot open '", path, "': ", std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Error(QRUN_ERROR_IO, "cannot stat '", path, "': ", std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(QRUN_ERROR_IO, "'", path, "' is not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    return Error(QRUN_ERROR_INVALID_MODEL, "'", path, "' is empty");
  }
  size_t size = static_cast<size_t>(st.st_size);
  if (static_cast<off_t>(size) != st.st_size) {
    ::close(fd);
    return Error(QRUN_ERROR_INVALID_MODEL, "'", path, "' is too large for this platform");
  }
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) return Error(QRUN_ERROR_IO, "cannot map '", path, "': ", std::strerror(err));
  data_ = p;
  size_ = size;
  return Status::Ok();
}

}  // namespace qrun

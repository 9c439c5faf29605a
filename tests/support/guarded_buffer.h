// A test buffer whose last usable byte sits right before an inaccessible
// page, so a kernel reading or writing past the end of its data faults
// instead of passing silently.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace qrun::testing {

class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t bytes) : bytes_(bytes) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    data_pages_ = (bytes + page - 1) / page * page;
    total_ = data_pages_ + page;
    void* p = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
    if (base_ != nullptr) mprotect(base_ + data_pages_, page, PROT_NONE);
  }
  ~GuardedBuffer() {
    if (base_ != nullptr) munmap(base_, total_);
  }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  // The `bytes` usable bytes, ending at the guard page.
  template <typename T = int8_t>
  T* data() const {
    return reinterpret_cast<T*>(base_ + data_pages_ - bytes_);
  }
  bool ok() const { return base_ != nullptr; }

 private:
  size_t bytes_, data_pages_ = 0, total_ = 0;
  uint8_t* base_ = nullptr;
};

}  // namespace qrun::testing

// NumPy .npy files (format versions 1.0, 2.0 and 3.0), limited to what qrun
// tensors hold: little-endian '<f4', '|i1', '|u1', '<i4' in C order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "qrun/qrun.h"

namespace qrun_cli {

struct NpyArray {
  qrun_dtype dtype = QRUN_DTYPE_FLOAT32;
  std::vector<int64_t> shape;
  size_t data_offset = 0;  // where the element data starts in the file
  size_t data_bytes = 0;
};

// True if the bytes start with the .npy magic string.
bool IsNpy(const std::vector<uint8_t>& file);

// Parses and checks the header of an in-memory .npy file; anything
// unsupported or inconsistent fails with a message naming `path`.
NpyArray ParseNpy(const std::vector<uint8_t>& file, const std::string& path);

void WriteNpy(const std::string& path, qrun_dtype dtype, const std::vector<int64_t>& shape,
              const void* data, size_t bytes);

}  // namespace qrun_cli

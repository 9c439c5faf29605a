// Reference constant Pad for any element size, rank <= kMaxRank.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::ref {

struct PadGeometry {
  int rank = 0;
  int64_t in_dims[kMaxRank] = {};
  int64_t pad_before[kMaxRank] = {};
  int64_t pad_after[kMaxRank] = {};
};

// value points to one element (elem_size bytes) written into padded cells.
void pad(const PadGeometry& g, size_t elem_size, const void* input, const void* value,
         void* output);

}  // namespace qrun::kernels::ref

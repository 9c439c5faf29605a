// Reference Transpose for any element size, rank <= kMaxRank.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::ref {

// Output dim d is input dim perm[d] (numpy.transpose): out_dims[d] =
// in_dims[perm[d]]. perm must be a permutation of 0..rank-1.
struct TransposeGeometry {
  int rank = 0;
  int64_t in_dims[kMaxRank] = {};
  int perm[kMaxRank] = {};
};

void transpose(const TransposeGeometry& g, size_t elem_size, const void* input, void* output);

}  // namespace qrun::kernels::ref

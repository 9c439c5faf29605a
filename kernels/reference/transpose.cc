#include "kernels/reference/transpose.h"

#include <cstring>

namespace qrun::kernels::ref {

void transpose(const TransposeGeometry& g, size_t elem_size, const void* input, void* output) {
  if (g.rank < 0 || g.rank > kMaxRank || elem_size == 0) return;
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  if (g.rank == 0) {
    std::memcpy(out, in, elem_size);
    return;
  }
  int64_t in_strides[kMaxRank] = {};
  in_strides[g.rank - 1] = 1;
  for (int d = g.rank - 2; d >= 0; --d) in_strides[d] = in_strides[d + 1] * g.in_dims[d + 1];
  // Output dims and, for each output dim, the input stride it walks.
  int64_t out_dims[kMaxRank] = {};
  int64_t stride[kMaxRank] = {};
  for (int d = 0; d < g.rank; ++d) {
    out_dims[d] = g.in_dims[g.perm[d]];
    stride[d] = in_strides[g.perm[d]];
    if (out_dims[d] <= 0) return;  // empty
  }
  const int inner = g.rank - 1;
  const int64_t row = out_dims[inner];
  const int64_t row_stride = stride[inner];
  int64_t idx[kMaxRank] = {};
  int64_t src = 0;  // input element offset of the current row's first element
  for (;;) {
    if (row_stride == 1) {
      std::memcpy(out, in + static_cast<size_t>(src) * elem_size, static_cast<size_t>(row) * elem_size);
      out += static_cast<size_t>(row) * elem_size;
    } else if (elem_size == 1) {
      for (int64_t i = 0; i < row; ++i) *out++ = in[src + i * row_stride];
    } else {
      for (int64_t i = 0; i < row; ++i) {
        std::memcpy(out, in + static_cast<size_t>(src + i * row_stride) * elem_size, elem_size);
        out += elem_size;
      }
    }
    int d = inner - 1;
    for (; d >= 0; --d) {
      src += stride[d];
      if (++idx[d] < out_dims[d]) break;
      src -= stride[d] * out_dims[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace qrun::kernels::ref

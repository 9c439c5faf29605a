#include "kernels/reference/pad.h"

#include <algorithm>
#include <cstring>

namespace qrun::kernels::ref {
namespace {

// Writes `count` copies of the elem_size-byte value: one element, then the
// filled prefix doubled, so large fills are a handful of memcpys.
void fill(uint8_t* dst, int64_t count, const uint8_t* value, size_t elem_size) {
  if (count <= 0) return;
  const size_t total = static_cast<size_t>(count) * elem_size;
  std::memcpy(dst, value, elem_size);
  size_t done = elem_size;
  while (done < total) {
    const size_t n = std::min(done, total - done);
    std::memcpy(dst + done, dst, n);
    done += n;
  }
}

}  // namespace

void pad(const PadGeometry& g, size_t elem_size, const void* input, const void* value,
         void* output) {
  if (g.rank < 0 || g.rank > kMaxRank || elem_size == 0) return;
  const auto* in = static_cast<const uint8_t*>(input);
  const auto* val = static_cast<const uint8_t*>(value);
  auto* out = static_cast<uint8_t*>(output);
  if (g.rank == 0) {  // a scalar has nothing to pad
    std::memcpy(out, in, elem_size);
    return;
  }

  int64_t out_dims[kMaxRank] = {};
  for (int d = 0; d < g.rank; ++d) {
    out_dims[d] = g.pad_before[d] + g.in_dims[d] + g.pad_after[d];
    if (out_dims[d] <= 0) return;  // empty output
  }
  // Row-major input strides, in elements.
  int64_t in_strides[kMaxRank] = {};
  const int inner = g.rank - 1;
  in_strides[inner] = 1;
  for (int d = inner - 1; d >= 0; --d) in_strides[d] = in_strides[d + 1] * g.in_dims[d + 1];

  const int64_t before = g.pad_before[inner];
  const int64_t row_in = g.in_dims[inner];
  const int64_t after = g.pad_after[inner];
  const size_t es = elem_size;

  // One output row (innermost dim) per step; idx is the output index over the
  // outer dims. A row whose outer index falls in padding is all value.
  int64_t idx[kMaxRank] = {};
  for (;;) {
    bool inside = true;
    int64_t in_row = 0;
    for (int d = 0; d < inner; ++d) {
      const int64_t i = idx[d] - g.pad_before[d];
      if (i < 0 || i >= g.in_dims[d]) {
        inside = false;
        break;
      }
      in_row += i * in_strides[d];
    }
    if (!inside) {
      fill(out, out_dims[inner], val, es);
    } else {
      fill(out, before, val, es);
      if (row_in > 0) {
        std::memcpy(out + before * es, in + in_row * es, static_cast<size_t>(row_in) * es);
      }
      fill(out + (before + row_in) * es, after, val, es);
    }
    out += out_dims[inner] * es;

    int d = inner - 1;
    for (; d >= 0; --d) {
      if (++idx[d] < out_dims[d]) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace qrun::kernels::ref

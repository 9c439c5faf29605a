// Tap indirection for the depthwise microkernels (plain C++, shared by every
// ISA): the input row pointers of one output row, and the tap pointers of one
// output pixel, with out-of-image taps redirected to the zero-point buffer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/x86/qs8-dwconv.h"

namespace qrun::kernels::x86 {

// Row pointers (at channel 0 of column 0) of output row `row` (flattened
// batch * out_h); `zero_row` (in_w * in_c bytes of the zero point) for a row
// outside the image, so only columns need checking afterwards.
inline void DwRowPointers(const Conv2DGeometry& g, const int8_t* input, size_t row, int kh,
                          const int8_t* zero_row, const int8_t** rows) {
  const size_t n = row / static_cast<size_t>(g.out_h);
  const int oy = static_cast<int>(row % static_cast<size_t>(g.out_h));
  const size_t row_bytes = static_cast<size_t>(g.in_w) * static_cast<size_t>(g.in_c);
  for (int ky = 0; ky < kh; ++ky) {
    const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
    rows[ky] =
        (iy < 0 || iy >= g.in_h)
            ? zero_row
            : input + (n * static_cast<size_t>(g.in_h) + static_cast<size_t>(iy)) * row_bytes;
  }
}

// Tap pointers of output column `ox`, tap order ky-major (as the weights),
// plus one trailing zero_buf tap when kh * kw is odd (its weight is 0).
// Returns the (even) number of tap pointers written. For edge columns; the
// interior ones step the previous pixel's taps (DwInteriorColumns).
inline int DwTapPointers(const Conv2DGeometry& g, const int8_t* const* rows, int kh, int kw, int ox,
                         const int8_t* zero_buf, const int8_t** taps) {
  const int ix0 = ox * g.stride_w - g.pad_left;
  const size_t c = static_cast<size_t>(g.in_c);
  int t = 0;
  for (int ky = 0; ky < kh; ++ky) {
    const int8_t* r = rows[ky];
    for (int kx = 0; kx < kw; ++kx) {
      const int ix = ix0 + kx * g.dilation_w;
      const bool inside = ix >= 0 && ix < g.in_w;
      taps[t++] = inside ? r + static_cast<size_t>(ix) * c : zero_buf;
    }
  }
  if (t & 1) taps[t++] = zero_buf;
  return t;
}

// Output columns [*lo, *hi) whose taps are all inside the image columns.
inline void DwInteriorColumns(const Conv2DGeometry& g, int kw, int* lo, int* hi) {
  const int sw = g.stride_w;
  *lo = (g.pad_left + sw - 1) / sw;
  const int last = g.in_w - 1 - (kw - 1) * g.dilation_w + g.pad_left;  // max ox * sw
  *hi = last < 0 ? 0 : last / sw + 1;
  if (*hi > g.out_w) *hi = g.out_w;
  if (*hi < *lo) *hi = *lo;
}

}  // namespace qrun::kernels::x86

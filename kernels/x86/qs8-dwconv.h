// x86 int8 depthwise convolution kernels (declarations).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::x86 {

// Packed by kernels/dispatch/qs8_dwconv.cc: weights int32 [taps][C_pad]
// (C_pad = in_c rounded up to 8, zero padded), bias and scale [C_pad].
struct Qs8DwParams {
  const Conv2DGeometry* g;
  const int32_t* weights;
  const int32_t* bias;
  const float* scale;
  int32_t input_zero_point;
  float out_lo, out_hi;  // qmin - zp, qmax - zp
  int32_t output_zero_point;
};

void qs8_dwconv_8c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                         size_t row_begin, size_t row_end);

}  // namespace qrun::kernels::x86

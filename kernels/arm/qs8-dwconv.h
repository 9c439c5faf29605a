// ARM int8 depthwise convolution microkernel (declaration; no <arm_neon.h>
// here: the driver that includes this is compiled without NEON on armhf).
//
// Computes output rows [row_begin, row_end) of the flattened batch * out_h
// rows, NHWC, groups == in_c == out_c, any kernel size, stride, dilation and
// padding. Each output pixel gets one pointer per tap (an out-of-image tap
// points at `zero_buf`, a row of the input zero point); 16 channels per
// step, int8 x int8 products (SMULL, exact in int16), two taps summed in
// int16 with SMLAL when no weight is -128 (the pair then fits int16, as in
// kernels/arm/qs8-igemm.h), widened into int32 with SADDW.
//
// The input zero point is folded into the bias at pack time (padding taps
// read zp, so they add w * zp - w * zp = 0, like the reference skipping
// them); requantization as kernels/arm/qs8-requant-neon.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::arm {

// Largest kernel (taps) the microkernel takes; bigger ones keep the reference.
constexpr int kQs8DwMaxTaps = 64;

struct Qs8DwParams {
  const Conv2DGeometry* g;
  const int8_t* weights;   // [taps][c16] int8, c16 = in_c rounded up to 16, zero padded
  const int32_t* bias;     // [c16], zero point folded in
  const float* scale;      // [c16]
  const int8_t* zero_buf;  // c16 + 16 bytes of the input zero point
  float out_lo, out_hi;    // qmin - zp, qmax - zp
  int32_t output_zero_point;
  bool pair_taps;          // no weight is -128: SMLAL pairs are exact
};

void qs8_dwconv_16c__neon(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end);

}  // namespace qrun::kernels::arm

// ARM int8 depthwise convolution microkernel (declaration; no <arm_neon.h>
// here: the driver that includes this is compiled without NEON on armhf).
//
// Computes output rows [row_begin, row_end) of the flattened batch * out_h
// rows, NHWC, groups == in_c == out_c, any kernel size, stride, dilation and
// padding. Each output pixel gets one pointer per tap (an out-of-image tap
// points at `zero_buf`, a row of the input zero point); 16 channels per
// step. Taps go in pairs (t, t + 1): TRN1/TRN2 interleave the two taps'
// input bytes per channel, SMULL gives int16 products with the two taps of a
// channel in adjacent lanes, and SADALP adds those lanes into the int32
// accumulators. When no weight is -128, a second tap pair is added with
// SMLAL before the SADALP (|sum| <= 2 * 128 * 127 fits int16, as in
// kernels/arm/qs8-igemm.h). The last tap of an odd count goes alone, its
// input as loaded (no TRN) against weights with zeros in the other lanes.
//
// TRN takes even channels into one vector and odd ones into the other, so a
// 16-channel block's accumulators, bias and scale are in the order
// Qs8DwLaneChannel; the kernel zips the int8 results back.
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

// Channel (within its 16-channel block) of accumulator lane j (0..15):
// 0, 2, .., 14, then 1, 3, .., 15.
constexpr size_t Qs8DwLaneChannel(size_t j) { return 2 * (j % 8) + j / 8; }

struct Qs8DwParams {
  const Conv2DGeometry* g;
  // [(taps + 1) / 2][c16 / 16][32] int8, c16 = in_c rounded up to 16, zero
  // padded: per tap pair p and block b, byte 2 * i + k (i < 8) is tap
  // 2p + k of channel 16b + 2i, byte 16 + 2 * i + k that of channel 16b + 2i + 1.
  // Last tap of an odd count (p = taps / 2): byte 2 * i is tap 2p of channel
  // 16b + 2i, byte 16 + 2 * i + 1 that of channel 16b + 2i + 1, others 0.
  const int8_t* weights;
  const int32_t* bias;     // [c16] in Qs8DwLaneChannel order per block, zero point folded in
  const float* scale;      // [c16] in Qs8DwLaneChannel order per block
  const int8_t* zero_buf;  // c16 + 16 bytes of the input zero point
  float out_lo, out_hi;    // qmin - zp, qmax - zp
  int32_t output_zero_point;
  bool pair_taps;          // no weight is -128: SMLAL of two tap pairs is exact
};

void qs8_dwconv_16c__neon(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end);

}  // namespace qrun::kernels::arm

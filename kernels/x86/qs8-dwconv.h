// x86 int8 depthwise convolution microkernels (declarations).
//
// All of them compute output rows [row_begin, row_end) of the flattened
// batch * out_h rows, NHWC, groups == in_c == out_c. Each output pixel gets a
// list of tap pointers (XNNPACK-style indirection): an in-image tap points at
// its input pixel, an out-of-image tap at `zero_buf`, a row of the input zero
// point, so padding needs no branch in the MAC loop. Interior pixels (all taps
// inside) just step the previous pixel's tap pointers by stride_w * in_c. The tap list is padded to
// an even length with `zero_buf` (whose weight is 0) because taps are consumed
// in pairs: two int8 taps are interleaved, widened to int16 and multiplied by
// an int16 weight pair with one vpmaddwd (vpdpwssd on AVX-512 VNNI).
//
// The input zero point is folded into the bias at pack time:
//   sum_t w_t * (x_t - zp) + b  ==  sum_t w_t * x_t + (b - zp * sum_t w_t)
// (int32, modulo 2^32 like the reference's accumulator), and padding taps read
// zp, so they contribute w * zp - w * zp = 0 exactly as the reference skips
// them. Requantization as kernels/requantize.h: float32 multiply, clamp,
// cvtps (round half to even), + output zero point.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::x86 {

// Largest kernel (taps) the microkernels take; bigger ones keep the reference.
constexpr int kQs8DwMaxTaps = 256;

// Packed by kernels/dispatch/qs8_dwconv.cc. G = ceil(taps / 2) tap pairs.
// AVX2 (16c): weights int16 [G][C16][2] (C16 = in_c rounded up to 16; the
//   pair of channel c is {w[2g][c], w[2g+1][c]}); bias, scale [C16].
// AVX-512 (32c): per tile of 32 channels, weights int16 [G][2][16][2], where
//   half 0 holds channels 0-7,16-23 and half 1 channels 8-15,24-31 of the
//   tile (the order the in-lane byte unpacks produce); bias and scale
//   [2][16] per tile in the same order.
struct Qs8DwParams {
  const Conv2DGeometry* g;
  const int16_t* weights;
  // 3x3 with dilation_w 1, stride_w 1 or 2 (else nullptr): the pairs of the
  // column-reuse path, group kx (0-2) = {w[0][kx], w[1][kx]}, group 3 + kx =
  // {w[2][kx], 0}. AVX2: int16 [6][C16][2]; AVX-512: per tile [6][2][16][2]
  // in the accumulator order above.
  const int16_t* col_weights;
  const int32_t* bias;  // zero point folded in
  const float* scale;
  const int8_t* zero_buf;  // in_w * in_c + 64 bytes of the input zero point
  float out_lo, out_hi;    // qmin - zp, qmax - zp
  int32_t output_zero_point;
};

// Specialised by kernel size (the tap loop is unrolled; any stride, dilation
// and padding), and a general fallback for any kernel up to kQs8DwMaxTaps.
void qs8_dwconv_3x3_16c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                              size_t row_begin, size_t row_end);
void qs8_dwconv_5x5_16c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                              size_t row_begin, size_t row_end);
void qs8_dwconv_16c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end);

void qs8_dwconv_3x3_32c__avx512vnni(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                                    size_t row_begin, size_t row_end);
void qs8_dwconv_5x5_32c__avx512vnni(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                                    size_t row_begin, size_t row_end);
void qs8_dwconv_32c__avx512vnni(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                                size_t row_begin, size_t row_end);

}  // namespace qrun::kernels::x86

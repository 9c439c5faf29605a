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
  // Column weights (else nullptr). AVX2 3x3/5x5: groups of 8 channels, int16
  // [group][NG * KW][8][2], NG = ceil(KH / 2); vector j * KW + kx holds
  // {w[2j][kx], w[2j+1][kx]} ({w[KH-1][kx], 0} for an odd last row). Groups
  // start at channels 0, 8, 16, ... and, if in_c % 8 != 0, also at in_c - 16
  // (when in_c >= 16) and in_c - 8 (when in_c >= 8), in that order; 64-byte
  // aligned. AVX-512 3x3 with dilation_w 1, stride_w 1 or 2: per tile
  // [6][2][16][2] in the accumulator order above, group kx (0-2) =
  // {w[0][kx], w[1][kx]}, group 3 + kx = {w[2][kx], 0}.
  const int16_t* col_weights;
  const int32_t* bias;  // zero point folded in
  const float* scale;
  const int8_t* zero_buf;  // in_w * in_c + 64 bytes of the input zero point
  float out_lo, out_hi;    // qmin - zp, qmax - zp
  int32_t output_zero_point;
};

// AVX2 3x3 and 5x5 (any stride and padding; (KW - 1) * dilation_w + 1 <=
// kQs8DwAvx2BufCols), weights in d.col_weights: a ring-of-accumulators pass
// per row for stride_w 1/2 at dilation_w 1 and in_c >= 8, else a widened
// column buffer (Qs8DwAvx2BlockChannels says the block width). The general
// 16c fallback takes any kernel up to kQs8DwMaxTaps (weights in d.weights).
void qs8_dwconv_3x3__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end);
void qs8_dwconv_5x5__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end);
// Column-buffer capacity, in input columns.
constexpr int kQs8DwAvx2BufCols = 128;
// Whether the AVX2 3x3/5x5 kernels take the ring path for this layer, and
// the channels per block they use (16: 3x3, or 5x5 at stride 2, in_c >= 16).
inline bool Qs8DwAvx2Ring(const Conv2DGeometry& g) {
  return g.dilation_w == 1 && (g.stride_w == 1 || g.stride_w == 2) && g.in_c >= 8;
}
inline int Qs8DwAvx2BlockChannels(const Conv2DGeometry& g) {
  return Qs8DwAvx2Ring(g) && g.in_c >= 16 && (g.kernel_w == 3 || g.stride_w == 2) ? 16 : 8;
}
void qs8_dwconv_16c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end);

void qs8_dwconv_3x3_32c__avx512vnni(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                                    size_t row_begin, size_t row_end);
void qs8_dwconv_5x5_32c__avx512vnni(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                                    size_t row_begin, size_t row_end);
void qs8_dwconv_32c__avx512vnni(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                                size_t row_begin, size_t row_end);

}  // namespace qrun::kernels::x86

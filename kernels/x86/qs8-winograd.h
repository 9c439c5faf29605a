// x86 int8 Winograd F(2x2, 3x3) kernels (declarations). Transforms and the
// exactness argument: kernels/winograd_f2x3.h. Driver: kernels/dispatch/qs8_winograd.h.
//
// V layout (one tile): [16 positions][cp] int16, cp a multiple of 16.
// Packed weights (one tile of 16 output channels):
//   int32 bias[16]   bias - input_zero_point * sum(w), per channel
//   float scale[16]  requantization scale
//   int16 u[16 positions][kp = ceil(c / 2)][16 channels][2]   U' = G' g G'^T
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/x86/qs8-igemm.h"

namespace qrun::kernels::x86 {

// One tile's output: where output pixel (2ty, 2tx) channel 0 of this
// channel tile goes, and how many of its 2 rows / 2 columns are in the image.
struct WinogradTileOut {
  int8_t* out;
  int rows, cols;
};

// Input transform of one tile: d[16] are the 16 pixels of the 4x4 input
// tile (row-major), each pointing at c int8 channels (the zero-point pixel
// for padding); writes v[16][cp] int16 (channels c..cp zeroed).
void qs8_winograd_f2x3_input__avx2(size_t c, const int8_t* const* d, int16_t* v, size_t cp);

// GEMM in the Winograd domain for ntiles <= kWinogradMaxTiles tiles (v[t]:
// tile t's [16][cp] block; v and tiles hold ntiles rounded up to
// kWinogradBlockTiles entries,
// the extra ones repeating any valid tile) and nc <= 16 output channels of
// one packed tile w, then the output transform, the /4, bias and
// requantization. row_stride / pixel_stride: bytes between output rows /
// neighbouring output pixels.
constexpr int kWinogradBlockTiles = 6;  // tiles sharing each weight load
constexpr size_t kWinogradMaxTiles = 18;
void qs8_winograd_f2x3_6x16c2__avx2(size_t ntiles, size_t nc, size_t c,
                                    const int16_t* const* v, size_t cp, const void* w,
                                    const WinogradTileOut* tiles, size_t row_stride,
                                    size_t pixel_stride, const Qs8Requant& p);

}  // namespace qrun::kernels::x86

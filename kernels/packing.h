// Weight packing for the GEMM-style int8 kernels (separate from the
// microkernels; done once at prepare).
//
// Weights come as [n][ks][kc] (OHWI for one group: output channel, tap,
// input channel). They are cut into tiles of nr output channels; each tile is
//   int32 bias[nr]     bias[c] - (input_zero_point + x_offset) * sum(w[c])
//   float scale[nr]    requantization scale per channel
//   weights            for each tap, for each block of kr input channels:
//                      [nr][kr] elements (int8 or int16), zero padded
// x_offset is what the kernel's input encoding adds to every activation
// (128 for the u8 VNNI encoding, 0 for int16 and for the ARM kernels, which
// read int8). Layouts in use: x86 AVX2 nr16 kr2 int16 or int8 (igemm, "w8"
// widened in the kernel) and nr32 kr2 int8 (one-row GEMV), AVX-VNNI nr16 and
// nr32 (GEMV) kr4, AVX-512 VNNI nr16-64 kr4 (both VNNI: u8 input, x_offset
// 128); ARM NEON nr4/8 kr16, SDOT nr16 kr4, i8mm nr16 kr8. The bias term is computed
// modulo 2^32, like the kernels' int32 accumulation: the final accumulator
// equals the reference's whenever that fits in int32 (checked at prepare).
#pragma once

#include <cstddef>
#include <cstdint>

namespace qrun::kernels {

struct PackLayout {
  int nr = 16;         // output channels per tile
  int kr = 4;          // input channels per block
  int elem_bytes = 1;  // 1: int8 weights; 2: int16
  int32_t x_offset = 0;
};

inline size_t RoundUp(size_t x, size_t m) { return (x + m - 1) / m * m; }

// Bytes of one tile (bias, scales and weights of nr channels).
size_t PackedTileBytes(const PackLayout& l, int ks, int kc);
// Bytes for n channels: ceil(n / nr) tiles.
size_t PackedBytes(const PackLayout& l, int n, int ks, int kc);

// Packs n channels; bias may be null (zero). `out` holds PackedBytes bytes.
void PackQs8Weights(const PackLayout& l, int n, int ks, int kc, const int8_t* weights,
                    const int32_t* bias, const float* scale, int32_t input_zero_point,
                    void* out);

}  // namespace qrun::kernels

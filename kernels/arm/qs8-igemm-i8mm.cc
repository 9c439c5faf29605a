// int8 indirect-GEMM microkernels, AArch64 SMMLA (FEAT_I8MM, ARMv8.6):
// vmmlaq_s32(acc, a, b) reads a as 2 rows x 8 k and b as 2 columns x 8 k and
// adds the 2x2 int32 product {r0c0, r0c1, r1c0, r1c1} to acc: 32 MACs per
// instruction, twice SDOT's 16.
//
// Weights in c8 blocks (kernels/packing.h with kr 8: [16][8] per 8 input
// channels): one q register holds 2 adjacent output channels x 8 k, which is
// SMMLA's b operand as packed, so no i8mm-specific packing is needed. Rows go
// in pairs: the 16-byte loads of rows 2p and 2p+1 zipped by 64-bit halves
// give the (k 0-7) and (k 8-15) a operands.
//
// MRx16 tiles, MR/2 x 8 accumulators: 4x16 uses 16 accumulators + 8 weight +
// 4 activation registers of the 32; 8x16 would need 32 accumulators. The
// accumulators start as {b[2j], b[2j+1], b[2j], b[2j+1]} (the bias in the
// 2x2 layout) and are unzipped into rows only once, before requantization.
// Batch-1 GEMV stays on SDOT (qs8_igemm_1x16c4__neondot): with one row,
// half of each SMMLA would be wasted, the same 16 useful MACs as one SDOT.
// Contract: kernels/arm/qs8-igemm.h.
#include <arm_neon.h>

#include "kernels/arm/qs8-igemm.h"
#include "kernels/arm/qs8-requant-neon.h"

namespace qrun::kernels::arm {
namespace {

constexpr int kNr = 16;
constexpr int kBlockBytes = kNr * 8;  // one c8 block of the tile

// {r0[0..7], r1[0..7]} and {r0[8..15], r1[8..15]}: a row pair as SMMLA's a.
inline __attribute__((always_inline)) int8x16_t PairLo(int8x16_t r0, int8x16_t r1) {
  return vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(r0), vreinterpretq_s64_s8(r1)));
}
inline __attribute__((always_inline)) int8x16_t PairHi(int8x16_t r0, int8x16_t r1) {
  return vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(r0), vreinterpretq_s64_s8(r1)));
}

// One c8 block (8 k, 16 channels = 8 column pairs) for every row pair.
template <int P>
inline __attribute__((always_inline)) void MmlaBlock(int32x4_t (&acc)[P][8],
                                                     const int8x16_t (&va)[P],
                                                     const int8_t* wp) {
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {
    const int8x16_t b = vld1q_s8(wp + 16 * j);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) acc[p][j] = vmmlaq_s32(acc[p][j], va[p], b);
  }
  // Keeps the next block's loads after these SMMLAs: hoisted, they would not
  // fit next to 16 accumulators and GCC 12 would spill.
  __asm__ volatile("" ::: "memory");
}

template <int MR>
inline __attribute__((always_inline)) void IgemmMmla(size_t mr, size_t nc, size_t kc, size_t ks,
                                                     const void* const* a, size_t a_offset,
                                                     const void* w, int8_t* c, size_t c_stride,
                                                     const Qs8Requant& p) {
  static_assert(MR % 2 == 0, "rows go in pairs");
  constexpr int P = MR / 2;
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + kNr);
  const int8_t* wp = reinterpret_cast<const int8_t*>(scale + kNr);

  int32x4_t acc[P][8];
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {
    const int32x2_t b = vld1_s32(bias + 2 * j);
#pragma GCC unroll 4
    for (int q = 0; q < P; ++q) acc[q][j] = vcombine_s32(b, b);
  }
  const size_t kfull = kc & ~static_cast<size_t>(15);
  const size_t krem = kc & 15;
  do {
    const int8_t* rows[MR];
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) rows[m] = static_cast<const int8_t*>(a[m]) + a_offset;
    a += MR;
    for (size_t k = 0; k < kfull; k += 16) {
      int8x16_t r[MR], lo[P], hi[P];
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) r[m] = vld1q_s8(rows[m] + k);
#pragma GCC unroll 4
      for (int q = 0; q < P; ++q) lo[q] = PairLo(r[2 * q], r[2 * q + 1]);
      MmlaBlock<P>(acc, lo, wp);
#pragma GCC unroll 4
      for (int q = 0; q < P; ++q) hi[q] = PairHi(r[2 * q], r[2 * q + 1]);
      MmlaBlock<P>(acc, hi, wp + kBlockBytes);
      wp += 2 * kBlockBytes;
      // With all 32 registers live, GCC 12 otherwise moves one accumulator
      // through a spare register and back (2 MOVs per iteration): an empty
      // asm pins the accumulators. The 2-row kernel has registers to spare
      // and gets worse with it.
      if constexpr (P > 1) {
#pragma GCC unroll 4
        for (int q = 0; q < P; ++q)
          __asm__("" : "+w"(acc[q][0]), "+w"(acc[q][1]), "+w"(acc[q][2]), "+w"(acc[q][3]),
                  "+w"(acc[q][4]), "+w"(acc[q][5]), "+w"(acc[q][6]), "+w"(acc[q][7]));
      }
    }
    if (krem != 0) {
      // ceil(krem / 8) blocks left; the packed weights are zero past kc and
      // LoadTail16 zeroes the lanes past krem.
      int8x16_t lo[P], hi[P];
#pragma GCC unroll 4
      for (int q = 0; q < P; ++q) {
        const int8x16_t r0 = LoadTail16(rows[2 * q] + kfull, krem);
        const int8x16_t r1 = LoadTail16(rows[2 * q + 1] + kfull, krem);
        lo[q] = PairLo(r0, r1);
        hi[q] = PairHi(r0, r1);
      }
      MmlaBlock<P>(acc, lo, wp);
      wp += kBlockBytes;
      if (krem > 8) {
        MmlaBlock<P>(acc, hi, wp);
        wp += kBlockBytes;
      }
    }
  } while (--ks != 0);

  const NeonRequant r(p);
  float32x4_t sc[4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) sc[j] = vld1q_f32(scale + 4 * j);
#pragma GCC unroll 4
  for (int q = 0; q < P; ++q) {
    // acc[q][j] = {r0c(2j), r0c(2j+1), r1c(2j), r1c(2j+1)}: the low halves of
    // two neighbours are 4 channels of row 2q, the high halves of row 2q+1.
    int32x4_t row[2][4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
      const int64x2_t x = vreinterpretq_s64_s32(acc[q][2 * i]);
      const int64x2_t y = vreinterpretq_s64_s32(acc[q][2 * i + 1]);
      row[0][i] = vreinterpretq_s32_s64(vzip1q_s64(x, y));
      row[1][i] = vreinterpretq_s32_s64(vzip2q_s64(x, y));
    }
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const size_t m = static_cast<size_t>(2 * q + h);
      if (m >= mr) break;
      int8_t* out = c + m * c_stride;
      const int8x8_t lo =
          NarrowTo8(Requantize4(row[h][0], sc[0], r), Requantize4(row[h][1], sc[1], r));
      const int8x8_t hi =
          NarrowTo8(Requantize4(row[h][2], sc[2], r), Requantize4(row[h][3], sc[3], r));
      if (nc >= 16) {
        vst1q_s8(out, vcombine_s8(lo, hi));
      } else if (nc > 8) {
        vst1_s8(out, lo);
        StorePartial8(out + 8, hi, nc - 8);
      } else {
        StorePartial8(out, lo, nc);
      }
    }
  }
}

}  // namespace

void qs8_igemm_2x16c8__neoni8mm(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                                size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                                const Qs8Requant& p) {
  IgemmMmla<2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

void qs8_igemm_4x16c8__neoni8mm(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                                size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                                const Qs8Requant& p) {
  IgemmMmla<4>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

}  // namespace qrun::kernels::arm

// int8 indirect-GEMM microkernels, AArch64 SDOT (ARMv8.2 dot product):
// vdotq_laneq_s32 adds, into each int32 lane (one output channel), the dot
// product of 4 weights with 4 activations broadcast from one lane of the
// row's 16-byte load. Weights in c4 blocks: one q register = 4 channels x
// 4 k, NR = 16 channels per tile (4 registers). Contract:
// kernels/arm/qs8-igemm.h.
#include <arm_neon.h>

#include "kernels/arm/qs8-igemm.h"
#include "kernels/arm/qs8-requant-neon.h"

namespace qrun::kernels::arm {
namespace {

constexpr int kNr = 16;

// One c4 block (4 k) for every row, activations from lane L of va.
template <int MR, int L>
inline __attribute__((always_inline)) void DotBlock(int32x4_t (&acc)[MR][4],
                                                    const int8x16_t (&va)[MR],
                                                    const int8_t* wp) {
  const int8x16_t b0 = vld1q_s8(wp);
  const int8x16_t b1 = vld1q_s8(wp + 16);
  const int8x16_t b2 = vld1q_s8(wp + 32);
  const int8x16_t b3 = vld1q_s8(wp + 48);
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    acc[m][0] = vdotq_laneq_s32(acc[m][0], b0, va[m], L);
    acc[m][1] = vdotq_laneq_s32(acc[m][1], b1, va[m], L);
    acc[m][2] = vdotq_laneq_s32(acc[m][2], b2, va[m], L);
    acc[m][3] = vdotq_laneq_s32(acc[m][3], b3, va[m], L);
  }
  // Keeps the next block's loads after these SDOTs: otherwise GCC 12 hoists
  // them all and spills accumulators.
  __asm__ volatile("" ::: "memory");
}

template <int MR>
inline __attribute__((always_inline)) void IgemmDot(size_t mr, size_t nc, size_t kc, size_t ks,
                                                    const void* const* a, size_t a_offset,
                                                    const void* w, int8_t* c, size_t c_stride,
                                                    const Qs8Requant& p) {
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + kNr);
  const int8_t* wp = reinterpret_cast<const int8_t*>(scale + kNr);

  int32x4_t acc[MR][4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const int32x4_t b = vld1q_s32(bias + 4 * j);
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) acc[m][j] = b;
  }
  // With one row, 4 accumulators are too few to cover the SDOT latency:
  // odd lanes go to a second set, added at the end.
  int32x4_t acc_odd[MR][4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) acc_odd[m][j] = vdupq_n_s32(0);
  }
  int32x4_t(&odd)[MR][4] = MR == 1 ? acc_odd : acc;
  const size_t kfull = kc & ~static_cast<size_t>(15);
  const size_t krem = kc & 15;
  do {
    const int8_t* rows[MR];
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) rows[m] = static_cast<const int8_t*>(a[m]) + a_offset;
    a += MR;
    for (size_t k = 0; k < kfull; k += 16) {
      int8x16_t va[MR];
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) va[m] = vld1q_s8(rows[m] + k);
      DotBlock<MR, 0>(acc, va, wp);
      DotBlock<MR, 1>(odd, va, wp + 64);
      DotBlock<MR, 2>(acc, va, wp + 128);
      DotBlock<MR, 3>(odd, va, wp + 192);
      wp += 256;
    }
    if (krem != 0) {
      // ceil(krem / 4) blocks left; the packed weights are zero past kc.
      int8x16_t va[MR];
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) va[m] = LoadTail16(rows[m] + kfull, krem);
      DotBlock<MR, 0>(acc, va, wp);
      wp += 64;
      if (krem > 4) {
        DotBlock<MR, 1>(acc, va, wp);
        wp += 64;
      }
      if (krem > 8) {
        DotBlock<MR, 2>(acc, va, wp);
        wp += 64;
      }
      if (krem > 12) {
        DotBlock<MR, 3>(acc, va, wp);
        wp += 64;
      }
    }
  } while (--ks != 0);

  if (MR == 1) {
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) acc[0][j] = vaddq_s32(acc[0][j], acc_odd[0][j]);
  }

  const NeonRequant r(p);
  float32x4_t sc[4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) sc[j] = vld1q_f32(scale + 4 * j);
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    if (static_cast<size_t>(m) >= mr) break;
    int8_t* out = c + m * c_stride;
    const int8x8_t lo = NarrowTo8(Requantize4(acc[m][0], sc[0], r), Requantize4(acc[m][1], sc[1], r));
    const int8x8_t hi = NarrowTo8(Requantize4(acc[m][2], sc[2], r), Requantize4(acc[m][3], sc[3], r));
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

}  // namespace

void qs8_igemm_1x16c4__neondot(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                               size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                               const Qs8Requant& p) {
  IgemmDot<1>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

void qs8_igemm_4x16c4__neondot(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                               size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                               const Qs8Requant& p) {
  IgemmDot<4>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

}  // namespace qrun::kernels::arm

// int8 indirect-GEMM microkernels, NEON (AArch64 and ARMv7): SMULL of 8
// int8 pairs into int16, SMLAL of the next 8 ("mlal", weights in
// [-127, 127] only) or a second SMULL ("smull", any weights), then SADALP
// adds int16 pairs into int32x4 accumulators. One accumulator per (row,
// column) pair; its 4 lanes are summed at the end. Weights in c16 blocks
// (one q register = one column x 16 k). Contract: kernels/arm/qs8-igemm.h.
#include <arm_neon.h>

#include "kernels/arm/qs8-igemm.h"
#include "kernels/arm/qs8-requant-neon.h"

namespace qrun::kernels::arm {
namespace {

// acc += sum of the 16 products a[i] * b[i], spread over 4 lanes.
template <bool kMlal>
inline __attribute__((always_inline)) int32x4_t Mac16(int32x4_t acc, int8x16_t a, int8x16_t b) {
  int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
  if (kMlal) {
    // |a * b| <= 128 * 127, so two products fit int16 exactly.
#if defined(__aarch64__)
    lo = vmlal_high_s8(lo, a, b);
#else
    lo = vmlal_s8(lo, vget_high_s8(a), vget_high_s8(b));
#endif
    return vpadalq_s16(acc, lo);
  }
  acc = vpadalq_s16(acc, lo);
#if defined(__aarch64__)
  const int16x8_t hi = vmull_high_s8(a, b);
#else
  const int16x8_t hi = vmull_s8(vget_high_s8(a), vget_high_s8(b));
#endif
  return vpadalq_s16(acc, hi);
}

// Lane sums of four accumulators: {sum(a), sum(b), sum(c), sum(d)}.
inline __attribute__((always_inline)) int32x4_t Reduce4(int32x4_t a, int32x4_t b, int32x4_t c,
                                                        int32x4_t d) {
#if defined(__aarch64__)
  return vpaddq_s32(vpaddq_s32(a, b), vpaddq_s32(c, d));
#else
  const int32x2_t ab = vpadd_s32(vadd_s32(vget_low_s32(a), vget_high_s32(a)),
                                 vadd_s32(vget_low_s32(b), vget_high_s32(b)));
  const int32x2_t cd = vpadd_s32(vadd_s32(vget_low_s32(c), vget_high_s32(c)),
                                 vadd_s32(vget_low_s32(d), vget_high_s32(d)));
  return vcombine_s32(ab, cd);
#endif
}

// One 16-k block: every (row, column) pair.
template <int MR, int NR, bool kMlal>
inline __attribute__((always_inline)) void Block16(int32x4_t (&acc)[MR][NR],
                                                   const int8x16_t (&va)[MR], const int8_t* wp) {
#pragma GCC unroll 8
  for (int n = 0; n < NR; ++n) {
    const int8x16_t vb = vld1q_s8(wp + 16 * n);
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) acc[m][n] = Mac16<kMlal>(acc[m][n], va[m], vb);
    // Keeps the next column pair's loads (and so its products) after this
    // one: otherwise GCC 12 hoists all products and spills accumulators.
    if (n % 2 == 1) __asm__ volatile("" ::: "memory");
  }
}

template <int MR, int NR, bool kMlal>
inline __attribute__((always_inline)) void IgemmC16(size_t mr, size_t nc, size_t kc, size_t ks,
                                                    const void* const* a, size_t a_offset,
                                                    const void* w, int8_t* c, size_t c_stride,
                                                    const Qs8Requant& p) {
  static_assert(NR == 4 || NR == 8, "one 8-byte store per row");
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + NR);
  const int8_t* wp = reinterpret_cast<const int8_t*>(scale + NR);

  int32x4_t acc[MR][NR];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 8
    for (int n = 0; n < NR; ++n) acc[m][n] = vdupq_n_s32(0);
  }
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
      Block16<MR, NR, kMlal>(acc, va, wp);
      wp += 16 * NR;
    }
    if (krem != 0) {
      int8x16_t va[MR];
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) va[m] = LoadTail16(rows[m] + kfull, krem);
      Block16<MR, NR, kMlal>(acc, va, wp);  // the packed weights are zero past kc
      wp += 16 * NR;
    }
  } while (--ks != 0);

  const NeonRequant r(p);
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    if (static_cast<size_t>(m) >= mr) break;
    int8_t* out = c + m * c_stride;
    int32x4_t q[NR / 4];
#pragma GCC unroll 2
    for (int j = 0; j < NR / 4; ++j) {
      const int32x4_t sum =
          Reduce4(acc[m][4 * j], acc[m][4 * j + 1], acc[m][4 * j + 2], acc[m][4 * j + 3]);
      q[j] = Requantize4(vaddq_s32(sum, vld1q_s32(bias + 4 * j)), vld1q_f32(scale + 4 * j), r);
    }
    int8x8_t bytes;
    if constexpr (NR == 8) {
      bytes = NarrowTo8(q[0], q[1]);
    } else {
      bytes = NarrowTo8(q[0], q[0]);
    }
    StorePartial8(out, bytes, nc < static_cast<size_t>(NR) ? nc : static_cast<size_t>(NR));
  }
}

}  // namespace

#define QRUN_DEFINE(name, MR, NR, MLAL)                                                          \
  void name(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a, size_t a_offset, \
            const void* w, int8_t* c, size_t c_stride, const Qs8Requant& p) {                  \
    IgemmC16<MR, NR, MLAL>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);                    \
  }

QRUN_DEFINE(qs8_igemm_1x8c16__neon_mlal, 1, 8, true)
QRUN_DEFINE(qs8_igemm_2x8c16__neon_mlal, 2, 8, true)
QRUN_DEFINE(qs8_igemm_1x8c16__neon_smull, 1, 8, false)
QRUN_DEFINE(qs8_igemm_2x8c16__neon_smull, 2, 8, false)
QRUN_DEFINE(qs8_igemm_1x4c16__neon_mlal, 1, 4, true)
QRUN_DEFINE(qs8_igemm_2x4c16__neon_mlal, 2, 4, true)
QRUN_DEFINE(qs8_igemm_1x4c16__neon_smull, 1, 4, false)
QRUN_DEFINE(qs8_igemm_2x4c16__neon_smull, 2, 4, false)

#undef QRUN_DEFINE

}  // namespace qrun::kernels::arm

// Vectorised kernels/requantize.h for the ARM microkernels (include only from
// files compiled with NEON: kernels/arm/*-neon.cc, *-dotprod.cc, *-i8mm.cc).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/arm/qs8-igemm.h"

namespace qrun::kernels::arm {

struct NeonRequant {
  float32x4_t lo, hi;
  int32x4_t zp;
  explicit NeonRequant(const Qs8Requant& p)
      : lo(vdupq_n_f32(p.out_lo)), hi(vdupq_n_f32(p.out_hi)), zp(vdupq_n_s32(p.zero_point)) {}
};

// clamp, round half to even, + zero point (kernels/requantize.h's
// requantize_float; f is never NaN here). Result lanes lie in [qmin, qmax].
inline __attribute__((always_inline)) int32x4_t RequantizeFloat4(float32x4_t f,
                                                                 const NeonRequant& r) {
  f = vminq_f32(vmaxq_f32(f, r.lo), r.hi);
#if defined(__aarch64__)
  const int32x4_t q = vcvtnq_s32_f32(f);  // FCVTNS: round to nearest, ties to even
#else
  // ARMv7 has no FCVTNS. NEON arithmetic always rounds to nearest even, so
  // adding 1.5 * 2^23 leaves round_half_even(f) in the low mantissa bits for
  // any |f| < 2^22 (here |f| <= 255 after the clamp).
  const float32x4_t magic = vdupq_n_f32(12582912.0f);
  const int32x4_t q =
      vsubq_s32(vreinterpretq_s32_f32(vaddq_f32(f, magic)), vreinterpretq_s32_f32(magic));
#endif
  return vaddq_s32(q, r.zp);
}

// float(acc) * scale (a plain multiply: -ffp-contract=off keeps it unfused),
// then RequantizeFloat4.
inline __attribute__((always_inline)) int32x4_t Requantize4(int32x4_t acc, float32x4_t scale,
                                                            const NeonRequant& r) {
  return RequantizeFloat4(vmulq_f32(vcvtq_f32_s32(acc), scale), r);
}

// Two int32x4 of values in [-128, 127] -> 8 bytes in order.
inline __attribute__((always_inline)) int8x8_t NarrowTo8(int32x4_t a, int32x4_t b) {
  return vqmovn_s16(vcombine_s16(vqmovn_s32(a), vqmovn_s32(b)));
}

// Stores the first n (<= 8) bytes of v. Fixed-size pieces only: a memcpy of
// variable size is a call, and a call makes the compiler spill every
// accumulator around it.
inline __attribute__((always_inline)) void StorePartial8(int8_t* out, int8x8_t v, size_t n) {
  if (n >= 8) {
    vst1_s8(out, v);
    return;
  }
  uint64_t x = vget_lane_u64(vreinterpret_u64_s8(v), 0);
  if (n & 4) {
    const uint32_t y = static_cast<uint32_t>(x);
    std::memcpy(out, &y, 4);
    out += 4;
    x >>= 32;
  }
  if (n & 2) {
    const uint16_t y = static_cast<uint16_t>(x);
    std::memcpy(out, &y, 2);
    out += 2;
    x >>= 16;
  }
  if (n & 1) *out = static_cast<int8_t>(x);
}

// Loads n (< 16) bytes into the low lanes of a zeroed vector: the K tail of a
// row, without reading past it (the row may end the input tensor).
inline __attribute__((always_inline)) int8x16_t LoadTail16(const int8_t* p, size_t n) {
  uint64_t lo = 0, hi = 0, t = 0;
  if (n & 8) std::memcpy(&lo, p, 8);
  p += n & 8;
  unsigned shift = 0;
  if (n & 4) {
    uint32_t y;
    std::memcpy(&y, p, 4);
    t = y;
    p += 4;
    shift = 32;
  }
  if (n & 2) {
    uint16_t y;
    std::memcpy(&y, p, 2);
    t |= static_cast<uint64_t>(y) << shift;
    p += 2;
    shift += 16;
  }
  if (n & 1) t |= static_cast<uint64_t>(static_cast<uint8_t>(*p)) << shift;
  if (n & 8) {
    hi = t;
  } else {
    lo = t;
  }
  return vreinterpretq_s8_u64(vcombine_u64(vcreate_u64(lo), vcreate_u64(hi)));
}

}  // namespace qrun::kernels::arm

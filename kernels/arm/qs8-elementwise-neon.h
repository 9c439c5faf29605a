// Helpers for the NEON element-wise / pooling kernels (include only from
// files compiled with NEON).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/arm/qs8-requant-neon.h"
#include "kernels/elementwise_params.h"

namespace qrun::kernels::arm {

// The requantization of kernels/arm/qs8-requant-neon.h, from the element-wise
// output parameters.
struct NeonOut {
  NeonRequant r;
  explicit NeonOut(const Qs8OutParams& p) : r(Qs8Requant{p.out_lo, p.out_hi, p.zero_point}) {}
  int32x4_t operator()(float32x4_t f) const { return RequantizeFloat4(f, r); }
};

// 16 int8 -> four int32x4 of x - zp.
struct Centered16 {
  int32x4_t v[4];
};
inline Centered16 LoadCentered16(const int8_t* p, int16x8_t zp) {
  const int8x16_t x = vld1q_s8(p);
  const int16x8_t lo = vsubq_s16(vmovl_s8(vget_low_s8(x)), zp);
  const int16x8_t hi = vsubq_s16(vmovl_s8(vget_high_s8(x)), zp);
  return {{vmovl_s16(vget_low_s16(lo)), vmovl_s16(vget_high_s16(lo)), vmovl_s16(vget_low_s16(hi)),
           vmovl_s16(vget_high_s16(hi))}};
}

// Four int32x4 in [-128, 127] -> 16 bytes.
inline int8x16_t Narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
  return vcombine_s8(NarrowTo8(a, b), NarrowTo8(c, d));
}

// Runs body(const int8_t* a, const int8_t* b, int8_t* y) on 16-element
// blocks; the last < 16 go through local buffers so nothing past n is read
// or written. b advances only if b_step.
template <typename F>
inline void Blocks16(size_t n, const int8_t* a, const int8_t* b, bool b_step, int8_t* y, F&& body) {
  for (; n >= 16; n -= 16, a += 16, y += 16) {
    body(a, b, y);
    if (b_step) b += 16;
  }
  if (n != 0) {
    int8_t ta[16] = {}, tb[16] = {}, ty[16];
    std::memcpy(ta, a, n);
    if (b_step) std::memcpy(tb, b, n);
    body(ta, b_step ? tb : b, ty);
    std::memcpy(y, ty, n);
  }
}

}  // namespace qrun::kernels::arm

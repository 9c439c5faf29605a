// 256-entry int8 table lookup, y[i] = table[x[i] + 128]. AArch64: four
// 64-byte TBL/TBX lookups per 16 bytes (TBL gives 0 and TBX keeps the lane
// for indices >= 64, so each quarter of the table fills its own lanes).
// ARMv7 has only 32-byte VTBL/VTBX on 8-byte vectors: eight lookups, one per
// 32-entry slice, the index lowered by 32 before each (VTBX keeps the lane for
// indices >= 32, and the wrapped-around ones of earlier slices are >= 32 too).
#include <arm_neon.h>

#include "kernels/arm/qs8-elementwise.h"

namespace qrun::kernels::arm {

#if defined(__aarch64__)
void x8_lut__neon(size_t n, const int8_t* x, int8_t* y, const uint8_t table[256]) {
  const uint8x16x4_t t0 = vld1q_u8_x4(table), t1 = vld1q_u8_x4(table + 64);
  const uint8x16x4_t t2 = vld1q_u8_x4(table + 128), t3 = vld1q_u8_x4(table + 192);
  const uint8x16_t k64 = vdupq_n_u8(64), bias = vdupq_n_u8(0x80);
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    uint8x16_t i = veorq_u8(vreinterpretq_u8_s8(vld1q_s8(x)), bias);  // x + 128
    uint8x16_t r = vqtbl4q_u8(t0, i);
    i = vsubq_u8(i, k64);
    r = vqtbx4q_u8(r, t1, i);
    i = vsubq_u8(i, k64);
    r = vqtbx4q_u8(r, t2, i);
    i = vsubq_u8(i, k64);
    r = vqtbx4q_u8(r, t3, i);
    vst1q_s8(y, vreinterpretq_s8_u8(r));
  }
  for (size_t k = 0; k < n; ++k) {
    y[k] = static_cast<int8_t>(table[static_cast<uint8_t>(x[k]) ^ 0x80u]);
  }
}
#else
namespace {

inline uint8x8x4_t Slice(const uint8_t* t) {
  uint8x8x4_t s;
  s.val[0] = vld1_u8(t);
  s.val[1] = vld1_u8(t + 8);
  s.val[2] = vld1_u8(t + 16);
  s.val[3] = vld1_u8(t + 24);
  return s;
}

}  // namespace

void x8_lut__neon(size_t n, const int8_t* x, int8_t* y, const uint8_t table[256]) {
  const uint8x8_t k32 = vdup_n_u8(32), bias = vdup_n_u8(0x80);
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const uint8x16_t v = vreinterpretq_u8_s8(vld1q_s8(x));
    uint8x8_t lo = veor_u8(vget_low_u8(v), bias), hi = veor_u8(vget_high_u8(v), bias);  // x + 128
    uint8x8x4_t s = Slice(table);
    uint8x8_t rlo = vtbl4_u8(s, lo), rhi = vtbl4_u8(s, hi);
    for (int k = 1; k < 8; ++k) {
      s = Slice(table + 32 * k);
      lo = vsub_u8(lo, k32);
      hi = vsub_u8(hi, k32);
      rlo = vtbx4_u8(rlo, s, lo);
      rhi = vtbx4_u8(rhi, s, hi);
    }
    vst1q_s8(y, vreinterpretq_s8_u8(vcombine_u8(rlo, rhi)));
  }
  for (size_t k = 0; k < n; ++k) {
    y[k] = static_cast<int8_t>(table[static_cast<uint8_t>(x[k]) ^ 0x80u]);
  }
}
#endif

}  // namespace qrun::kernels::arm

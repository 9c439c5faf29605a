// int8 -> float32 (DequantizeLinear), NEON, 16 values per step:
// float(x - zero_point) * scale with the subtraction in int32 (as the
// reference), a plain multiply (-ffp-contract=off). Bit-exact with
// kernels::ref::dequantize_s8_f32. ARMv7 NEON flushes denormals and makes
// every NaN the default NaN: the dispatch keeps the reference for scales
// where that could show (denormal or NaN scale).
#include <cstring>

#include "kernels/arm/qs8-elementwise-neon.h"
#include "kernels/arm/qs8-elementwise.h"

namespace qrun::kernels::arm {
namespace {

inline void Convert16(const int8_t* x, float* y, int32x4_t zp, float32x4_t scale) {
  const int8x16_t v = vld1q_s8(x);
  const int16x8_t lo = vmovl_s8(vget_low_s8(v)), hi = vmovl_s8(vget_high_s8(v));
  const int32x4_t d[4] = {vsubq_s32(vmovl_s16(vget_low_s16(lo)), zp),
                          vsubq_s32(vmovl_s16(vget_high_s16(lo)), zp),
                          vsubq_s32(vmovl_s16(vget_low_s16(hi)), zp),
                          vsubq_s32(vmovl_s16(vget_high_s16(hi)), zp)};
  for (int k = 0; k < 4; ++k) vst1q_f32(y + 4 * k, vmulq_f32(vcvtq_f32_s32(d[k]), scale));
}

}  // namespace

void qs8_f32_convert__neon(size_t n, const int8_t* x, float* y, int32_t zero_point, float scale) {
  const int32x4_t zp = vdupq_n_s32(zero_point);
  const float32x4_t s = vdupq_n_f32(scale);
  for (; n >= 16; n -= 16, x += 16, y += 16) Convert16(x, y, zp, s);
  if (n != 0) {
    int8_t tx[16] = {};
    float ty[16];
    std::memcpy(tx, x, n);
    Convert16(tx, ty, zp, s);
    std::memcpy(y, ty, n * sizeof(float));
  }
}

}  // namespace qrun::kernels::arm

// int8 Mul, NEON, 16 elements per step: (a - a_zp) * (b - b_zp) exact in
// int32, times the float32 scale, requantized. Bit-exact with
// kernels::ref::mul_s8's per-element formula.
#include "kernels/arm/qs8-elementwise-neon.h"
#include "kernels/arm/qs8-elementwise.h"

namespace qrun::kernels::arm {
namespace {

template <bool B_SCALAR>
void Mul(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p) {
  const NeonOut out(p.out);
  const int16x8_t a_zp = vdupq_n_s16(static_cast<int16_t>(p.a_zero_point));
  const int16x8_t b_zp = vdupq_n_s16(static_cast<int16_t>(p.b_zero_point));
  const float32x4_t s = vdupq_n_f32(p.scale);
  const int32x4_t b_const = vdupq_n_s32(*b - p.b_zero_point);
  Blocks16(n, a, b, !B_SCALAR, y, [&](const int8_t* pa, const int8_t* pb, int8_t* py) {
    const Centered16 xa = LoadCentered16(pa, a_zp);
    Centered16 xb;
    if (!B_SCALAR) xb = LoadCentered16(pb, b_zp);
    int32x4_t q[4];
    for (int j = 0; j < 4; ++j) {
      const int32x4_t prod = vmulq_s32(xa.v[j], B_SCALAR ? b_const : xb.v[j]);
      q[j] = out(vmulq_f32(vcvtq_f32_s32(prod), s));
    }
    vst1q_s8(py, Narrow16(q[0], q[1], q[2], q[3]));
  });
}

}  // namespace

void qs8_vmul__neon(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p) {
  if (n != 0) Mul<false>(n, a, b, y, p);
}

void qs8_vmulc__neon(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p) {
  if (n != 0) Mul<true>(n, a, b, y, p);
}

}  // namespace qrun::kernels::arm

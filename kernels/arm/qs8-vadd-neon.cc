// int8 Add, NEON, 16 elements per step: each operand centred and scaled in
// float32, the two products summed (no FMA: -ffp-contract=off), then
// requantized. Bit-exact with kernels::ref::add_s8's per-element formula.
#include "kernels/arm/qs8-elementwise-neon.h"
#include "kernels/arm/qs8-elementwise.h"

namespace qrun::kernels::arm {
namespace {

template <bool B_SCALAR>
void Add(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p) {
  const NeonOut out(p.out);
  const int16x8_t a_zp = vdupq_n_s16(static_cast<int16_t>(p.a_zero_point));
  const int16x8_t b_zp = vdupq_n_s16(static_cast<int16_t>(p.b_zero_point));
  const float32x4_t sa = vdupq_n_f32(p.a_scale), sb = vdupq_n_f32(p.b_scale);
  // A scalar b: its scaled term once, the same float as per element.
  const float32x4_t fb_const = vdupq_n_f32(static_cast<float>(*b - p.b_zero_point) * p.b_scale);
  Blocks16(n, a, b, !B_SCALAR, y, [&](const int8_t* pa, const int8_t* pb, int8_t* py) {
    const Centered16 xa = LoadCentered16(pa, a_zp);
    int32x4_t q[4];
    if (B_SCALAR) {
      for (int j = 0; j < 4; ++j) q[j] = out(vaddq_f32(vmulq_f32(vcvtq_f32_s32(xa.v[j]), sa), fb_const));
    } else {
      const Centered16 xb = LoadCentered16(pb, b_zp);
      for (int j = 0; j < 4; ++j) {
        q[j] = out(vaddq_f32(vmulq_f32(vcvtq_f32_s32(xa.v[j]), sa),
                             vmulq_f32(vcvtq_f32_s32(xb.v[j]), sb)));
      }
    }
    vst1q_s8(py, Narrow16(q[0], q[1], q[2], q[3]));
  });
}

}  // namespace

void qs8_vadd__neon(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p) {
  if (n != 0) Add<false>(n, a, b, y, p);
}

void qs8_vaddc__neon(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p) {
  if (n != 0) Add<true>(n, a, b, y, p);
}

}  // namespace qrun::kernels::arm

// float32 -> int8 (ONNX QuantizeLinear), NEON, 16 values per step: x / scale
// (a true division, as the reference), NaN -> 0, clamp, round half to even,
// + zero point. Bit-exact with kernels::ref::quantize_f32_s8.
// AArch64 divides with FDIV (IEEE, the same as the scalar division). ARMv7
// NEON has no division and only an estimate of 1/x, so there the quotient
// comes from the VFP divide (IEEE, honours denormals, unlike NEON) and the
// rest runs on NEON: a denormal quotient that NEON flushes to 0 rounds to 0
// anyway and clamps the same.
#include <cstring>

#include "kernels/arm/qs8-elementwise-neon.h"
#include "kernels/arm/qs8-elementwise.h"

namespace qrun::kernels::arm {
namespace {

inline float32x4_t Divide4(const float* x, float scale, float32x4_t vscale) {
#if defined(__aarch64__)
  (void)scale;
  return vdivq_f32(vld1q_f32(x), vscale);
#else
  (void)vscale;
  float q[4];
  for (int k = 0; k < 4; ++k) q[k] = x[k] / scale;
  return vld1q_f32(q);
#endif
}

inline void Convert16(const float* x, int8_t* y, float scale, float32x4_t vscale,
                      const NeonOut& out) {
  int32x4_t q[4];
  for (int k = 0; k < 4; ++k) {
    const float32x4_t f = Divide4(x + 4 * k, scale, vscale);
    // NaN -> +0 (requantize_float), before the clamp: vmax/vmin keep NaN.
    const float32x4_t ordered =
        vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(f), vceqq_f32(f, f)));
    q[k] = out(ordered);
  }
  vst1q_s8(y, Narrow16(q[0], q[1], q[2], q[3]));
}

}  // namespace

void f32_qs8_convert__neon(size_t n, const float* x, int8_t* y, float scale,
                           const Qs8OutParams& p) {
  const NeonOut out(p);
  const float32x4_t s = vdupq_n_f32(scale);
  for (; n >= 16; n -= 16, x += 16, y += 16) Convert16(x, y, scale, s, out);
  if (n != 0) {
    float tx[16] = {};
    int8_t ty[16];
    std::memcpy(tx, x, n * sizeof(float));
    Convert16(tx, ty, scale, s, out);
    std::memcpy(y, ty, n);
  }
}

}  // namespace qrun::kernels::arm

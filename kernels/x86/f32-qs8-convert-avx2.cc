// float32 -> int8 (ONNX QuantizeLinear), 32 values per step: x / scale (a
// true division, as the reference), NaN -> 0, clamp, round half to even,
// + zero point. Bit-exact with kernels::ref::quantize_f32_s8.
#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"

namespace qrun::kernels::x86 {
namespace {

inline void Convert32(const float* x, int8_t* y, __m256 scale, const OutVec& o) {
  __m256i q[4];
  for (int k = 0; k < 4; ++k) {
    __m256 f = _mm256_div_ps(_mm256_loadu_ps(x + 8 * k), scale);
    f = _mm256_and_ps(f, _mm256_cmp_ps(f, f, _CMP_ORD_Q));  // NaN -> +0
    q[k] = o.rq(f);
  }
  store32(y, q[0], q[1], q[2], q[3]);
}

}  // namespace

void f32_qs8_convert__avx2(size_t n, const float* x, int8_t* y, float scale, const Qs8OutParams& p) {
  const OutVec o(p);
  const __m256 s = _mm256_set1_ps(scale);
  for (; n >= 32; n -= 32, x += 32, y += 32) Convert32(x, y, s, o);
  if (n != 0) {
    float tx[32] = {};
    int8_t ty[32];
    std::memcpy(tx, x, n * sizeof(float));
    Convert32(tx, ty, s, o);
    std::memcpy(y, ty, n);
  }
}

}  // namespace qrun::kernels::x86

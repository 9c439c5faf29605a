// int8 -> float32 (DequantizeLinear), 8 values per step:
// float(x - zero_point) * scale, bit-exact with kernels::ref::dequantize_s8_f32.
#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"

namespace qrun::kernels::x86 {

void qs8_f32_convert__avx2(size_t n, const int8_t* x, float* y, int32_t zero_point, float scale) {
  const __m256i zp = _mm256_set1_epi32(zero_point);
  const __m256 s = _mm256_set1_ps(scale);
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    _mm256_storeu_ps(y, _mm256_mul_ps(_mm256_cvtepi32_ps(load8_centered(x, zp)), s));
  }
  if (n != 0) {
    int8_t tx[8] = {};
    float ty[8];
    std::memcpy(tx, x, n);
    _mm256_storeu_ps(ty, _mm256_mul_ps(_mm256_cvtepi32_ps(load8_centered(tx, zp)), s));
    std::memcpy(y, ty, n * sizeof(float));
  }
}

}  // namespace qrun::kernels::x86

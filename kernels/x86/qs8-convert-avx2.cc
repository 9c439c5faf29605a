// Input pass for the AVX2 kernels: int8 -> int16 (sign extension).
#include <immintrin.h>

#include "kernels/x86/qs8-igemm.h"

namespace qrun::kernels::x86 {

void qs8_to_s16__avx2(size_t n, const int8_t* x, int16_t* y) {
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), _mm256_cvtepi8_epi16(v));
  }
  for (; n != 0; --n) *y++ = *x++;
}

}  // namespace qrun::kernels::x86

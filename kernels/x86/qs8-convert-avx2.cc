// Input passes compiled for AVX2: int8 -> int16 (sign extension) for the
// AVX2 kernels, int8 -> uint8 (x ^ 0x80) for the AVX-VNNI kernels.
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

void qs8_to_qu8__avx2(size_t n, const int8_t* x, uint8_t* y) {
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  for (; n >= 32; n -= 32, x += 32, y += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), _mm256_xor_si256(v, flip));
  }
  for (; n != 0; --n) *y++ = static_cast<uint8_t>(*x++) ^ 0x80u;
}

}  // namespace qrun::kernels::x86

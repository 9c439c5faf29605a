// Force-included (-include) in front of the AVX-VNNI kernel sources for the
// emulated test build (tests/emulated/CMakeLists.txt), which compiles them
// with -mavx2 only: VEX vpdpbusd (_mm256_dpbusd_avx_epi32) becomes this
// exact AVX2 emulation, so the kernels run on any AVX2 CPU.
#pragma once

#include <immintrin.h>

#if defined(__AVXVNNI__) || defined(__AVX512VNNI__)
#error "the emulated build must be compiled without VNNI"
#endif

namespace qrun_emulated {

// vpdpbusd (non-saturating): per int32 lane, the 4 bytes of `a` zero-extended
// times the 4 bytes of `w` sign-extended, summed, added to acc with
// wraparound. Bytes split into even / odd int16 halves: every product
// (|u8 * s8| <= 255 * 128) and every vpmaddwd pair sum (<= 65280) is exact,
// and vpmaddwd cannot saturate (that needs both pairs -32768 * -32768).
inline __attribute__((always_inline)) __m256i dpbusd_avx(__m256i acc, __m256i a, __m256i w) {
  const __m256i lo_bytes = _mm256_set1_epi16(0x00FF);
  const __m256i a_even = _mm256_and_si256(a, lo_bytes);                  // zext bytes 0, 2
  const __m256i a_odd = _mm256_srli_epi16(a, 8);                         // zext bytes 1, 3
  const __m256i w_even = _mm256_srai_epi16(_mm256_slli_epi16(w, 8), 8);  // sext bytes 0, 2
  const __m256i w_odd = _mm256_srai_epi16(w, 8);                         // sext bytes 1, 3
  const __m256i even = _mm256_madd_epi16(a_even, w_even);
  const __m256i odd = _mm256_madd_epi16(a_odd, w_odd);
  return _mm256_add_epi32(acc, _mm256_add_epi32(even, odd));
}

}  // namespace qrun_emulated

#define _mm256_dpbusd_avx_epi32(acc, a, w) qrun_emulated::dpbusd_avx((acc), (a), (w))

// Peak int8 MAC throughput, AVX2: vpmaddubsw (u8 x s8 -> s16 pairs) +
// vpmaddwd with ones (-> s32) + vpaddd, 6 independent ymm chains (distinct
// operand pairs, opaque to the compiler so nothing is hoisted). 32 MACs per
// vpmaddubsw. (The kernels use vpmovsxbw + vpmaddwd instead, for
// exactness; this is the ISA's int8 ceiling.)
#include <immintrin.h>

#include <cstdint>

#include "bench/peak.h"

namespace qrun::bench {

int64_t PeakLoopAvx2(int64_t iters) {
  __m256i acc[6];
  for (int i = 0; i < 6; ++i) acc[i] = _mm256_set1_epi32(i);
  __m256i a0 = _mm256_set1_epi8(3), a1 = _mm256_set1_epi8(4), a2 = _mm256_set1_epi8(5);
  __m256i b0 = _mm256_set1_epi8(-5), b1 = _mm256_set1_epi8(7);
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t it = 0; it < iters; ++it) {
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(b0), "+x"(b1));
    acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(_mm256_maddubs_epi16(a0, b0), ones));
    acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(_mm256_maddubs_epi16(a1, b0), ones));
    acc[2] = _mm256_add_epi32(acc[2], _mm256_madd_epi16(_mm256_maddubs_epi16(a2, b0), ones));
    acc[3] = _mm256_add_epi32(acc[3], _mm256_madd_epi16(_mm256_maddubs_epi16(a0, b1), ones));
    acc[4] = _mm256_add_epi32(acc[4], _mm256_madd_epi16(_mm256_maddubs_epi16(a1, b1), ones));
    acc[5] = _mm256_add_epi32(acc[5], _mm256_madd_epi16(_mm256_maddubs_epi16(a2, b1), ones));
  }
  __m256i s = acc[0];
  for (int i = 1; i < 6; ++i) s = _mm256_add_epi32(s, acc[i]);
  alignas(32) int32_t v[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(v), s);
  int64_t r = 0;
  for (int x : v) r += x;
  return r;
}

}  // namespace qrun::bench

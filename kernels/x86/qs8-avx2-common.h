// Helpers shared by the AVX2 kernels' requantization and stores. Include only
// from *-avx2.cc files: everything here has internal linkage, so no AVX2 code
// can be merged into a function that non-AVX2 code calls.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/x86/qs8-elementwise.h"

namespace qrun::kernels::x86 {
namespace {

// 8 int8 at p -> int32, minus zp.
inline __m256i load8_centered(const int8_t* p, __m256i zp) {
  const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  return _mm256_sub_epi32(_mm256_cvtepi8_epi32(v), zp);
}

struct OutVec {
  __m256 lo, hi;
  __m256i zp;
  explicit OutVec(const Qs8OutParams& p)
      : lo(_mm256_set1_ps(p.out_lo)), hi(_mm256_set1_ps(p.out_hi)), zp(_mm256_set1_epi32(p.zero_point)) {}
  // clamp, round half to even (MXCSR default), + zero point; no NaN in f.
  __m256i rq(__m256 f) const {
    f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
    return _mm256_add_epi32(_mm256_cvtps_epi32(f), zp);
  }
};

// Stores 32 int32 values (already in [-128, 127]) as int8, in order.
inline void store32(int8_t* y, __m256i q0, __m256i q1, __m256i q2, __m256i q3) {
  const __m256i w01 = _mm256_packs_epi32(q0, q1);  // per lane: q0[4] q1[4]
  const __m256i w23 = _mm256_packs_epi32(q2, q3);
  const __m256i b = _mm256_packs_epi16(w01, w23);  // lane l: q0 q1 q2 q3 quarter l
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), _mm256_permutevar8x32_epi32(b, order));
}

// Stores 8 int32 values (in [-128, 127]) as 8 int8.
inline void store8(int8_t* y, __m256i q) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(y), _mm_packs_epi16(w, w));
}

// The first n (any; >= 8 stores 8) of 8 int32 values as int8, nothing past them.
inline void store8_partial(int8_t* y, __m256i q, size_t n) {
  if (n >= 8) {
    store8(y, q);
    return;
  }
  int8_t tmp[8];
  store8(tmp, q);
  std::memcpy(y, tmp, n);
}

}  // namespace
}  // namespace qrun::kernels::x86

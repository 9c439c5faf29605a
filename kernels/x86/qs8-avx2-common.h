// Helpers shared by the AVX2 kernels' requantization and stores. Include only
// from *-avx2.cc / *-avxvnni.cc files: everything here has internal linkage,
// so no AVX2 code can be merged into a function that non-AVX2 code calls.
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

// GEMM epilogue: 16 int32 accumulators of a row (channels 0..15) times
// their scales, rounded half to even, + zero point, as int8. Full-width rows
// go two per store pass (they share the final pack, permute and max: 25
// instead of 32 ops); partial ones through a buffer. Only the upper clamp is
// done in float (it also keeps cvtps2dq in range); the lower
// one is a byte max at the end: rounding is monotonic and the bounds are
// integers, so clamping before or after rounding gives the same value, and
// anything below qmin stays below it through the saturating packs and adds.
struct RequantRows16 {
  __m256 hi;       // qmax - zp
  __m256i zp16;    // zero point, int16
  __m256i qmin8;   // qmin, int8
  __m256i order;   // dword order of two in-lane packed rows

  RequantRows16(float out_lo, float out_hi, int32_t zero_point)
      : hi(_mm256_set1_ps(out_hi)),
        zp16(_mm256_set1_epi16(static_cast<int16_t>(zero_point))),
        qmin8(_mm256_set1_epi8(static_cast<int8_t>(static_cast<int32_t>(out_lo) + zero_point))),
        order(_mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)) {}

  // 16 int32 -> 16 int16 + zp, lanes [0-3, 8-11 | 4-7, 12-15], not clamped below.
  __attribute__((always_inline)) __m256i Row(__m256i acc0, __m256i acc1, const float* scale) const {
    const __m256 f0 = _mm256_min_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc0), _mm256_loadu_ps(scale)), hi);
    const __m256 f1 =
        _mm256_min_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc1), _mm256_loadu_ps(scale + 8)), hi);
    return _mm256_adds_epi16(_mm256_packs_epi32(_mm256_cvtps_epi32(f0), _mm256_cvtps_epi32(f1)), zp16);
  }

  // Two rows from Row() -> 16 bytes each at out0 and out1.
  __attribute__((always_inline)) void Store2(int8_t* out0, int8_t* out1, __m256i r0, __m256i r1) const {
    // Bytes per lane: r0 [0-3, 8-11], r1 [0-3, 8-11] | r0 [4-7, 12-15], r1 [4-7, 12-15].
    const __m256i b = _mm256_max_epi8(
        _mm256_permutevar8x32_epi32(_mm256_packs_epi16(r0, r1), order), qmin8);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out0), _mm256_castsi256_si128(b));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out1), _mm256_extracti128_si256(b, 1));
  }

  // One row from Row() -> the first `left` (>= 1; >= 16 stores 16) bytes at
  // out, nothing past them.
  __attribute__((always_inline)) void Store1(int8_t* out, __m256i r, size_t left = 16) const {
    const __m256i b = _mm256_max_epi8(_mm256_permutevar8x32_epi32(_mm256_packs_epi16(r, r), order), qmin8);
    if (left >= 16) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(b));
    } else {
      alignas(16) int8_t tmp[16];
      _mm_store_si128(reinterpret_cast<__m128i*>(tmp), _mm256_castsi256_si128(b));
      std::memcpy(out, tmp, left);
    }
  }
};

}  // namespace
}  // namespace qrun::kernels::x86

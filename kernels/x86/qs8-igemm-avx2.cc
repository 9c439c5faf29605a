// int8 indirect-GEMM microkernels, AVX2: operands widened to int16 (the
// input pass sign-extends activations; weights are packed as int16), pairs
// multiplied and summed with vpmaddwd into int32. Exact: no vpmaddubsw
// saturation (GUIDE section 2). NR = 8 * NRV channels per tile, c2 blocks
// (one ymm = 8 channels x 2 k). Contract: kernels/x86/qs8-igemm.h.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qs8-igemm.h"

namespace qrun::kernels::x86 {
namespace {

template <int MR, int NRV>
inline __attribute__((always_inline)) void IgemmAvx2(size_t mr, size_t nc, size_t kc, size_t ks,
                                                     const void* const* a, size_t a_offset,
                                                     const void* w, int8_t* c, size_t c_stride,
                                                     const Qs8Requant& p) {
  constexpr size_t kNr = 8 * NRV;
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + kNr);
  const int16_t* wp = reinterpret_cast<const int16_t*>(scale + kNr);

  __m256i acc[MR][NRV];
#pragma GCC unroll 4
  for (int n = 0; n < NRV; ++n) {
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8 * n));
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) acc[m][n] = b;
  }
  const size_t kp = (kc + 1) / 2;
  do {
    const uint8_t* rows[MR];
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) rows[m] = static_cast<const uint8_t*>(a[m]) + a_offset;
    a += MR;
    for (size_t k = 0; k < kp; ++k) {
      __m256i wv[NRV];
#pragma GCC unroll 4
      for (int n = 0; n < NRV; ++n)
        wv[n] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16 * n));
      wp += 16 * NRV;
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) {
        int32_t x;
        std::memcpy(&x, rows[m] + 4 * k, 4);  // two int16: x[2k], x[2k+1]
        const __m256i xb = _mm256_set1_epi32(x);
#pragma GCC unroll 4
        for (int n = 0; n < NRV; ++n)
          acc[m][n] = _mm256_add_epi32(acc[m][n], _mm256_madd_epi16(xb, wv[n]));
      }
    }
  } while (--ks != 0);

  const __m256 lo = _mm256_set1_ps(p.out_lo);
  const __m256 hi = _mm256_set1_ps(p.out_hi);
  const __m256i zp = _mm256_set1_epi32(p.zero_point);
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    if (static_cast<size_t>(m) >= mr) break;
    int8_t* out = c + m * c_stride;
#pragma GCC unroll 4
    for (int n = 0; n < NRV; ++n) {
      if (nc <= 8u * n) break;
      const __m256 s = _mm256_loadu_ps(scale + 8 * n);
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[m][n]), s);
      f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
      const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(f), zp);
      // 8 int32 in [-128, 127] -> 8 bytes in order.
      const __m256i q16 = _mm256_packs_epi32(q, q);      // lane0: 0-3 x2, lane1: 4-7 x2
      const __m256i q8 = _mm256_packs_epi16(q16, q16);   // lane0: 0-3 x4, lane1: 4-7 x4
      const __m128i bytes =
          _mm_unpacklo_epi32(_mm256_castsi256_si128(q8), _mm256_extracti128_si256(q8, 1));
      const size_t left = nc - 8u * n;
      if (left >= 8) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 8 * n), bytes);
      } else {
        alignas(16) int8_t tmp[16];
        _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
        std::memcpy(out + 8 * n, tmp, left);
      }
    }
  }
}

}  // namespace

void qs8_igemm_1x32c2__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                            size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                            const Qs8Requant& p) {
  IgemmAvx2<1, 4>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

void qs8_igemm_4x16c2__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                            size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                            const Qs8Requant& p) {
  IgemmAvx2<4, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

}  // namespace qrun::kernels::x86

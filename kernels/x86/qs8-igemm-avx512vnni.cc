// int8 indirect-GEMM microkernels, AVX-512 VNNI: vpdpbusd (u8 x s8 -> s32),
// NR = 16 * NRV output channels per tile, weights in c4 blocks (one zmm =
// 16 channels x 4 k). Contract: kernels/x86/qs8-igemm.h.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qs8-igemm.h"

namespace qrun::kernels::x86 {
namespace {

template <int MR, int NRV>
inline __attribute__((always_inline)) void IgemmVnni(size_t mr, size_t nc, size_t kc, size_t ks,
                                                     const void* const* a, size_t a_offset,
                                                     const void* w, int8_t* c, size_t c_stride,
                                                     const Qs8Requant& p) {
  constexpr size_t kNr = 16 * NRV;
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + kNr);
  const int8_t* wp = reinterpret_cast<const int8_t*>(scale + kNr);

  __m512i acc[MR][NRV];
#pragma GCC unroll 4
  for (int n = 0; n < NRV; ++n) {
    const __m512i b = _mm512_loadu_si512(bias + 16 * n);
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) acc[m][n] = b;
  }
  const size_t kb = (kc + 3) / 4;
  do {
    const uint8_t* rows[MR];
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) rows[m] = static_cast<const uint8_t*>(a[m]) + a_offset;
    a += MR;
    for (size_t k = 0; k < kb; ++k) {
      __m512i wv[NRV];
#pragma GCC unroll 4
      for (int n = 0; n < NRV; ++n) wv[n] = _mm512_loadu_si512(wp + 64 * n);
      wp += 64 * NRV;
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) {
        int32_t x;
        std::memcpy(&x, rows[m] + 4 * k, 4);
        const __m512i xb = _mm512_set1_epi32(x);
#pragma GCC unroll 4
        for (int n = 0; n < NRV; ++n) acc[m][n] = _mm512_dpbusd_epi32(acc[m][n], xb, wv[n]);
      }
    }
  } while (--ks != 0);

  const __m512 lo = _mm512_set1_ps(p.out_lo);
  const __m512 hi = _mm512_set1_ps(p.out_hi);
  const __m512i zp = _mm512_set1_epi32(p.zero_point);
  __m512 sc[NRV];
  __mmask16 mask[NRV];
#pragma GCC unroll 4
  for (int n = 0; n < NRV; ++n) {
    sc[n] = _mm512_loadu_ps(scale + 16 * n);
    const size_t left = nc > 16u * n ? nc - 16u * n : 0;
    mask[n] = left >= 16 ? static_cast<__mmask16>(0xFFFF)
                         : static_cast<__mmask16>((1u << left) - 1u);
  }
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    if (static_cast<size_t>(m) >= mr) break;
    int8_t* out = c + m * c_stride;
#pragma GCC unroll 4
    for (int n = 0; n < NRV; ++n) {
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[m][n]), sc[n]);
      f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
      const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), zp);
      _mm_mask_storeu_epi8(out + 16 * n, mask[n], _mm512_cvtepi32_epi8(q));
    }
  }
}

}  // namespace

void qs8_igemm_1x64c4__avx512vnni(size_t mr, size_t nc, size_t kc, size_t ks,
                                  const void* const* a, size_t a_offset, const void* w, int8_t* c,
                                  size_t c_stride, const Qs8Requant& p) {
  IgemmVnni<1, 4>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

void qs8_igemm_4x32c4__avx512vnni(size_t mr, size_t nc, size_t kc, size_t ks,
                                  const void* const* a, size_t a_offset, const void* w, int8_t* c,
                                  size_t c_stride, const Qs8Requant& p) {
  IgemmVnni<4, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

void qs8_igemm_8x16c4__avx512vnni(size_t mr, size_t nc, size_t kc, size_t ks,
                                  const void* const* a, size_t a_offset, const void* w, int8_t* c,
                                  size_t c_stride, const Qs8Requant& p) {
  IgemmVnni<8, 1>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

}  // namespace qrun::kernels::x86

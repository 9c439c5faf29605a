// int8 depthwise convolution (groups == in_c == out_c), AVX2, 8 channels per
// vector: any kernel size, stride, dilation and padding. Taps are widened to
// int32, (x - input_zero_point) * w with vpmulld, accumulated exactly in
// int32; out-of-image taps are skipped (as in the reference). Requantization
// as kernels/requantize.h. Computes output rows [row_begin, row_end) of the
// flattened batch * out_h rows.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qs8-dwconv.h"

namespace qrun::kernels::x86 {
namespace {

inline __m256i Load8(const int8_t* p, size_t n) {
  if (n >= 8) {
    int64_t v;
    std::memcpy(&v, p, 8);
    return _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(v));
  }
  int8_t tmp[8] = {};
  std::memcpy(tmp, p, n);
  int64_t v;
  std::memcpy(&v, tmp, 8);
  return _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(v));
}

}  // namespace

void qs8_dwconv_8c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                         size_t row_begin, size_t row_end) {
  const Conv2DGeometry& g = *d.g;
  const size_t c_total = static_cast<size_t>(g.in_c);
  const size_t c_pad = (c_total + 7) / 8 * 8;
  const __m256i zp_in = _mm256_set1_epi32(d.input_zero_point);
  const __m256 lo = _mm256_set1_ps(d.out_lo);
  const __m256 hi = _mm256_set1_ps(d.out_hi);
  const __m256i zp_out = _mm256_set1_epi32(d.output_zero_point);
  for (size_t row = row_begin; row < row_end; ++row) {
    const int n = static_cast<int>(row / static_cast<size_t>(g.out_h));
    const int oy = static_cast<int>(row % static_cast<size_t>(g.out_h));
    for (int ox = 0; ox < g.out_w; ++ox) {
      int8_t* out = output + ((static_cast<size_t>(n) * g.out_h + oy) * g.out_w + ox) * c_total;
      for (size_t c0 = 0; c0 < c_total; c0 += 8) {
        const size_t nc = c_total - c0 < 8 ? c_total - c0 : 8;
        __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(d.bias + c0));
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int kx = 0; kx < g.kernel_w; ++kx) {
            const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const int8_t* x =
                input + ((static_cast<size_t>(n) * g.in_h + iy) * g.in_w + ix) * c_total + c0;
            const int32_t* w =
                d.weights + (static_cast<size_t>(ky) * g.kernel_w + kx) * c_pad + c0;
            const __m256i xv = _mm256_sub_epi32(Load8(x, nc), zp_in);
            acc = _mm256_add_epi32(
                acc, _mm256_mullo_epi32(xv, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w))));
          }
        }
        __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(d.scale + c0));
        f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
        const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(f), zp_out);
        const __m256i q16 = _mm256_packs_epi32(q, q);
        const __m256i q8 = _mm256_packs_epi16(q16, q16);
        const __m128i bytes =
            _mm_unpacklo_epi32(_mm256_castsi256_si128(q8), _mm256_extracti128_si256(q8, 1));
        if (nc == 8) {
          _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c0), bytes);
        } else {
          alignas(16) int8_t tmp[16];
          _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
          std::memcpy(out + c0, tmp, nc);
        }
      }
    }
  }
}

}  // namespace qrun::kernels::x86

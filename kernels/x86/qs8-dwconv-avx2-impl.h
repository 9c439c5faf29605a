// AVX2 int8 depthwise convolution, 16 channels per tile (include only from
// *-avx2.cc files: needs -mavx2). KH/KW > 0 fix the kernel size at compile
// time (the tap loop unrolls); 0 reads it from the geometry.
//
// Per tap pair and 16 channels: two 16-byte loads, punpckl/hbw interleave the
// two taps channel by channel, vpmovsxbw widens each half to 8 int16 pairs and
// one vpmaddwd multiplies them by the packed weight pairs: 32 MACs for 8
// vector ops, exact in int32 (|x * w| <= 2^14). Channels stay in natural
// order, so requantization packs straight into 16 output bytes. An odd last
// tap is widened alone with vpmovsxbd against the weight pair {w, 0}.
//
// Only the general fallback (Rows<0, 0>) uses this now; 3x3 and 5x5 have the
// column-buffer kernels (qs8-dwconv-8c-avx2-impl.h).
//
// Channel tail: when in_c >= 16 the last tile is moved back to end at in_c
// (it recomputes a few channels with identical results) so every load and
// store stays inside the pixel; only in_c < 16 goes through a bounce buffer.
#pragma once

#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qs8-dwconv-taps.h"
#include "kernels/x86/qs8-dwconv.h"

namespace qrun::kernels::x86 {
namespace dw_avx2 {

template <bool kPartial>
inline __m128i Load16(const int8_t* p, size_t nc) {
  if (!kPartial) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  alignas(16) int8_t tmp[16] = {};
  std::memcpy(tmp, p, nc);
  return _mm_load_si128(reinterpret_cast<const __m128i*>(tmp));
}

struct Consts {
  __m256 lo, hi;
  __m256i zp16;
};

// Requantizes and stores 16 channels (acc0: channels 0-7, acc1: 8-15).
template <bool kPartial>
inline void StoreTile(__m256i acc0, __m256i acc1, const Qs8DwParams& d, size_t c0, size_t nc,
                      const Consts& k, int8_t* out) {
  __m256 f0 = _mm256_mul_ps(_mm256_cvtepi32_ps(acc0), _mm256_loadu_ps(d.scale + c0));
  __m256 f1 = _mm256_mul_ps(_mm256_cvtepi32_ps(acc1), _mm256_loadu_ps(d.scale + c0 + 8));
  f0 = _mm256_min_ps(_mm256_max_ps(f0, k.lo), k.hi);
  f1 = _mm256_min_ps(_mm256_max_ps(f1, k.lo), k.hi);
  // packs is in-lane: [0-3, 8-11 | 4-7, 12-15] -> qword permute to natural.
  __m256i q = _mm256_packs_epi32(_mm256_cvtps_epi32(f0), _mm256_cvtps_epi32(f1));
  q = _mm256_adds_epi16(_mm256_permute4x64_epi64(q, 0xD8), k.zp16);
  const __m128i bytes = _mm_packs_epi16(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  if (!kPartial) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + c0), bytes);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
    std::memcpy(out + c0, tmp, nc);
  }
}

inline __m256i LoadW(const int16_t* w) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
}

// A single tap (weight pair {w, 0}) of 8 channels: vpmovsxbd leaves x in the
// low int16 of each dword and its sign bits in the high one, which meet the
// 0 weight, so one shuffle instead of the pair's unpack + widen.
inline __m256i SingleTap8(const int8_t* x) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x)));
}

// One 16-channel tile of one output pixel. NT: even tap count (0: runtime
// nt); kOdd: the last pair is one real tap and the zero_buf filler.
template <int NT, bool kOdd, bool kPartial>
inline void Tile(const int8_t* const* taps, int nt, const Qs8DwParams& d, size_t c16, size_t c0,
                 size_t nc, const Consts& k, int8_t* out) {
  __m256i acc0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(d.bias + c0));
  __m256i acc1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(d.bias + c0 + 8));
  const int n = NT > 0 ? NT : nt;
  const int paired = kOdd && !kPartial ? n - 2 : n;
  const int16_t* w = d.weights + 2 * c0;
  const size_t wstride = 2 * c16;  // int16 per tap pair
#pragma GCC unroll 16
  for (int t = 0; t < paired; t += 2) {
    const __m128i a = Load16<kPartial>(taps[t] + c0, nc);
    const __m128i b = Load16<kPartial>(taps[t + 1] + c0, nc);
    const __m256i p0 = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(a, b));
    const __m256i p1 = _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(a, b));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, LoadW(w)));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(p1, LoadW(w + 16)));
    w += wstride;
  }
  if (kOdd && !kPartial) {
    const int8_t* x = taps[n - 2] + c0;
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(SingleTap8(x), LoadW(w)));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(SingleTap8(x + 8), LoadW(w + 16)));
  }
  StoreTile<kPartial>(acc0, acc1, d, c0, nc, k, out);
}

template <int KH, int KW>
void Rows(const Qs8DwParams& d, const int8_t* input, int8_t* output, size_t row_begin,
          size_t row_end) {
  const Conv2DGeometry& g = *d.g;
  const int kh = KH > 0 ? KH : g.kernel_h;
  const int kw = KW > 0 ? KW : g.kernel_w;
  constexpr int kNT = KH > 0 ? (KH * KW + 1) / 2 * 2 : 0;
  constexpr int kCap = KH > 0 ? kNT : kQs8DwMaxTaps + 1;
  constexpr bool kOdd = KH > 0 && (KH * KW) % 2 == 1;
  const int8_t* rows[KH > 0 ? KH : kQs8DwMaxTaps];
  const int8_t* taps[kCap] = {};  // (set before use; quiets -Wmaybe-uninitialized)
  const size_t c = static_cast<size_t>(g.in_c);
  const size_t c16 = (c + 15) / 16 * 16;
  const Consts k{_mm256_set1_ps(d.out_lo), _mm256_set1_ps(d.out_hi),
                 _mm256_set1_epi16(static_cast<int16_t>(d.output_zero_point))};
  const int ntaps = kh * kw;
  int nt = 0, ox_lo, ox_hi;
  DwInteriorColumns(g, kw, &ox_lo, &ox_hi);
  const size_t step = static_cast<size_t>(g.stride_w) * c;
  for (size_t row = row_begin; row < row_end; ++row) {
    DwRowPointers(g, input, row, kh, d.zero_buf, rows);
    int8_t* out = output + row * static_cast<size_t>(g.out_w) * c;
    for (int ox = 0; ox < g.out_w; ++ox, out += c) {
      if (ox <= ox_lo || ox >= ox_hi) {
        nt = DwTapPointers(g, rows, kh, kw, ox, d.zero_buf, taps);
      } else {
        for (int t = 0; t < ntaps; ++t) taps[t] += step;  // all taps move right
      }
      if (c < 16) {
        Tile<kNT, kOdd, true>(taps, nt, d, c16, 0, c, k, out);
        continue;
      }
      for (size_t c0 = 0;; c0 = c0 + 32 <= c ? c0 + 16 : c - 16) {
        Tile<kNT, kOdd, false>(taps, nt, d, c16, c0, 16, k, out);
        if (c0 + 16 >= c) break;
      }
    }
  }
}

}  // namespace dw_avx2
}  // namespace qrun::kernels::x86

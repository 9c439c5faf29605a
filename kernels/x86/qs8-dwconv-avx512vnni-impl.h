// AVX-512 VNNI int8 depthwise convolution, 32 channels per tile (include only
// from *-avx512vnni.cc files: needs -mavx512f/bw/vl/vnni). KH/KW > 0 fix the
// kernel size at compile time; 0 reads it from the geometry.
//
// Per tap pair and 32 channels: two 32-byte loads (masked on the channel
// tail, so nothing past in_c is touched), in-lane vpunpckl/hbw interleave the
// taps, vpmovsxbw widens to 16 int16 pairs per zmm and vpdpwssd multiplies
// and accumulates them: 64 MACs for 6 vector ops, exact in int32 (vpdpwssd,
// not the saturating vpdpwssds). The in-lane unpacks leave channels
// 0-7,16-23 in accumulator 0 and 8-15,24-31 in accumulator 1; the packed
// weights, bias and scales follow that order (kernels/dispatch/qs8_dwconv.cc)
// and the output bytes are put back in order with two qword unpacks.
#pragma once

#include <immintrin.h>

#include "kernels/x86/qs8-dwconv-taps.h"
#include "kernels/x86/qs8-dwconv.h"

namespace qrun::kernels::x86 {
namespace dw_avx512vnni {

struct Consts {
  __m512 lo, hi;
  __m512i zp;
};

// Requantizes and stores one tile (acc0: channels 0-7,16-23; acc1: 8-15,
// 24-31; scale in the same order) to out[0, 32) under `mask`.
inline void StoreTile(__m512i acc0, __m512i acc1, const float* scale, __mmask32 mask,
                      const Consts& k, int8_t* out) {
  __m512 f0 = _mm512_mul_ps(_mm512_cvtepi32_ps(acc0), _mm512_loadu_ps(scale));
  __m512 f1 = _mm512_mul_ps(_mm512_cvtepi32_ps(acc1), _mm512_loadu_ps(scale + 16));
  f0 = _mm512_min_ps(_mm512_max_ps(f0, k.lo), k.hi);
  f1 = _mm512_min_ps(_mm512_max_ps(f1, k.lo), k.hi);
  // In [qmin, qmax] after the zero point, so vpmovsdb's saturation is a no-op.
  const __m512i q0 = _mm512_add_epi32(_mm512_cvtps_epi32(f0), k.zp);
  const __m512i q1 = _mm512_add_epi32(_mm512_cvtps_epi32(f1), k.zp);
  const __m128i b0 = _mm512_cvtsepi32_epi8(q0);  // channels 0-7, 16-23
  const __m128i b1 = _mm512_cvtsepi32_epi8(q1);  // channels 8-15, 24-31
  const __m256i bytes = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_unpacklo_epi64(b0, b1)),
                                                _mm_unpackhi_epi64(b0, b1), 1);
  _mm256_mask_storeu_epi8(out, mask, bytes);
}

// Int16 pairs (a_c, b_c) of a tile's 32 channels, in accumulator order.
inline void Pairs(__m256i a, __m256i b, __m512i* p0, __m512i* p1) {
  *p0 = _mm512_cvtepi8_epi16(_mm256_unpacklo_epi8(a, b));
  *p1 = _mm512_cvtepi8_epi16(_mm256_unpackhi_epi8(a, b));
}

// One 32-channel tile (packed tile `tile`) of one output pixel; `mask` has
// one bit per channel of the tile that exists.
template <int NT>
inline void Tile(const int8_t* const* taps, int nt, const Qs8DwParams& d, size_t tile,
                 __mmask32 mask, const Consts& k, int8_t* out) {
  const size_t c0 = tile * 32;
  const int n = NT > 0 ? NT : nt;
  const int32_t* bias = d.bias + c0;
  const float* scale = d.scale + c0;
  const int16_t* w = d.weights + tile * static_cast<size_t>(n / 2) * 64;
  __m512i acc0 = _mm512_loadu_si512(bias);
  __m512i acc1 = _mm512_loadu_si512(bias + 16);
#pragma GCC unroll 16
  for (int t = 0; t < n; t += 2) {
    const __m256i a = _mm256_maskz_loadu_epi8(mask, taps[t] + c0);
    const __m256i b = _mm256_maskz_loadu_epi8(mask, taps[t + 1] + c0);
    __m512i p0, p1;
    Pairs(a, b, &p0, &p1);
    acc0 = _mm512_dpwssd_epi32(acc0, p0, _mm512_loadu_si512(w));
    acc1 = _mm512_dpwssd_epi32(acc1, p1, _mm512_loadu_si512(w + 32));
    w += 64;
  }
  StoreTile(acc0, acc1, scale, mask, k, out + c0);
}

// 3x3 with dilation_w 1 and stride_w S (1 or 2): the interior output columns
// [lo, hi) of one row for one tile, with the widened input columns kept in
// registers across neighbouring pixels (as the AVX2 Interior3x3). Per column:
// rows 0 and 1 as pairs (weights {k0, k1}) and row 2 paired with itself
// (weights {k2, 0}); d.col_weights holds 6 pair groups per tile.
template <int S>
inline void Interior3x3(const Qs8DwParams& d, const int8_t* const* rows, int lo, int hi, size_t c,
                        size_t tile, __mmask32 mask, const Consts& k, int8_t* out_row) {
  struct Col {
    __m512i a0, a1, b0, b1;
  };
  const size_t c0 = tile * 32;
  const int16_t* w = d.col_weights + tile * 6 * 64;
  auto load = [&](int ix) {
    const size_t off = static_cast<size_t>(ix) * c + c0;
    const __m256i x0 = _mm256_maskz_loadu_epi8(mask, rows[0] + off);
    const __m256i x1 = _mm256_maskz_loadu_epi8(mask, rows[1] + off);
    const __m256i x2 = _mm256_maskz_loadu_epi8(mask, rows[2] + off);
    Col col;
    Pairs(x0, x1, &col.a0, &col.a1);
    Pairs(x2, x2, &col.b0, &col.b1);
    return col;
  };
  auto mac = [&](__m512i& acc0, __m512i& acc1, const Col& col, int kx) {
    const int16_t* wa = w + kx * 64;
    const int16_t* wb = w + (kx + 3) * 64;
    acc0 = _mm512_dpwssd_epi32(acc0, col.a0, _mm512_loadu_si512(wa));
    acc1 = _mm512_dpwssd_epi32(acc1, col.a1, _mm512_loadu_si512(wa + 32));
    acc0 = _mm512_dpwssd_epi32(acc0, col.b0, _mm512_loadu_si512(wb));
    acc1 = _mm512_dpwssd_epi32(acc1, col.b1, _mm512_loadu_si512(wb + 32));
  };
  int ix = lo * S - d.g->pad_left;
  Col c0col = load(ix);
  Col c1col = S == 1 ? load(ix + 1) : c0col;
  for (int ox = lo; ox < hi; ++ox, ix += S) {
    if (S != 1) c1col = load(ix + 1);
    const Col c2col = load(ix + 2);  // never past the last interior column
    __m512i acc0 = _mm512_loadu_si512(d.bias + c0);
    __m512i acc1 = _mm512_loadu_si512(d.bias + c0 + 16);
    mac(acc0, acc1, c0col, 0);
    mac(acc0, acc1, c1col, 1);
    mac(acc0, acc1, c2col, 2);
    StoreTile(acc0, acc1, d.scale + c0, mask, k, out_row + static_cast<size_t>(ox) * c + c0);
    if (S == 1) {
      c0col = c1col;
      c1col = c2col;
    } else {
      c0col = c2col;
    }
  }
}

template <int KH, int KW>
void Rows(const Qs8DwParams& d, const int8_t* input, int8_t* output, size_t row_begin,
          size_t row_end) {
  const Conv2DGeometry& g = *d.g;
  const int kh = KH > 0 ? KH : g.kernel_h;
  const int kw = KW > 0 ? KW : g.kernel_w;
  constexpr int kNT = KH > 0 ? (KH * KW + 1) / 2 * 2 : 0;
  constexpr int kCap = KH > 0 ? kNT : kQs8DwMaxTaps + 1;
  const int8_t* rows[KH > 0 ? KH : kQs8DwMaxTaps];
  const int8_t* taps[kCap] = {};  // (set before use; quiets -Wmaybe-uninitialized)
  const size_t c = static_cast<size_t>(g.in_c);
  const size_t full_tiles = c / 32;
  const size_t rem = c % 32;
  const __mmask32 tail_mask = static_cast<__mmask32>((uint64_t{1} << rem) - 1);
  const Consts k{_mm512_set1_ps(d.out_lo), _mm512_set1_ps(d.out_hi),
                 _mm512_set1_epi32(d.output_zero_point)};
  const int ntaps = kh * kw;
  int nt = 0, ox_lo, ox_hi;
  DwInteriorColumns(g, kw, &ox_lo, &ox_hi);
  const size_t step = static_cast<size_t>(g.stride_w) * c;
  // 3x3 column-reuse path (packed only for dilation_w 1, stride_w 1 or 2).
  const bool columns = KH == 3 && KW == 3 && d.col_weights != nullptr;
  for (size_t row = row_begin; row < row_end; ++row) {
    DwRowPointers(g, input, row, kh, d.zero_buf, rows);
    int8_t* out = output + row * static_cast<size_t>(g.out_w) * c;
    if (columns) {
      int8_t* const out_row = out;
      auto pixel = [&](int ox) {
        nt = DwTapPointers(g, rows, kh, kw, ox, d.zero_buf, taps);
        int8_t* const o = out_row + static_cast<size_t>(ox) * c;
        for (size_t tile = 0; tile < full_tiles; ++tile) {
          Tile<kNT>(taps, nt, d, tile, static_cast<__mmask32>(0xFFFFFFFFu), k, o);
        }
        if (rem != 0) Tile<kNT>(taps, nt, d, full_tiles, tail_mask, k, o);
      };
      for (int ox = 0; ox < ox_lo && ox < g.out_w; ++ox) pixel(ox);
      if (ox_hi > ox_lo) {
        for (size_t tile = 0; tile < full_tiles + (rem != 0 ? 1 : 0); ++tile) {
          const __mmask32 m = tile < full_tiles ? static_cast<__mmask32>(0xFFFFFFFFu) : tail_mask;
          if (g.stride_w == 1) {
            Interior3x3<1>(d, rows, ox_lo, ox_hi, c, tile, m, k, out_row);
          } else {
            Interior3x3<2>(d, rows, ox_lo, ox_hi, c, tile, m, k, out_row);
          }
        }
      }
      for (int ox = ox_hi; ox < g.out_w; ++ox) pixel(ox);
      continue;
    }
    for (int ox = 0; ox < g.out_w; ++ox, out += c) {
      if (ox <= ox_lo || ox >= ox_hi) {
        nt = DwTapPointers(g, rows, kh, kw, ox, d.zero_buf, taps);
      } else {
        for (int t = 0; t < ntaps; ++t) taps[t] += step;  // all taps move right
      }
      for (size_t tile = 0; tile < full_tiles; ++tile) {
        Tile<kNT>(taps, nt, d, tile, static_cast<__mmask32>(0xFFFFFFFFu), k, out);
      }
      if (rem != 0) Tile<kNT>(taps, nt, d, full_tiles, tail_mask, k, out);
    }
  }
}

}  // namespace dw_avx512vnni
}  // namespace qrun::kernels::x86

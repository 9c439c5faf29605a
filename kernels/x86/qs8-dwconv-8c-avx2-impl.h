// AVX2 int8 depthwise KHxKW (3x3, 5x5), 8 channels per block, column buffer
// (include only from *-avx2.cc files: needs -mavx2). The layers the ring
// kernels (qs8-dwconv-ring-avx2-impl.h) do not take run here: stride_w > 2,
// dilation_w > 1, in_c < 8. It also holds the helpers both share (weight
// groups, constants).
//
// Per output row and 8-channel block, every input column the row needs is
// widened ONCE into a small stack buffer of int16 vectors ("column buffer"):
// rows 2j and 2j+1 of the window interleaved as int16 pairs (one vpmaddwd
// takes both taps against the weight pair {w[2j][kx], w[2j+1][kx]}), and an
// odd last row as a single (vpmovsxbd: x in the low int16, its sign in the
// high one, which meets weight 0). The MAC loop then reads each buffered
// column for every kx that uses it (3 or 5 times at stride 1) with no
// shuffle at all: one vpmaddwd with a memory operand + one vpaddd per 16 MACs,
// the weights (NG * KW vectors) loaded once per block. Four output pixels
// per step share each weight load and are requantized together (one
// pack/permute chain for 4 x 8 bytes).
//
// Padding costs nothing in the MAC loop: out-of-image rows read the zero-point
// row (DwRowPointers) and out-of-image columns are the widened zero point, so
// with the zero point folded into the bias they contribute exactly 0.
//
// Channel tail: in_c >= 8 moves the last block back to end at in_c (it
// recomputes a few channels with identical results), so loads and stores
// stay inside the pixel; in_c < 8 goes through a bounce buffer.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/x86/qs8-dwconv-taps.h"
#include "kernels/x86/qs8-dwconv.h"

namespace qrun::kernels::x86 {
namespace dw_avx2_8c {

template <bool kPartial>
inline __m128i Load8(const int8_t* p, size_t nc) {
  if (!kPartial) return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  alignas(16) int8_t tmp[16] = {};
  std::memcpy(tmp, p, nc);
  return _mm_load_si128(reinterpret_cast<const __m128i*>(tmp));
}

// Weights of the 8-channel group starting at channel c0 (packed by
// qs8_dwconv.cc, see Qs8DwParams::col_weights): nv vectors of 8 int16 pairs.
// Groups 0..G-1 start at multiples of 8; the unaligned tail starts c - 16
// and c - 8 have their own groups appended (G = ceil(c / 8)), so a block's
// second group always follows its first.
inline const int16_t* GroupWeights(const int16_t* w, size_t c, size_t c0, int nv) {
  const size_t groups = (c + 7) / 8;
  size_t gi;
  if (c0 % 8 == 0) {
    gi = c0 / 8;
  } else if (c0 + 16 == c) {
    gi = groups;
  } else {  // c0 + 8 == c
    gi = groups + (c >= 16 ? 1 : 0);
  }
  return w + gi * static_cast<size_t>(nv) * 16;
}

// Requantization constants; scale and bias are per block (column-buffer
// kernel), qmin8 (qmin in every byte) only the ring kernels use.
struct Consts {
  __m256 lo, hi, scale;
  __m256i bias, zp16, perm, qmin8;
};

inline __m256i Requant(__m256i acc, const Consts& k) {
  __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), k.scale);
  f = _mm256_min_ps(_mm256_max_ps(f, k.lo), k.hi);
  return _mm256_cvtps_epi32(f);
}

// Widened column (NG vectors) from the window rows at byte offset `off`.
template <int KH, bool kPartial>
inline void WidenColumn(const int8_t* const* rows, size_t off, size_t nc, __m256i* dst) {
#pragma GCC unroll 4
  for (int j = 0; j < KH / 2; ++j) {
    const __m128i a = Load8<kPartial>(rows[2 * j] + off, nc);
    const __m128i b = Load8<kPartial>(rows[2 * j + 1] + off, nc);
    _mm256_store_si256(dst + j, _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(a, b)));
  }
  if (KH % 2) {
    _mm256_store_si256(dst + KH / 2, _mm256_cvtepi8_epi32(Load8<kPartial>(rows[KH - 1] + off, nc)));
  }
}

// NPX (4 or 1) output pixels of 8 channels from the column buffer; S / D:
// stride_w / dilation_w (0: runtime sw / dw).
template <int KH, int KW, int S, int D, int NPX, bool kPartial>
inline void Pixels(const __m256i* col, int sw, int dw, const __m256i* w, const Consts& k,
                   int8_t* out, size_t c, size_t nc) {
  constexpr int NG = (KH + 1) / 2;
  const int s = S > 0 ? S : sw;
  const int dl = D > 0 ? D : dw;
  __m256i acc[NPX];
  for (int p = 0; p < NPX; ++p) acc[p] = k.bias;
#pragma GCC unroll 8
  for (int kx = 0; kx < KW; ++kx) {
#pragma GCC unroll 4
    for (int j = 0; j < NG; ++j) {
      const __m256i wv = w[j * KW + kx];
#pragma GCC unroll 4
      for (int p = 0; p < NPX; ++p) {
        const __m256i x = _mm256_load_si256(col + (p * s + kx * dl) * NG + j);
        acc[p] = _mm256_add_epi32(acc[p], _mm256_madd_epi16(x, wv));
      }
    }
  }
  if (NPX == 4) {
    const __m256i q01 = _mm256_adds_epi16(_mm256_packs_epi32(Requant(acc[0], k), Requant(acc[1], k)), k.zp16);
    const __m256i q23 = _mm256_adds_epi16(_mm256_packs_epi32(Requant(acc[2], k), Requant(acc[3], k)), k.zp16);
    // In-lane packs: lane 0 holds channels 0-3 of pixels 0..3, lane 1
    // channels 4-7; the dword permute gathers each pixel's 8 bytes.
    const __m256i b = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(q01, q23), k.perm);
    const __m128i lo = _mm256_castsi256_si128(b), hi = _mm256_extracti128_si256(b, 1);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), lo);
    // High halves through movq too (movhpd's double* store is UB when unaligned).
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c), _mm_unpackhi_epi64(lo, lo));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 2 * c), hi);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 3 * c), _mm_unpackhi_epi64(hi, hi));
  } else {
    const __m256i q = Requant(acc[0], k);
    const __m256i q16 = _mm256_adds_epi16(_mm256_packs_epi32(q, q), k.zp16);
    const __m256i b = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(q16, q16), k.perm);
    if (!kPartial) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(b));
    } else {
      alignas(16) int8_t tmp[16];
      _mm_store_si128(reinterpret_cast<__m128i*>(tmp), _mm256_castsi256_si128(b));
      std::memcpy(out, tmp, nc);
    }
  }
}

// Buffer capacity in input columns; Init only picks these kernels when the
// dilated window fits ((KW - 1) * dilation_w + 1 <= kBufCols).
constexpr int kBufCols = kQs8DwAvx2BufCols;

// One output row, one 8-channel block [c0, c0 + nc).
template <int KH, int KW, int S, int D, bool kPartial>
inline void RowBlock(const Qs8DwParams& d, const int8_t* const* rows, int8_t* out_row, size_t c0,
                     size_t nc, const Consts& k0, __m256i* col) {
  constexpr int NG = (KH + 1) / 2;
  const Conv2DGeometry& g = *d.g;
  const size_t c = static_cast<size_t>(g.in_c);
  const int sw = S > 0 ? S : g.stride_w;
  const int dw = D > 0 ? D : g.dilation_w;
  const int span = (KW - 1) * dw + 1;
  const int chunk = (kBufCols - span) / sw + 1;  // output columns per buffer fill
  Consts k = k0;
  if (!kPartial) {
    k.bias = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(d.bias + c0));
    k.scale = _mm256_loadu_ps(d.scale + c0);
  } else {
    k.bias = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(d.bias));  // c0 == 0
    k.scale = _mm256_loadu_ps(d.scale);
  }
  const int16_t* wg = GroupWeights(d.col_weights, c, c0, NG * KW);
  __m256i w[NG * KW];
  for (int i = 0; i < NG * KW; ++i)
    w[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg + 16 * i));
  // The widened zero-point column (padding columns).
  __m256i zcol[NG];
  {
    const int8_t* zrows[KH];
    for (int r = 0; r < KH; ++r) zrows[r] = d.zero_buf;
    WidenColumn<KH, kPartial>(zrows, c0, nc, zcol);
  }
  for (int ox0 = 0; ox0 < g.out_w; ox0 += chunk) {
    const int n = std::min(chunk, g.out_w - ox0);
    const int ix0 = ox0 * sw - g.pad_left;
    const int ncols = (n - 1) * sw + span;
    // Fill: padding columns left, image columns, padding columns right.
    int col_i = 0;
    for (; col_i < ncols && ix0 + col_i < 0; ++col_i)
      for (int j = 0; j < NG; ++j) _mm256_store_si256(col + col_i * NG + j, zcol[j]);
    for (; col_i < ncols && ix0 + col_i < g.in_w; ++col_i)
      WidenColumn<KH, kPartial>(rows, static_cast<size_t>(ix0 + col_i) * c + c0, nc,
                                col + col_i * NG);
    for (; col_i < ncols; ++col_i)
      for (int j = 0; j < NG; ++j) _mm256_store_si256(col + col_i * NG + j, zcol[j]);
    // MACs: blocks of 4 pixels; a ragged end redoes the last 4 (same bytes).
    // Partial blocks (in_c < 8) go pixel by pixel (bounce-buffered stores).
    int8_t* out = out_row + static_cast<size_t>(ox0) * c + c0;
    if (n >= 4 && !kPartial) {
      for (int p = 0;; p += 4) {
        if (p + 4 > n) p = n - 4;
        Pixels<KH, KW, S, D, 4, kPartial>(col + p * sw * NG, sw, dw, w, k,
                                          out + static_cast<size_t>(p) * c, c, nc);
        if (p + 4 >= n) break;
      }
    } else {
      for (int p = 0; p < n; ++p)
        Pixels<KH, KW, S, D, 1, kPartial>(col + p * sw * NG, sw, dw, w, k,
                                          out + static_cast<size_t>(p) * c, c, nc);
    }
  }
}

template <int KH, int KW, int S, int D>
void RowsSD(const Qs8DwParams& d, const int8_t* input, int8_t* output, size_t row_begin,
            size_t row_end) {
  constexpr int NG = (KH + 1) / 2;
  const Conv2DGeometry& g = *d.g;
  const size_t c = static_cast<size_t>(g.in_c);
  const Consts k{_mm256_set1_ps(d.out_lo),
                 _mm256_set1_ps(d.out_hi),
                 _mm256_setzero_ps(),
                 _mm256_setzero_si256(),
                 _mm256_set1_epi16(static_cast<int16_t>(d.output_zero_point)),
                 _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7),
                 _mm256_setzero_si256()};
  alignas(32) __m256i col[kBufCols * NG];
  const int8_t* rows[KH];
  for (size_t row = row_begin; row < row_end; ++row) {
    DwRowPointers(g, input, row, KH, d.zero_buf, rows);
    int8_t* out_row = output + row * static_cast<size_t>(g.out_w) * c;
    if (c < 8) {
      RowBlock<KH, KW, S, D, true>(d, rows, out_row, 0, c, k, col);
      continue;
    }
    for (size_t c0 = 0;; c0 = c0 + 16 <= c ? c0 + 8 : c - 8) {
      RowBlock<KH, KW, S, D, false>(d, rows, out_row, c0, 8, k, col);
      if (c0 + 8 >= c) break;
    }
  }
}

// Stride 1 and 2 at dilation 1 (MobileNet) get constant offsets; anything
// else reads stride and dilation at run time.
template <int KH, int KW>
void Rows(const Qs8DwParams& d, const int8_t* input, int8_t* output, size_t row_begin,
          size_t row_end) {
  const Conv2DGeometry& g = *d.g;
  if (g.dilation_w == 1 && g.stride_w == 1) {
    RowsSD<KH, KW, 1, 1>(d, input, output, row_begin, row_end);
  } else if (g.dilation_w == 1 && g.stride_w == 2) {
    RowsSD<KH, KW, 2, 1>(d, input, output, row_begin, row_end);
  } else {
    RowsSD<KH, KW, 0, 0>(d, input, output, row_begin, row_end);
  }
}

}  // namespace dw_avx2_8c
}  // namespace qrun::kernels::x86

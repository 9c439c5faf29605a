// AVX2 int8 depthwise KHxKW at stride_w S (1 or 2), dilation_w 1: one pass
// over the input columns of an output row with a ring of accumulators
// (include only from *-avx2.cc files: needs -mavx2).
//
// Each input column of the KH window rows is loaded and widened once (rows
// 2j, 2j+1 interleaved as int16 pairs, an odd last row as a single, as in
// qs8-dwconv-8c-avx2-impl.h) and kept in registers only while it adds its
// taps (vpmaddwd + vpaddd, the weight pair a memory operand) into the
// R = ceil(KW / S) output pixels whose windows contain it. acc[0..R-1] are
// consecutive pixels; when the oldest is complete it is requantized and
// stored and the ring shifts by one pixel (register renames), so every
// (column, tap) -> accumulator index is a compile-time constant. Per pixel
// and 16 channels of a 3x3 at stride 1: 6 shuffles, 12 vpmaddwd, 12 vpaddd
// and the requantization; nothing is spilled and the widened input is never
// stored. (The 5x5 at stride 1 runs 8 channels per block: 5 x 2 accumulators
// of 16 channels plus the column would not fit the 16 ymm registers.)
//
// Columns outside the image read the zero-point row (pointer selects), which
// the folded bias cancels exactly, so padding needs no special case. The
// first and last R - 1 iterations of a row skip the MACs of pixels outside
// the row. in_c >= CW: the last block moves back to end at in_c.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <utility>

#include "kernels/x86/qs8-dwconv-8c-avx2-impl.h"

namespace qrun::kernels::x86 {
namespace dw_avx2_ring {

using dw_avx2_8c::GroupWeights;

template <int KH, int KW, int S, int CW>
struct Ring {
  static constexpr int NG = (KH + 1) / 2;  // row groups (pairs + odd single)
  static constexpr int NV = CW / 8;        // vectors per row group
  static constexpr int R = (KW + S - 1) / S;  // pixels in flight
  static constexpr int NW = NG * KW;          // weight vectors per 8 channels

  struct Col {
    __m256i v[NG][NV];
  };

  // GCC hoists loop-invariant weight / bias / scale vectors into registers
  // and then spills them (16 ymm are not enough); hiding the pointer per
  // column keeps them as memory operands instead.
  template <typename T>
  __attribute__((always_inline)) static inline const T* Opaque(const T* p) {
    __asm__("" : "+r"(p));
    return p;
  }

  // acc += vpmaddwd(x, weights in memory), spelled out: with intrinsics GCC
  // loads every weight vector of a column into a register up front and
  // reassociates the adds, keeping a dozen products live, and spills.
  __attribute__((always_inline)) static inline void MacMem(__m256i& acc, __m256i x,
                                                           const int16_t* w) {
    __m256i t;
    __asm__("vpmaddwd %[w], %[x], %[t]\n\tvpaddd %[t], %[acc], %[acc]"
            : [acc] "+x"(acc), [t] "=&x"(t)
            : [x] "x"(x), [w] "m"(*reinterpret_cast<const __m256i*>(w)));
  }

  __attribute__((always_inline)) static inline void Widen(const int8_t* const* rows, size_t off,
                                                          Col& col) {
    for (int j = 0; j < KH / 2; ++j) {
      if (NV == 2) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[2 * j] + off));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[2 * j + 1] + off));
        col.v[j][0] = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(a, b));
        col.v[j][NV - 1] = _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(a, b));
      } else {
        const __m128i a = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(rows[2 * j] + off));
        const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(rows[2 * j + 1] + off));
        col.v[j][0] = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(a, b));
      }
    }
    if (KH % 2) {
      for (int h = 0; h < NV; ++h)
        col.v[NG - 1][h] = _mm256_cvtepi8_epi32(
            _mm_loadl_epi64(reinterpret_cast<const __m128i*>(rows[KH - 1] + off + 8 * h)));
    }
  }

  // Requantize and store CW channels. Only the upper clamp is done in float
  // (it also keeps cvtps2dq in range); the lower one is a byte max at the
  // end: rounding is monotonic and the bounds are integers, so clamping
  // before or after rounding gives the same value, and anything below qmin
  // stays below it through the saturating packs.
  __attribute__((always_inline)) static inline void Store(const __m256i* acc, const float* scale,
                                                          const dw_avx2_8c::Consts& k, int8_t* out) {
    if (NV == 2) {
      const __m256 f0 =
          _mm256_min_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc[0]), _mm256_loadu_ps(scale)), k.hi);
      const __m256 f1 = _mm256_min_ps(
          _mm256_mul_ps(_mm256_cvtepi32_ps(acc[NV - 1]), _mm256_loadu_ps(scale + 8)), k.hi);
      // In-lane packs: int16 [0-3, 8-11 | 4-7, 12-15], bytes (twice) the
      // same; the dword permute puts 0-3, 4-7, 8-11, 12-15 in the low half.
      const __m256i q16 = _mm256_adds_epi16(
          _mm256_packs_epi32(_mm256_cvtps_epi32(f0), _mm256_cvtps_epi32(f1)), k.zp16);
      const __m256i q8 = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(q16, q16), k.perm);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                       _mm_max_epi8(_mm256_castsi256_si128(q8), _mm256_castsi256_si128(k.qmin8)));
    } else {
      const __m256 f =
          _mm256_min_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc[0]), _mm256_loadu_ps(scale)), k.hi);
      const __m256i q = _mm256_cvtps_epi32(f);
      const __m128i q16 = _mm_adds_epi16(
          _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1)),
          _mm256_castsi256_si128(k.zp16));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out),
                       _mm_max_epi8(_mm_packs_epi16(q16, q16), _mm256_castsi256_si128(k.qmin8)));
    }
  }

  // What one output row and channel block needs (all pointers at channel c0).
  struct Row {
    const int8_t* rows[KH];
    const int8_t* zero;  // zero-point bytes
    const int16_t* w;    // NV weight groups, contiguous
    const int32_t* bias;
    const float* scale;
    int8_t* out;  // pixel 0
    size_t c;     // pixel stride
    int in_w, pad_left;
  };

  // Iteration ox takes the S input columns t = S * ox + KW - S + e (e < S;
  // "column time" t = ix + pad_left) that complete pixel ox: acc[i] holds
  // pixel ox + i, and column t at tap kx feeds acc[(KW - S + e - kx) / S] when
  // that divides. Then pixel ox is stored and the ring shifts down (register
  // renames). Only slots kLo..kHi get MACs: the first and last R - 1
  // iterations of a row skip the slots of pixels left of 0 / right of out_w.
  // kInterior: all S columns are in the image and start at byte offset
  // `off0` (no per-column bounds selects or multiply).
  template <int kLo, int kHi, bool kStore, bool kInterior = false>
  __attribute__((always_inline)) static inline void Iter(__m256i (&acc)[R][NV], const Row& rw,
                                                         int ox, const dw_avx2_8c::Consts& k,
                                                         size_t off0 = 0) {
    const int16_t* w = Opaque(rw.w);
#pragma GCC unroll 2
    for (int e = 0; e < S; ++e) {
      Col col;
      if (kInterior) {
        Widen(rw.rows, off0 + static_cast<size_t>(e) * rw.c, col);
      } else {
        const int ix = S * ox + KW - S + e - rw.pad_left;
        // Out-of-image columns read the zero-point row (selects, no branch).
        const bool inside = static_cast<unsigned>(ix) < static_cast<unsigned>(rw.in_w);
        const size_t off = inside ? static_cast<size_t>(ix) * rw.c : 0;
        const int8_t* rp[KH];
#pragma GCC unroll 8
        for (int r = 0; r < KH; ++r) rp[r] = inside ? rw.rows[r] : rw.zero;
        Widen(rp, off, col);
      }
#pragma GCC unroll 8
      for (int kx = 0; kx < KW; ++kx) {
        const int q = KW - S + e - kx;
        if (q < 0 || q % S != 0 || q / S < kLo || q / S > kHi) continue;
#pragma GCC unroll 2
        for (int h = 0; h < NV; ++h)
#pragma GCC unroll 4
          for (int j = 0; j < NG; ++j)
            MacMem(acc[q / S][h], col.v[j][h], w + ((h * NW) + j * KW + kx) * 16);
      }
    }
    if (kStore) Store(acc[0], Opaque(rw.scale), k, rw.out + static_cast<size_t>(ox) * rw.c);
#pragma GCC unroll 8
    for (int i = 0; i + 1 < R; ++i)
#pragma GCC unroll 2
      for (int h = 0; h < NV; ++h) acc[i][h] = acc[i + 1][h];
    const int32_t* b = Opaque(rw.bias);
#pragma GCC unroll 2
    for (int h = 0; h < NV; ++h)
      acc[R - 1][h] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 8 * h));
  }

  template <int... P>
  __attribute__((always_inline)) static inline void Prologue(__m256i (&acc)[R][NV], const Row& rw,
                                                             const dw_avx2_8c::Consts& k,
                                                             std::integer_sequence<int, P...>) {
    (Iter<R - 1 - P, R - 1, false>(acc, rw, -(R - 1) + P, k), ...);
  }
  template <int... M>
  __attribute__((always_inline)) static inline void Epilogue(__m256i (&acc)[R][NV], const Row& rw,
                                                             int out_w, const dw_avx2_8c::Consts& k,
                                                             std::integer_sequence<int, M...>) {
    (Iter<0, R - 2 - M, true>(acc, rw, out_w - R + 1 + M, k), ...);
  }

  // One output row, channels [c0, c0 + CW).
  static void RowBlock(const Qs8DwParams& d, const int8_t* const* row_ptrs, int8_t* out_row,
                       size_t c0, const dw_avx2_8c::Consts& k) {
    const Conv2DGeometry& g = *d.g;
    Row rw;
    rw.c = static_cast<size_t>(g.in_c);
    for (int r = 0; r < KH; ++r) rw.rows[r] = row_ptrs[r] + c0;
    rw.zero = d.zero_buf + c0;
    rw.w = GroupWeights(d.col_weights, rw.c, c0, NW);
    rw.bias = d.bias + c0;
    rw.scale = d.scale + c0;
    rw.out = out_row + c0;
    rw.in_w = g.in_w;
    rw.pad_left = g.pad_left;
    __m256i acc[R][NV];
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
      for (int h = 0; h < NV; ++h)
        acc[i][h] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rw.bias + 8 * h));
    if (g.out_w < R) {  // tiny rows: every slot, every iteration
      for (int ox = -(R - 1); ox < 0; ++ox) Iter<0, R - 1, false>(acc, rw, ox, k);
      for (int ox = 0; ox < g.out_w; ++ox) Iter<0, R - 1, true>(acc, rw, ox, k);
      return;
    }
    Prologue(acc, rw, k, std::make_integer_sequence<int, R - 1>{});
    // Full iterations [0, out_w - R]; the interior ones [lo, hi] (columns
    // S * ox + KW - S .. S * ox + KW - 1, minus pad_left, inside the image)
    // step a byte offset instead.
    const int last = g.out_w - R;
    const int lo = std::max(0, (g.pad_left - KW + S + S - 1 + S * KW) / S - KW);
    const int hi = std::min(last, (g.in_w - KW + g.pad_left + S * KW) / S - KW);
    int ox = 0;
    for (; ox < lo && ox <= last; ++ox) Iter<0, R - 1, true>(acc, rw, ox, k);
    if (lo <= hi) {
      size_t off = static_cast<size_t>(S * lo + KW - S - g.pad_left) * rw.c;
      const size_t step = static_cast<size_t>(S) * rw.c;
      for (; ox <= hi; ++ox, off += step) Iter<0, R - 1, true, true>(acc, rw, ox, k, off);
    }
    for (; ox <= last; ++ox) Iter<0, R - 1, true>(acc, rw, ox, k);
    Epilogue(acc, rw, g.out_w, k, std::make_integer_sequence<int, R - 1>{});
  }

  static void Rows(const Qs8DwParams& d, const int8_t* input, int8_t* output, size_t row_begin,
                   size_t row_end) {
    const Conv2DGeometry& g = *d.g;
    const size_t c = static_cast<size_t>(g.in_c);  // >= CW
    const int qmin = static_cast<int>(d.out_lo) + d.output_zero_point;
    const dw_avx2_8c::Consts k{_mm256_set1_ps(d.out_lo),
                               _mm256_set1_ps(d.out_hi),
                               _mm256_setzero_ps(),
                               _mm256_setzero_si256(),
                               _mm256_set1_epi16(static_cast<int16_t>(d.output_zero_point)),
                               _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7),
                               _mm256_set1_epi8(static_cast<char>(qmin))};
    const int8_t* rows[KH];
    for (size_t row = row_begin; row < row_end; ++row) {
      DwRowPointers(g, input, row, KH, d.zero_buf, rows);
      int8_t* out_row = output + row * static_cast<size_t>(g.out_w) * c;
      for (size_t c0 = 0;; c0 = c0 + 2 * CW <= c ? c0 + CW : c - CW) {
        RowBlock(d, rows, out_row, c0, k);
        if (c0 + CW >= c) break;
      }
    }
  }
};

}  // namespace dw_avx2_ring
}  // namespace qrun::kernels::x86

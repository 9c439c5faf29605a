// int8 indirect-GEMM microkernels, AVX2: operands widened to int16 (the
// input pass sign-extends activations; weights are packed as int16, or as
// int8 and sign-extended here: "w8"), pairs multiplied and summed with
// vpmaddwd into int32. Exact: no vpmaddubsw saturation (GUIDE section 2).
// NR = 8 * NRV channels per tile, c2 blocks (one ymm = 8 channels x 2 k).
// Contract: kernels/x86/qs8-igemm.h.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"
#include "kernels/x86/qs8-igemm.h"

namespace qrun::kernels::x86 {
namespace {

// MR rows computed; AS pointers per tap in the indirection buffer (the tile
// height the driver built it for: a smaller MR serves the last, partial tile).
// NRV of the tile's NRW packed 8-channel vectors are computed (NRW > NRV:
// a last tile with nc <= 8 * NRV skips the rest).
// W: the packed weight type, int16_t or int8_t (widened here by vpmovsxbw).
template <typename W, int MR, int NRV, int AS = MR, int NRW = NRV>
inline __attribute__((always_inline)) void IgemmAvx2(size_t mr, size_t nc, size_t kc, size_t ks,
                                                     const void* const* a, size_t a_offset,
                                                     const void* w, int8_t* c, size_t c_stride,
                                                     const Qs8Requant& p) {
  constexpr size_t kNr = 8 * NRW;
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + kNr);
  const W* wp = reinterpret_cast<const W*>(scale + kNr);

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
    a += AS;
    for (size_t k = 0; k < kp; ++k) {
      __m256i wv[NRV];
#pragma GCC unroll 4
      for (int n = 0; n < NRV; ++n) {
        if constexpr (sizeof(W) == 1) {
          wv[n] = _mm256_cvtepi8_epi16(
              _mm_loadu_si128(reinterpret_cast<const __m128i*>(wp + 16 * n)));
        } else {
          wv[n] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16 * n));
        }
      }
      wp += 16 * NRW;
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

  static_assert(NRV % 2 == 0 || NRV == 1, "outputs are stored 16 channels at a time");
  const RequantRows16 rq(p.out_lo, p.out_hi, p.zero_point);
  if constexpr (NRV == 2) {
    if (nc >= 16) {  // full tile width: rows in pairs
#pragma GCC unroll 4
      for (int m = 0; m < MR; m += 2) {
        if (static_cast<size_t>(m) >= mr) break;
        const __m256i r0 = rq.Row(acc[m][0], acc[m][1], scale);
        const int next = m + 1 < MR ? m + 1 : m;  // an odd MR's last row goes alone
        if (next != m && static_cast<size_t>(next) < mr) {
          const __m256i r1 = rq.Row(acc[next][0], acc[next][1], scale);
          rq.Store2(c + m * c_stride, c + next * c_stride, r0, r1);
        } else {
          rq.Store1(c + m * c_stride, r0);
        }
      }
      return;
    }
  }
  // Partial width (NRV 1: nc <= 8, the upper half is computed but not stored).
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    if (static_cast<size_t>(m) >= mr) break;
    rq.Store1(c + m * c_stride, rq.Row(acc[m][0], acc[m][NRV - 1], scale), nc);
  }
}

template <typename W>
inline __attribute__((always_inline)) void Igemm6x16(size_t mr, size_t nc, size_t kc, size_t ks,
                                                     const void* const* a, size_t a_offset,
                                                     const void* w, int8_t* c, size_t c_stride,
                                                     const Qs8Requant& p) {
  if (nc <= 8) {  // last tile of a layer with 8 (mod 16) channels: half the work
    switch (mr) {
      case 1: IgemmAvx2<W, 1, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      case 2: IgemmAvx2<W, 2, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      case 3: IgemmAvx2<W, 3, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      case 4: IgemmAvx2<W, 4, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      case 5: IgemmAvx2<W, 5, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      default: IgemmAvx2<W, 6, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    }
    return;
  }
  switch (mr) {
    case 1: IgemmAvx2<W, 1, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    case 2: IgemmAvx2<W, 2, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    case 3: IgemmAvx2<W, 3, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    case 4: IgemmAvx2<W, 4, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    case 5: IgemmAvx2<W, 5, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    default: IgemmAvx2<W, 6, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
  }
}

}  // namespace

// 6x16: 12 accumulators + 2 weight vectors + 1 broadcast of the 16 ymm
// registers; per k pair 2 weight loads and 6 broadcasts feed 12 vpmaddwd
// (4x16: 2 + 4 for 8). Partial tiles run only the rows they have.
void qs8_igemm_6x16c2__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                            size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                            const Qs8Requant& p) {
  Igemm6x16<int16_t>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

// Same tile, int8 weights widened by vpmovsxbw (one extra shuffle uop per
// weight vector): half the packed bytes to stream from memory.
void qs8_igemm_6x16c2w8__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                              size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                              const Qs8Requant& p) {
  Igemm6x16<int8_t>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

}  // namespace qrun::kernels::x86

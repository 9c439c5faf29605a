// int8 indirect-GEMM microkernels, AVX-VNNI (VEX-encoded 256-bit vpdpbusd:
// u8 x s8 -> s32, 4 products per int32 lane, wrapping; Alder Lake,
// Alder Lake-N, Zen 5). Contract: kernels/x86/qs8-igemm.h (u8 = int8 ^ 0x80
// activations, int8 weights in c4 blocks, 128 * sum(w) folded into the
// packed bias). Tiles: NR = 8 * NRW channels (one ymm = 8 channels x 4 k).
// Requantization as the AVX2 kernels: float32 multiply, clamp, cvtps2dq
// (round half to even), no FMA.
// On CPUs without AVX-VNNI, tests/emulated compiles this file with
// vpdpbusd emulated exactly in AVX2 and runs the level tests on it.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"
#include "kernels/x86/qs8-igemm.h"

namespace qrun::kernels::x86 {
namespace {

// MR rows computed; AS pointers per tap in the indirection buffer (the tile
// height the driver built it for). NRV of the tile's NRW packed 8-channel
// vectors are computed (NRV < NRW: a last tile with nc <= 8 * NRV).
template <int MR, int NRV, int AS = MR, int NRW = NRV>
inline __attribute__((always_inline)) void IgemmAvxVnni(size_t mr, size_t nc, size_t kc, size_t ks,
                                                        const void* const* a, size_t a_offset,
                                                        const void* w, int8_t* c, size_t c_stride,
                                                        const Qs8Requant& p) {
  constexpr size_t kNr = 8 * NRW;
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + kNr);
  const int8_t* wp = reinterpret_cast<const int8_t*>(scale + kNr);

  __m256i acc[MR][NRV];
#pragma GCC unroll 4
  for (int n = 0; n < NRV; ++n) {
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8 * n));
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) acc[m][n] = b;
  }
  const size_t kb = (kc + 3) / 4;
  do {
    const uint8_t* rows[MR];
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) rows[m] = static_cast<const uint8_t*>(a[m]) + a_offset;
    a += AS;
    for (size_t k = 0; k < kb; ++k) {
      __m256i wv[NRV];
#pragma GCC unroll 4
      for (int n = 0; n < NRV; ++n)
        wv[n] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 32 * n));
      wp += 32 * NRW;
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) {
        int32_t x;
        std::memcpy(&x, rows[m] + 4 * k, 4);  // 4 u8: x[4k .. 4k+3]
        const __m256i xb = _mm256_set1_epi32(x);
#pragma GCC unroll 4
        for (int n = 0; n < NRV; ++n) acc[m][n] = _mm256_dpbusd_avx_epi32(acc[m][n], xb, wv[n]);
      }
    }
  } while (--ks != 0);

  static_assert(NRV % 2 == 0 || NRV == 1, "outputs are stored 16 channels at a time");
  const RequantRows16 rq(p.out_lo, p.out_hi, p.zero_point);
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    if (static_cast<size_t>(m) >= mr) break;
    int8_t* out = c + m * c_stride;
#pragma GCC unroll 2
    for (int n = 0; n < NRV; n += 2) {
      if (nc <= 8u * n) break;
      // (NRV 1: nc <= 8, the upper half is computed but not stored.)
      rq.Store1(out + 8 * n, rq.Row(acc[m][n], acc[m][n + 1 < NRV ? n + 1 : n], scale + 8 * n),
                nc - 8u * n);
    }
  }
}

// 6x16c4: 12 accumulators + 2 weight vectors + 1 broadcast of the 16 ymm
// registers; per k block of 4, 2 weight loads and 6 broadcasts feed 12
// vpdpbusd. Partial tiles run only the rows they have; a last tile with
// <= 8 channels runs half the columns.
inline __attribute__((always_inline)) void Igemm6x16c4(size_t mr, size_t nc, size_t kc, size_t ks,
                                                       const void* const* a, size_t a_offset,
                                                       const void* w, int8_t* c, size_t c_stride,
                                                       const Qs8Requant& p) {
  if (nc <= 8) {
    switch (mr) {
      case 1: IgemmAvxVnni<1, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      case 2: IgemmAvxVnni<2, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      case 3: IgemmAvxVnni<3, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      case 4: IgemmAvxVnni<4, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      case 5: IgemmAvxVnni<5, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
      default: IgemmAvxVnni<6, 1, 6, 2>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    }
    return;
  }
  switch (mr) {
    case 1: IgemmAvxVnni<1, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    case 2: IgemmAvxVnni<2, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    case 3: IgemmAvxVnni<3, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    case 4: IgemmAvxVnni<4, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    case 5: IgemmAvxVnni<5, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
    default: IgemmAvxVnni<6, 2, 6>(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p); break;
  }
}

// 1x32c4 (batch-1 FullyConnected, one-pixel conv): one MAC per weight byte,
// bound by streaming the weights. Two accumulator sets (even / odd k blocks)
// give 8 independent vpdpbusd chains to cover its latency.
inline __attribute__((always_inline)) void Gemv1x32c4(size_t nc, size_t kc, size_t ks,
                                                      const void* const* a, size_t a_offset,
                                                      const void* w, int8_t* c,
                                                      const Qs8Requant& p) {
  constexpr int NRV = 4;
  constexpr size_t kNr = 8 * NRV;
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + kNr);
  const int8_t* wp = reinterpret_cast<const int8_t*>(scale + kNr);

  __m256i acc0[NRV], acc1[NRV];
#pragma GCC unroll 4
  for (int n = 0; n < NRV; ++n) {
    acc0[n] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8 * n));
    acc1[n] = _mm256_setzero_si256();
  }
  const size_t kb = (kc + 3) / 4;
  do {
    const uint8_t* row = static_cast<const uint8_t*>(*a++) + a_offset;
    size_t k = 0;
    for (; k + 2 <= kb; k += 2) {
      int32_t x0, x1;
      std::memcpy(&x0, row + 4 * k, 4);
      std::memcpy(&x1, row + 4 * k + 4, 4);
      const __m256i xb0 = _mm256_set1_epi32(x0);
      const __m256i xb1 = _mm256_set1_epi32(x1);
#pragma GCC unroll 4
      for (int n = 0; n < NRV; ++n) {
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 32 * n));
        acc0[n] = _mm256_dpbusd_avx_epi32(acc0[n], xb0, w0);
      }
#pragma GCC unroll 4
      for (int n = 0; n < NRV; ++n) {
        const __m256i w1 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + kNr * 4 + 32 * n));
        acc1[n] = _mm256_dpbusd_avx_epi32(acc1[n], xb1, w1);
      }
      wp += kNr * 8;
    }
    if (k < kb) {
      int32_t x0;
      std::memcpy(&x0, row + 4 * k, 4);
      const __m256i xb0 = _mm256_set1_epi32(x0);
#pragma GCC unroll 4
      for (int n = 0; n < NRV; ++n) {
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 32 * n));
        acc0[n] = _mm256_dpbusd_avx_epi32(acc0[n], xb0, w0);
      }
      wp += kNr * 4;
    }
  } while (--ks != 0);

  const RequantRows16 rq(p.out_lo, p.out_hi, p.zero_point);
#pragma GCC unroll 2
  for (int n = 0; n < NRV; n += 2) {
    if (nc <= 8u * n) break;
    // int32 adds wrap like the single-chain sum (the final value fits).
    rq.Store1(c + 8 * n,
              rq.Row(_mm256_add_epi32(acc0[n], acc1[n]), _mm256_add_epi32(acc0[n + 1], acc1[n + 1]),
                     scale + 8 * n),
              nc - 8u * n);
  }
}

}  // namespace

void qs8_igemm_6x16c4__avxvnni(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                               size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                               const Qs8Requant& p) {
  Igemm6x16c4(mr, nc, kc, ks, a, a_offset, w, c, c_stride, p);
}

void qs8_gemv_1x32c4__avxvnni(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                              size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                              const Qs8Requant& p) {
  (void)mr;  // always 1
  (void)c_stride;
  Gemv1x32c4(nc, kc, ks, a, a_offset, w, c, p);
}

}  // namespace qrun::kernels::x86

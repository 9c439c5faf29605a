// int8 one-row (batch-1 FullyConnected, one-pixel conv) indirect-GEMM
// microkernel, AVX2. Same contract as the igemm kernels
// (kernels/x86/qs8-igemm.h) except that the weights stay int8 in the packed
// tile (c2 blocks, kernels/packing.h with elem_bytes 1): one row does one MAC
// per weight byte, so it is bound by reading the weights, and int8 halves
// those bytes against int16. vpmovsxbw widens them from memory; products with
// vpmaddwd on the int16 activations, exact (no vpmaddubsw saturation).
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"
#include "kernels/x86/qs8-igemm.h"

namespace qrun::kernels::x86 {
namespace {

template <int NRV>
inline __attribute__((always_inline)) void GemvAvx2(size_t nc, size_t kc, size_t ks,
                                                    const void* const* a, size_t a_offset,
                                                    const void* w, int8_t* c,
                                                    const Qs8Requant& p) {
  constexpr size_t kNr = 8 * NRV;
  const int32_t* bias = static_cast<const int32_t*>(w);
  const float* scale = reinterpret_cast<const float*>(bias + kNr);
  const int8_t* wp = reinterpret_cast<const int8_t*>(scale + kNr);

  // Two accumulator sets (even / odd k pairs) keep more loads in flight.
  __m256i acc0[NRV], acc1[NRV];
#pragma GCC unroll 8
  for (int n = 0; n < NRV; ++n) {
    acc0[n] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8 * n));
    acc1[n] = _mm256_setzero_si256();
  }
  const size_t kp = (kc + 1) / 2;
  do {
    const uint8_t* row = static_cast<const uint8_t*>(*a++) + a_offset;
    size_t k = 0;
    for (; k + 2 <= kp; k += 2) {
      int32_t x0, x1;
      std::memcpy(&x0, row + 4 * k, 4);  // two int16: x[2k], x[2k+1]
      std::memcpy(&x1, row + 4 * k + 4, 4);
      const __m256i xb0 = _mm256_set1_epi32(x0);
      const __m256i xb1 = _mm256_set1_epi32(x1);
#pragma GCC unroll 8
      for (int n = 0; n < NRV; ++n) {
        const __m256i w0 = _mm256_cvtepi8_epi16(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(wp + 16 * n)));
        acc0[n] = _mm256_add_epi32(acc0[n], _mm256_madd_epi16(xb0, w0));
      }
#pragma GCC unroll 8
      for (int n = 0; n < NRV; ++n) {
        const __m256i w1 = _mm256_cvtepi8_epi16(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(wp + kNr * 2 + 16 * n)));
        acc1[n] = _mm256_add_epi32(acc1[n], _mm256_madd_epi16(xb1, w1));
      }
      wp += kNr * 4;
    }
    if (k < kp) {
      int32_t x0;
      std::memcpy(&x0, row + 4 * k, 4);
      const __m256i xb0 = _mm256_set1_epi32(x0);
#pragma GCC unroll 8
      for (int n = 0; n < NRV; ++n) {
        const __m256i w0 = _mm256_cvtepi8_epi16(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(wp + 16 * n)));
        acc0[n] = _mm256_add_epi32(acc0[n], _mm256_madd_epi16(xb0, w0));
      }
      wp += kNr * 2;
    }
  } while (--ks != 0);

  const OutVec o(Qs8OutParams{p.out_lo, p.out_hi, p.zero_point});
#pragma GCC unroll 8
  for (int n = 0; n < NRV; ++n) {
    if (nc <= 8u * n) break;
    const __m256i acc = _mm256_add_epi32(acc0[n], acc1[n]);
    const __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(scale + 8 * n));
    store8_partial(c + 8 * n, o.rq(f), nc - 8u * n);
  }
}

}  // namespace

void qs8_gemv_1x32c2__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a,
                           size_t a_offset, const void* w, int8_t* c, size_t c_stride,
                           const Qs8Requant& p) {
  (void)mr;  // always 1
  (void)c_stride;
  GemvAvx2<4>(nc, kc, ks, a, a_offset, w, c, p);
}

}  // namespace qrun::kernels::x86

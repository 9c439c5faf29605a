// int8 Mul, 32 elements per step (then 8): the exact int32 product of the centred
// operands (|p| <= 255 * 255), float32 times the scale, requantized.
// Bit-exact with kernels::ref::mul_s8.
#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"

namespace qrun::kernels::x86 {
namespace {

template <bool B_SCALAR>
inline __m256i Mul8(const int8_t* a, const int8_t* b, const Qs8MulParams& p, const OutVec& o,
                    __m256i b_const) {
  const __m256i xa = load8_centered(a, _mm256_set1_epi32(p.a_zero_point));
  const __m256i xb = B_SCALAR ? b_const : load8_centered(b, _mm256_set1_epi32(p.b_zero_point));
  return o.rq(_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_mullo_epi32(xa, xb)), _mm256_set1_ps(p.scale)));
}

// 32 per step, then 8 per step (short per-channel rows), the last < 8
// through a local buffer so nothing past n is touched.
template <bool B_SCALAR>
void Mul(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p) {
  const OutVec o(p.out);
  const __m256i b_const = _mm256_set1_epi32(*b - p.b_zero_point);
  const size_t bstep = B_SCALAR ? 0 : 1;
  for (; n >= 32; n -= 32, a += 32, b += 32 * bstep, y += 32) {
    store32(y, Mul8<B_SCALAR>(a, b, p, o, b_const), Mul8<B_SCALAR>(a + 8, b + 8 * bstep, p, o, b_const),
            Mul8<B_SCALAR>(a + 16, b + 16 * bstep, p, o, b_const),
            Mul8<B_SCALAR>(a + 24, b + 24 * bstep, p, o, b_const));
  }
  for (; n >= 8; n -= 8, a += 8, b += 8 * bstep, y += 8) store8(y, Mul8<B_SCALAR>(a, b, p, o, b_const));
  if (n != 0) {
    int8_t ta[8] = {}, tb[8] = {}, ty[8];
    std::memcpy(ta, a, n);
    if (!B_SCALAR) std::memcpy(tb, b, n);
    store8(ty, Mul8<B_SCALAR>(ta, tb, p, o, b_const));
    std::memcpy(y, ty, n);
  }
}

}  // namespace

void qs8_vmul__avx2(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p) {
  if (n != 0) Mul<false>(n, a, b, y, p);
}

void qs8_vmulc__avx2(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p) {
  if (n != 0) Mul<true>(n, a, b, y, p);
}

}  // namespace qrun::kernels::x86

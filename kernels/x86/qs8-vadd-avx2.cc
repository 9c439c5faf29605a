// int8 Add, 32 elements per step (then 8): each operand centred and scaled in
// float32, the two products summed (no FMA), then requantized. Bit-exact with
// kernels::ref::add_s8, whose per-element formula this is.
#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"

namespace qrun::kernels::x86 {
namespace {

// B_SCALAR: b is one value, its scaled term computed once (the same float).
// 8 results of a and b (8 values each unless B_SCALAR) as int32.
template <bool B_SCALAR>
inline __m256i Add8(const int8_t* a, const int8_t* b, const Qs8AddParams& p, const OutVec& o,
                    __m256 fb_const) {
  const __m256 fa = _mm256_mul_ps(_mm256_cvtepi32_ps(load8_centered(a, _mm256_set1_epi32(p.a_zero_point))),
                                  _mm256_set1_ps(p.a_scale));
  const __m256 fb = B_SCALAR ? fb_const
                             : _mm256_mul_ps(_mm256_cvtepi32_ps(load8_centered(b, _mm256_set1_epi32(p.b_zero_point))),
                                             _mm256_set1_ps(p.b_scale));
  return o.rq(_mm256_add_ps(fa, fb));
}

// 32 per step, then 8 per step (short per-channel rows), the last < 8
// through a local buffer so nothing past n is touched.
template <bool B_SCALAR>
void Add(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p) {
  const OutVec o(p.out);
  const __m256 fb_const = _mm256_set1_ps(static_cast<float>(*b - p.b_zero_point) * p.b_scale);
  const size_t bstep = B_SCALAR ? 0 : 1;
  for (; n >= 32; n -= 32, a += 32, b += 32 * bstep, y += 32) {
    store32(y, Add8<B_SCALAR>(a, b, p, o, fb_const), Add8<B_SCALAR>(a + 8, b + 8 * bstep, p, o, fb_const),
            Add8<B_SCALAR>(a + 16, b + 16 * bstep, p, o, fb_const),
            Add8<B_SCALAR>(a + 24, b + 24 * bstep, p, o, fb_const));
  }
  for (; n >= 8; n -= 8, a += 8, b += 8 * bstep, y += 8) store8(y, Add8<B_SCALAR>(a, b, p, o, fb_const));
  if (n != 0) {
    int8_t ta[8] = {}, tb[8] = {}, ty[8];
    std::memcpy(ta, a, n);
    if (!B_SCALAR) std::memcpy(tb, b, n);
    store8(ty, Add8<B_SCALAR>(ta, tb, p, o, fb_const));
    std::memcpy(y, ty, n);
  }
}

}  // namespace

void qs8_vadd__avx2(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p) {
  if (n != 0) Add<false>(n, a, b, y, p);
}

void qs8_vaddc__avx2(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p) {
  if (n != 0) Add<true>(n, a, b, y, p);
}

}  // namespace qrun::kernels::x86

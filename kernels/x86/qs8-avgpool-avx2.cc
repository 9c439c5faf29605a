// int8 average pool over one window (and the global average pool, one
// window of H*W cells). Channels in blocks of 32 with int32 sums; the
// channel tail sums in scalar and goes through the same vector
// requantization. Sums are exact integers, so the visiting order does not
// matter: bit-exact with kernels::ref::average_pool_s8 given the same
// per-window scale (the dispatch computes scale / divisor like the reference).
#include "kernels/x86/qs8-avx2-common.h"

namespace qrun::kernels::x86 {

void qs8_avgpool__avx2(size_t channels, size_t rows, size_t cols, const int8_t* x,
                       size_t row_stride, int8_t* y, int32_t input_zero_point, float scale,
                       const Qs8OutParams& p) {
  const OutVec o(p);
  const __m256 s = _mm256_set1_ps(scale);
  // sum (x - zp) over the cells = sum x - cells * zp (exact in int32).
  const int32_t offset = -static_cast<int32_t>(rows * cols) * input_zero_point;
  const __m256i off = _mm256_set1_epi32(offset);
  const __m256i zero = _mm256_setzero_si256();
  size_t c = 0;
  for (; c + 32 <= channels; c += 32) {
    __m256i acc[4] = {off, off, off, off};
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* px = x + r * row_stride + c;
      for (size_t k = 0; k < cols; ++k, px += channels) {
        for (int j = 0; j < 4; ++j) acc[j] = _mm256_add_epi32(acc[j], load8_centered(px + 8 * j, zero));
      }
    }
    __m256i q[4];
    for (int j = 0; j < 4; ++j) q[j] = o.rq(_mm256_mul_ps(_mm256_cvtepi32_ps(acc[j]), s));
    store32(y + c, q[0], q[1], q[2], q[3]);
  }
  for (; c + 8 <= channels; c += 8) {
    __m256i acc = off;
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* px = x + r * row_stride + c;
      for (size_t k = 0; k < cols; ++k, px += channels) acc = _mm256_add_epi32(acc, load8_centered(px, zero));
    }
    store8(y + c, o.rq(_mm256_mul_ps(_mm256_cvtepi32_ps(acc), s)));
  }
  if (c < channels) {
    const size_t tail = channels - c;  // 1..7
    alignas(32) int32_t sums[8] = {};
    for (size_t t = 0; t < tail; ++t) sums[t] = offset;
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* px = x + r * row_stride + c;
      for (size_t k = 0; k < cols; ++k, px += channels) {
        for (size_t t = 0; t < tail; ++t) sums[t] += px[t];
      }
    }
    const __m256i acc = _mm256_load_si256(reinterpret_cast<const __m256i*>(sums));
    int8_t out8[8];
    store8(out8, o.rq(_mm256_mul_ps(_mm256_cvtepi32_ps(acc), s)));
    for (size_t t = 0; t < tail; ++t) y[c + t] = out8[t];
  }
}

}  // namespace qrun::kernels::x86

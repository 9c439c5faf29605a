// NCHW -> NHWC for a 3-channel int8 image (the model input after
// QUANTIZE): three planes interleaved 16 pixels per step with pshufb, each
// 16-byte output chunk gathered from the three planes. Pure data movement.
#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"

namespace qrun::kernels::x86 {

void x8_interleave3__avx2(size_t n, const int8_t* x, size_t plane_stride, int8_t* y) {
  // mask[o][c][i]: which byte of plane c lands at byte i of output chunk o
  // (0x80 = none): output byte g = 16 * o + i is pixel g / 3, channel g % 3.
  alignas(16) int8_t mask[3][3][16];
  for (int o = 0; o < 3; ++o)
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 16; ++i) {
        const int g = 16 * o + i;
        mask[o][c][i] = static_cast<int8_t>(g % 3 == c ? g / 3 : 0x80);
      }
  __m128i m[3][3];
  for (int o = 0; o < 3; ++o)
    for (int c = 0; c < 3; ++c) m[o][c] = _mm_load_si128(reinterpret_cast<const __m128i*>(mask[o][c]));
  const int8_t* r = x;
  const int8_t* g = x + plane_stride;
  const int8_t* b = x + 2 * plane_stride;
  size_t i = 0;
  for (; i + 16 <= n; i += 16, y += 48) {
    const __m128i vr = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + i));
    const __m128i vg = _mm_loadu_si128(reinterpret_cast<const __m128i*>(g + i));
    const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    for (int o = 0; o < 3; ++o) {
      const __m128i v = _mm_or_si128(
          _mm_or_si128(_mm_shuffle_epi8(vr, m[o][0]), _mm_shuffle_epi8(vg, m[o][1])),
          _mm_shuffle_epi8(vb, m[o][2]));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y + 16 * o), v);
    }
  }
  for (; i < n; ++i, y += 3) {
    y[0] = r[i];
    y[1] = g[i];
    y[2] = b[i];
  }
}

}  // namespace qrun::kernels::x86

// int8 max pool over one window, channels in blocks of 32 (then 16, then
// one at a time): running vpmaxsb from qmin, then the upper clamp. Max is
// exact, so any visiting order matches kernels::ref::max_pool_s8.
#include "kernels/x86/qs8-avx2-common.h"

namespace qrun::kernels::x86 {

void qs8_maxpool__avx2(size_t channels, size_t rows, size_t cols, const int8_t* x,
                       size_t row_stride, int8_t* y, int8_t qmin, int8_t qmax) {
  size_t c = 0;
  for (; c + 32 <= channels; c += 32) {
    __m256i m = _mm256_set1_epi8(qmin);
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* p = x + r * row_stride + c;
      for (size_t k = 0; k < cols; ++k, p += channels) {
        m = _mm256_max_epi8(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
      }
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + c), _mm256_min_epi8(m, _mm256_set1_epi8(qmax)));
  }
  for (; c + 16 <= channels; c += 16) {
    __m128i m = _mm_set1_epi8(qmin);
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* p = x + r * row_stride + c;
      for (size_t k = 0; k < cols; ++k, p += channels) {
        m = _mm_max_epi8(m, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
      }
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + c), _mm_min_epi8(m, _mm_set1_epi8(qmax)));
  }
  for (; c < channels; ++c) {
    int8_t m = qmin;
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* p = x + r * row_stride + c;
      for (size_t k = 0; k < cols; ++k, p += channels) m = *p > m ? *p : m;
    }
    y[c] = m < qmax ? m : qmax;
  }
}

}  // namespace qrun::kernels::x86

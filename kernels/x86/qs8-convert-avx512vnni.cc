// Input pass for the VNNI kernels: int8 -> uint8 as x ^ 0x80 (= x + 128).
#include <immintrin.h>

#include "kernels/x86/qs8-igemm.h"

namespace qrun::kernels::x86 {

void qs8_to_qu8__avx512vnni(size_t n, const int8_t* x, uint8_t* y) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (; n >= 64; n -= 64, x += 64, y += 64)
    _mm512_storeu_si512(y, _mm512_xor_si512(_mm512_loadu_si512(x), flip));
  if (n != 0) {
    const __mmask64 m = (static_cast<__mmask64>(1) << n) - 1;
    _mm512_mask_storeu_epi8(y, m, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, x), flip));
  }
}

}  // namespace qrun::kernels::x86

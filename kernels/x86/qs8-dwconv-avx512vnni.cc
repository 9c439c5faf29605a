// int8 depthwise convolution, AVX-512 VNNI, 32 channels per tile: the
// general fallback for any kernel up to kQs8DwMaxTaps taps
// (qs8-dwconv-avx512vnni-impl.h).
#include "kernels/x86/qs8-dwconv-avx512vnni-impl.h"

namespace qrun::kernels::x86 {

void qs8_dwconv_32c__avx512vnni(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                                size_t row_begin, size_t row_end) {
  dw_avx512vnni::Rows<0, 0>(d, input, output, row_begin, row_end);
}

}  // namespace qrun::kernels::x86

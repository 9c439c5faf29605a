// int8 depthwise convolution, AVX2, 16 channels per tile: the general
// fallback for any kernel size up to kQs8DwMaxTaps taps (tap loop not
// unrolled; same arithmetic as the 3x3/5x5 kernels, qs8-dwconv-avx2-impl.h).
#include "kernels/x86/qs8-dwconv-avx2-impl.h"

namespace qrun::kernels::x86 {

void qs8_dwconv_16c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end) {
  dw_avx2::Rows<0, 0>(d, input, output, row_begin, row_end);
}

}  // namespace qrun::kernels::x86

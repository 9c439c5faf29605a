// int8 depthwise 3x3 (any stride, dilation, padding), AVX2, 16 channels per
// tile: the 9 taps unrolled as 5 vpmaddwd pairs (qs8-dwconv-avx2-impl.h).
#include "kernels/x86/qs8-dwconv-avx2-impl.h"

namespace qrun::kernels::x86 {

void qs8_dwconv_3x3_16c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                              size_t row_begin, size_t row_end) {
  dw_avx2::Rows<3, 3>(d, input, output, row_begin, row_end);
}

}  // namespace qrun::kernels::x86

// int8 depthwise 5x5 (any stride, dilation, padding), AVX2, 16 channels per
// tile: the 25 taps unrolled as 13 vpmaddwd pairs (qs8-dwconv-avx2-impl.h).
#include "kernels/x86/qs8-dwconv-avx2-impl.h"

namespace qrun::kernels::x86 {

void qs8_dwconv_5x5_16c__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                              size_t row_begin, size_t row_end) {
  dw_avx2::Rows<5, 5>(d, input, output, row_begin, row_end);
}

}  // namespace qrun::kernels::x86

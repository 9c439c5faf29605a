// int8 depthwise 3x3 (any stride, dilation, padding), AVX-512 VNNI, 32
// channels per tile: the 9 taps unrolled as 5 vpdpwssd pairs
// (qs8-dwconv-avx512vnni-impl.h).
#include "kernels/x86/qs8-dwconv-avx512vnni-impl.h"

namespace qrun::kernels::x86 {

void qs8_dwconv_3x3_32c__avx512vnni(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                                    size_t row_begin, size_t row_end) {
  dw_avx512vnni::Rows<3, 3>(d, input, output, row_begin, row_end);
}

}  // namespace qrun::kernels::x86

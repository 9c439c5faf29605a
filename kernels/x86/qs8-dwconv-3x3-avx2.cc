// int8 depthwise 3x3, AVX2. stride_w 1/2 at dilation_w 1 with in_c >= 8: one
// pass per output row with a ring of accumulators, 16 channels per block
// (8 for in_c < 16; qs8-dwconv-ring-avx2-impl.h). Anything else (other
// strides, dilation, in_c < 8): the column-buffer kernel, 8 channels per block
// (qs8-dwconv-8c-avx2-impl.h).
#include "kernels/x86/qs8-dwconv-ring-avx2-impl.h"

namespace qrun::kernels::x86 {

void qs8_dwconv_3x3__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end) {
  const Conv2DGeometry& g = *d.g;
  if (!Qs8DwAvx2Ring(g)) {
    dw_avx2_8c::Rows<3, 3>(d, input, output, row_begin, row_end);
  } else if (g.in_c < 16) {
    if (g.stride_w == 1) {
      dw_avx2_ring::Ring<3, 3, 1, 8>::Rows(d, input, output, row_begin, row_end);
    } else {
      dw_avx2_ring::Ring<3, 3, 2, 8>::Rows(d, input, output, row_begin, row_end);
    }
  } else if (g.stride_w == 1) {
    dw_avx2_ring::Ring<3, 3, 1, 16>::Rows(d, input, output, row_begin, row_end);
  } else {
    dw_avx2_ring::Ring<3, 3, 2, 16>::Rows(d, input, output, row_begin, row_end);
  }
}

}  // namespace qrun::kernels::x86

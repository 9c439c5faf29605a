// int8 depthwise 5x5, AVX2. stride_w 1/2 at dilation_w 1 with in_c >= 8: one
// pass per output row with a ring of accumulators (qs8-dwconv-ring-avx2-impl.h),
// 8 channels per block at stride 1 (5 pixels in flight), 16 at stride 2 (3). Anything else (other strides,
// dilation, in_c < 8): the column-buffer kernel (qs8-dwconv-8c-avx2-impl.h).
#include "kernels/x86/qs8-dwconv-ring-avx2-impl.h"

namespace qrun::kernels::x86 {

void qs8_dwconv_5x5__avx2(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end) {
  const Conv2DGeometry& g = *d.g;
  if (!Qs8DwAvx2Ring(g)) {
    dw_avx2_8c::Rows<5, 5>(d, input, output, row_begin, row_end);
  } else if (g.stride_w == 1) {
    dw_avx2_ring::Ring<5, 5, 1, 8>::Rows(d, input, output, row_begin, row_end);
  } else if (g.in_c < 16) {
    dw_avx2_ring::Ring<5, 5, 2, 8>::Rows(d, input, output, row_begin, row_end);
  } else {
    dw_avx2_ring::Ring<5, 5, 2, 16>::Rows(d, input, output, row_begin, row_end);
  }
}

}  // namespace qrun::kernels::x86

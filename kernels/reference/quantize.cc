#include "kernels/reference/quantize.h"

#include "kernels/requantize.h"

namespace qrun::kernels::ref {

// quantize_value saturates +-inf to the range ends and maps NaN to the zero
// point (requantize_float), so every float input has a defined result.
void quantize_f32_s8(size_t n, const float* input, float scale, int32_t zero_point,
                     int8_t* output) {
  for (size_t i = 0; i < n; ++i) {
    output[i] = static_cast<int8_t>(quantize_value(input[i], scale, zero_point, -128, 127));
  }
}

void dequantize_s8_f32(size_t n, const int8_t* input, float scale, int32_t zero_point,
                       float* output) {
  for (size_t i = 0; i < n; ++i) output[i] = dequantize_value(input[i], scale, zero_point);
}

}  // namespace qrun::kernels::ref

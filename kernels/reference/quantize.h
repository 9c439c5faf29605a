// Reference Quantize (float32 -> int8, ONNX QuantizeLinear rounding) and
// Dequantize (int8 -> float32).
#pragma once

#include <cstddef>
#include <cstdint>

namespace qrun::kernels::ref {

void quantize_f32_s8(size_t n, const float* input, float scale, int32_t zero_point,
                     int8_t* output);
void dequantize_s8_f32(size_t n, const int8_t* input, float scale, int32_t zero_point,
                       float* output);

}  // namespace qrun::kernels::ref

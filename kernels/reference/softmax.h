// Reference Softmax over the last axis: rows of `depth` elements.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qrun::kernels::ref {

void softmax_f32(size_t rows, size_t depth, float beta, const float* input, float* output);

// Dequantize, softmax in float32 (max-subtracted), quantize with the output's
// parameters.
void softmax_s8(size_t rows, size_t depth, float beta, const int8_t* input, float input_scale,
                int32_t input_zero_point, float output_scale, int32_t output_zero_point,
                int8_t* output);

}  // namespace qrun::kernels::ref

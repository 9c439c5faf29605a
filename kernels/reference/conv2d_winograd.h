// Reference integer Winograd F(2x2, 3x3) convolution: the oracle for the
// optimized Winograd kernels, and itself tested bit-exact against the direct
// conv2d_s8 (the integer transforms are exact: kernels/winograd_f2x3.h).
#pragma once

#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::ref {

// True if the layer is a 3x3, stride 1, dilation 1, ungrouped convolution
// whose Winograd form is exact for every int8 input: per output channel
// 128 * sum|w| < 2^29 (so 4 * the accumulator fits int32).
bool winograd_f2x3_exact(const Conv2DGeometry& g, const int8_t* weights);

// Same arguments and result as conv2d_s8, computed per 2x2 output tile in the
// Winograd domain on the zero-point-padded input:
//   acc = A^T [U' .* V] A / 4 + bias - input_zero_point * sum(w)   (mod 2^32)
// Requires winograd_f2x3_exact(g, weights).
void conv2d_s8_winograd_f2x3(const Conv2DGeometry& g, const int8_t* input,
                             int32_t input_zero_point, const int8_t* weights,
                             const int32_t* bias, const float* requant_scale,
                             const QuantizedOutput& out, int8_t* output);

}  // namespace qrun::kernels::ref

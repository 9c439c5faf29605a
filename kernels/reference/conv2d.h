// Reference Conv2D (grouped, depthwise when groups == in_c), NHWC / OHWI.
#pragma once

#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::ref {

// int8 activations (asymmetric, input_zero_point), int8 weights (symmetric,
// zero point 0), int32 bias (may be null) with scale s_x * s_w[c].
// requant_scale[c] = s_x * s_w[c] / s_y (float32, in that order), per output
// channel. Out-of-image taps contribute nothing (they equal the zero point).
void conv2d_s8(const Conv2DGeometry& g, const int8_t* input, int32_t input_zero_point,
               const int8_t* weights, const int32_t* bias, const float* requant_scale,
               const QuantizedOutput& out, int8_t* output);

// Dynamically quantized layer: int8 input quantized at run time (scale
// input_scale, zero point input_zero_point), int8 weights with scale
// weight_scale[c], float32 bias (may be null), float32 output:
//   y = clamp((float)acc * (input_scale * weight_scale[c]) + bias[c], out_min, out_max)
// with acc the same int32 sum as conv2d_s8.
void conv2d_s8_f32(const Conv2DGeometry& g, const int8_t* input, float input_scale,
                   int32_t input_zero_point, const int8_t* weights, const float* weight_scale,
                   const float* bias, float out_min, float out_max, float* output);

// float32; bias may be null; output clamped to [out_min, out_max].
void conv2d_f32(const Conv2DGeometry& g, const float* input, const float* weights,
                const float* bias, float out_min, float out_max, float* output);

}  // namespace qrun::kernels::ref

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

// float32; bias may be null; output clamped to [out_min, out_max].
void conv2d_f32(const Conv2DGeometry& g, const float* input, const float* weights,
                const float* bias, float out_min, float out_max, float* output);

}  // namespace qrun::kernels::ref

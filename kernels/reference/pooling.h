// Reference pooling, NHWC. Output spatial size comes from the geometry;
// windows are clipped to the image (padding never wins a max).
#pragma once

#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::ref {

// int8 max pool: input and output share scale and zero point; the result is
// clamped to [out.qmin, out.qmax] (fused activation).
void max_pool_s8(const Pool2DGeometry& g, const int8_t* input, const QuantizedOutput& out,
                 int8_t* output);
void max_pool_f32(const Pool2DGeometry& g, const float* input, float out_min, float out_max,
                  float* output);

// int8 average pool: acc = sum of (x - input_zero_point) over the window's
// in-image cells; divisor = window cells inside the padded image
// (count_include_pad) or inside the image only. Result:
// requantize(acc, scale / divisor) where scale = input_scale / output_scale.
void average_pool_s8(const Pool2DGeometry& g, bool count_include_pad, const int8_t* input,
                     int32_t input_zero_point, float scale, const QuantizedOutput& out,
                     int8_t* output);
void average_pool_f32(const Pool2DGeometry& g, bool count_include_pad, const float* input,
                      float out_min, float out_max, float* output);

// Global average over H*W for each (batch, channel): input [batch][hw][channels],
// output [batch][channels]. Same arithmetic as average_pool_s8 with divisor hw.
void global_average_pool_s8(int batch, int hw, int channels, const int8_t* input,
                            int32_t input_zero_point, float scale, const QuantizedOutput& out,
                            int8_t* output);
void global_average_pool_f32(int batch, int hw, int channels, const float* input,
                             float out_min, float out_max, float* output);

}  // namespace qrun::kernels::ref

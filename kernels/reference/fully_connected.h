// Reference FullyConnected: output[b][o] = sum_i input[b][i] * weights[o][i] + bias[o].
#pragma once

#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::ref {

struct FullyConnectedGeometry {
  int batch = 1;
  int in_features = 0;
  int out_features = 0;
};

// Same quantization contract as conv2d_s8 (requant_scale per output feature).
void fully_connected_s8(const FullyConnectedGeometry& g, const int8_t* input,
                        int32_t input_zero_point, const int8_t* weights, const int32_t* bias,
                        const float* requant_scale, const QuantizedOutput& out, int8_t* output);

// Dynamically quantized layer, same contract as conv2d_s8_f32.
void fully_connected_s8_f32(const FullyConnectedGeometry& g, const int8_t* input,
                            float input_scale, int32_t input_zero_point, const int8_t* weights,
                            const float* weight_scale, const float* bias, float out_min,
                            float out_max, float* output);
void fully_connected_f32(const FullyConnectedGeometry& g, const float* input,
                         const float* weights, const float* bias, float out_min, float out_max,
                         float* output);

}  // namespace qrun::kernels::ref

// Reference FullyConnected. Same arithmetic contract as conv2d (see conv2d.cc):
//   int8:  acc = sum_i (x[i] - input_zero_point) * w[o][i] (int32), + bias[o],
//          y = requantize(acc, requant_scale[o], ...)
//   float: acc = sum_i x[i] * w[o][i] in ascending i (float32), + bias[o],
//          y = clamp(acc, out_min, out_max)
// input [batch][in_features], weights [out_features][in_features],
// output [batch][out_features].
#include "kernels/reference/fully_connected.h"

#include "kernels/requantize.h"

namespace qrun::kernels::ref {
namespace {

int32_t dot_s8(int in_features, const int8_t* x, int32_t x_zero_point, const int8_t* w) {
  int32_t acc = 0;
  for (int i = 0; i < in_features; ++i)
    acc += (static_cast<int32_t>(x[i]) - x_zero_point) * static_cast<int32_t>(w[i]);
  return acc;
}

float dot_f32(int in_features, const float* x, const float* w) {
  float acc = 0.0f;
  for (int i = 0; i < in_features; ++i) acc += x[i] * w[i];
  return acc;
}

}  // namespace

void fully_connected_s8(const FullyConnectedGeometry& g, const int8_t* input,
                        int32_t input_zero_point, const int8_t* weights, const int32_t* bias,
                        const float* requant_scale, const QuantizedOutput& out, int8_t* output) {
  for (int b = 0; b < g.batch; ++b) {
    const int8_t* x = input + static_cast<int64_t>(b) * g.in_features;
    int8_t* y = output + static_cast<int64_t>(b) * g.out_features;
    for (int o = 0; o < g.out_features; ++o) {
      int32_t acc = dot_s8(g.in_features, x, input_zero_point,
                           weights + static_cast<int64_t>(o) * g.in_features);
      if (bias != nullptr) acc += bias[o];
      y[o] = static_cast<int8_t>(
          requantize(acc, requant_scale[o], out.zero_point, out.qmin, out.qmax));
    }
  }
}

void fully_connected_s8_f32(const FullyConnectedGeometry& g, const int8_t* input,
                            float input_scale, int32_t input_zero_point, const int8_t* weights,
                            const float* weight_scale, const float* bias, float out_min,
                            float out_max, float* output) {
  for (int b = 0; b < g.batch; ++b) {
    const int8_t* x = input + static_cast<int64_t>(b) * g.in_features;
    float* y = output + static_cast<int64_t>(b) * g.out_features;
    for (int o = 0; o < g.out_features; ++o) {
      const int32_t acc = dot_s8(g.in_features, x, input_zero_point,
                                 weights + static_cast<int64_t>(o) * g.in_features);
      float v = static_cast<float>(acc) * (input_scale * weight_scale[o]);
      if (bias != nullptr) v += bias[o];
      y[o] = v < out_min ? out_min : (v > out_max ? out_max : v);
    }
  }
}

void fully_connected_f32(const FullyConnectedGeometry& g, const float* input,
                         const float* weights, const float* bias, float out_min, float out_max,
                         float* output) {
  for (int b = 0; b < g.batch; ++b) {
    const float* x = input + static_cast<int64_t>(b) * g.in_features;
    float* y = output + static_cast<int64_t>(b) * g.out_features;
    for (int o = 0; o < g.out_features; ++o) {
      float acc = dot_f32(g.in_features, x, weights + static_cast<int64_t>(o) * g.in_features);
      if (bias != nullptr) acc += bias[o];
      y[o] = acc < out_min ? out_min : (acc > out_max ? out_max : acc);
    }
  }
}

}  // namespace qrun::kernels::ref

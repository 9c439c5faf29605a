// Reference element-wise activations. int8: a 256-entry table built once at
// prepare from the float function; float32: computed directly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qrun::kernels::ref {

enum class UnaryKind { kRelu, kRelu6, kHardSwish, kHardSigmoid, kSigmoid, kTanh, kLeakyRelu, kClamp };

struct UnaryParams {
  UnaryKind kind = UnaryKind::kRelu;
  float alpha = 0.2f;  // HardSigmoid slope, LeakyRelu slope
  float beta = 0.5f;   // HardSigmoid offset
  float min = 0.0f;    // Clamp
  float max = 0.0f;
};

// The float function all paths share (float32 math).
float unary_value(const UnaryParams& p, float x);

void unary_f32(const UnaryParams& p, size_t n, const float* input, float* output);

// table[q + 128] = quantize(f(dequantize(q))), with the output clamp applied.
void build_unary_table_s8(const UnaryParams& p, float input_scale, int32_t input_zero_point,
                          float output_scale, int32_t output_zero_point, int32_t qmin,
                          int32_t qmax, int8_t table[256]);

void lookup_s8(size_t n, const int8_t* input, const int8_t table[256], int8_t* output);

}  // namespace qrun::kernels::ref

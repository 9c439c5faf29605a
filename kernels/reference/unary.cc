#include "kernels/reference/unary.h"

#include <cmath>

#include "kernels/requantize.h"

namespace qrun::kernels::ref {
namespace {

// Comparisons written so that NaN passes through.
inline float clamp_f32(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }
inline float relu6(float x) { return clamp_f32(x, 0.0f, 6.0f); }

}  // namespace

float unary_value(const UnaryParams& p, float x) {
  switch (p.kind) {
    case UnaryKind::kRelu:
      return x < 0.0f ? 0.0f : x;
    case UnaryKind::kRelu6:
      return relu6(x);
    case UnaryKind::kHardSwish:
      return x * relu6(x + 3.0f) / 6.0f;  // (x * relu6) / 6, left to right
    case UnaryKind::kHardSigmoid:
      return clamp_f32(p.alpha * x + p.beta, 0.0f, 1.0f);
    case UnaryKind::kSigmoid:
      return 1.0f / (1.0f + std::exp(-x));  // exp overflow -> inf -> 0, no NaN
    case UnaryKind::kTanh:
      return std::tanh(x);
    case UnaryKind::kLeakyRelu:
      return x < 0.0f ? p.alpha * x : x;
    case UnaryKind::kClamp:
      return clamp_f32(x, p.min, p.max);
  }
  return x;  // unreachable for a valid kind
}

void unary_f32(const UnaryParams& p, size_t n, const float* input, float* output) {
  for (size_t i = 0; i < n; ++i) output[i] = unary_value(p, input[i]);
}

void build_unary_table_s8(const UnaryParams& p, float input_scale, int32_t input_zero_point,
                          float output_scale, int32_t output_zero_point, int32_t qmin, int32_t qmax,
                          int8_t table[256]) {
  for (int32_t q = -128; q <= 127; ++q) {
    const float x = dequantize_value(q, input_scale, input_zero_point);
    const float y = unary_value(p, x);
    table[q + 128] =
        static_cast<int8_t>(quantize_value(y, output_scale, output_zero_point, qmin, qmax));
  }
}

void lookup_s8(size_t n, const int8_t* input, const int8_t table[256], int8_t* output) {
  for (size_t i = 0; i < n; ++i) output[i] = table[input[i] + 128];
}

}  // namespace qrun::kernels::ref

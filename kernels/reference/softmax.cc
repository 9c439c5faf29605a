#include "kernels/reference/softmax.h"

#include <cmath>

#include "kernels/requantize.h"

namespace qrun::kernels::ref {
namespace {

// Subtracting the row max keeps every exponent <= 0 (for beta > 0), so exp
// cannot overflow and the largest term is exactly 1.
inline float exp_term(float x, float row_max, float beta) { return std::exp(beta * (x - row_max)); }

}  // namespace

void softmax_f32(size_t rows, size_t depth, float beta, const float* input, float* output) {
  if (depth == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    const float* x = input + r * depth;
    float* y = output + r * depth;
    float row_max = x[0];
    for (size_t i = 1; i < depth; ++i) row_max = x[i] > row_max ? x[i] : row_max;
    float sum = 0.0f;
    for (size_t i = 0; i < depth; ++i) {
      y[i] = exp_term(x[i], row_max, beta);  // in-place safe: x[i] is not read again
      sum += y[i];
    }
    for (size_t i = 0; i < depth; ++i) y[i] = y[i] / sum;
  }
}

void softmax_s8(size_t rows, size_t depth, float beta, const int8_t* input, float input_scale,
                int32_t input_zero_point, float output_scale, int32_t output_zero_point,
                int8_t* output) {
  if (depth == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    const int8_t* q = input + r * depth;
    int8_t* y = output + r * depth;
    // Dequantization is monotonic, so the max of the dequantized row is the
    // dequantized max: the same float softmax_f32 would find.
    int32_t q_max = q[0];
    for (size_t i = 1; i < depth; ++i) q_max = q[i] > q_max ? q[i] : q_max;
    const float row_max = dequantize_value(q_max, input_scale, input_zero_point);
    // No scratch buffer: the exps are computed twice, bit-identically.
    float sum = 0.0f;
    for (size_t i = 0; i < depth; ++i) {
      sum += exp_term(dequantize_value(q[i], input_scale, input_zero_point), row_max, beta);
    }
    for (size_t i = 0; i < depth; ++i) {
      const float e =
          exp_term(dequantize_value(q[i], input_scale, input_zero_point), row_max, beta);
      y[i] =
          static_cast<int8_t>(quantize_value(e / sum, output_scale, output_zero_point, -128, 127));
    }
  }
}

}  // namespace qrun::kernels::ref

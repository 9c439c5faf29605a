// Run-time (dynamic) quantization of a float32 activation, for layers
// converted with qconvert --dynamic: the parameters come from the values of
// each run instead of from calibration.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qrun::kernels::ref {

struct DynamicQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Asymmetric int8 parameters covering [min(x, 0), max(x, 0)] (so real 0 is
// exact), the same rule qconvert uses for calibrated ranges:
//   scale = (hi - lo) / 255, zero_point = round(-128 - lo / scale).
// Non-finite values are ignored for the range (they saturate when
// quantized); an all-zero input gives scale 1.
DynamicQuant choose_dynamic_quant(size_t n, const float* x);

}  // namespace qrun::kernels::ref

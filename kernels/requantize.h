// The one rounding contract shared by every int8 kernel (docs/quantization.md).
//
// acc (int32) -> float32 multiply by a float32 scale -> clamp to
// [qmin - zp, qmax - zp] -> round half to even -> + zp.
// This file must be compiled without FP contraction (-ffp-contract=off) so no
// FMA sneaks into the multiply; the build sets that for every target.
#pragma once

#include <cmath>
#include <cstdint>

namespace qrun::kernels {

// Round half to even, independent of the current rounding mode.
// qrun never changes the FP environment, so nearbyint rounds to nearest even.
inline float round_half_even(float f) { return std::nearbyint(f); }

// Same contract for a value already in float (e.g. a table entry or an
// element-wise result): clamp, round half to even, add the zero point.
inline int32_t requantize_float(float f, int32_t zero_point, int32_t qmin, int32_t qmax) {
  if (std::isnan(f)) f = 0.0f;  // deterministic, never UB in the int conversion
  const float lo = static_cast<float>(qmin - zero_point);
  const float hi = static_cast<float>(qmax - zero_point);
  f = f < lo ? lo : (f > hi ? hi : f);
  return static_cast<int32_t>(round_half_even(f)) + zero_point;
}

inline int32_t requantize(int32_t acc, float scale, int32_t zero_point, int32_t qmin,
                          int32_t qmax) {
  return requantize_float(static_cast<float>(acc) * scale, zero_point, qmin, qmax);
}

// ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zero_point).
inline int32_t quantize_value(float x, float scale, int32_t zero_point, int32_t qmin,
                              int32_t qmax) {
  return requantize_float(x / scale, zero_point, qmin, qmax);
}

inline float dequantize_value(int32_t q, float scale, int32_t zero_point) {
  return static_cast<float>(q - zero_point) * scale;
}

}  // namespace qrun::kernels

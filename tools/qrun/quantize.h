// Conversions between real (float32) values and a tensor's stored values.
#pragma once

#include <cstddef>
#include <vector>

#include "qrun/qrun.h"

namespace qrun_cli {

// Writes `count` real values into `dst` in t's dtype. Quantized dtypes follow
// ONNX QuantizeLinear: saturate(round_half_to_even(x / scale) + zero_point);
// NaN becomes the zero point. t must be float32, int8 or uint8.
void QuantizeInto(const float* src, size_t count, const qrun_tensor& t, void* dst);

// Every element of `data` (laid out as t) as a real value.
std::vector<float> Dequantize(const qrun_tensor& t, const void* data);

// Fills `dst` with the stored value of real 0 (the zero point).
void FillZero(const qrun_tensor& t, void* dst);

}  // namespace qrun_cli

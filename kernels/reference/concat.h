// Reference Concat along one axis. Shapes are folded to [outer][axis * inner].
#pragma once

#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::ref {

struct ConcatInput {
  const void* data = nullptr;
  int64_t axis_inner = 0;  // input's size along the axis times the inner size
  // int8 only: requantization into the output's parameters.
  int32_t zero_point = 0;
  float scale = 1.0f;          // s_in / s_out
  bool same_quantization = true;  // copy bytes as they are
};

// Output row o is input 0's row o, then input 1's row o, ...; its length is the
// sum of axis_inner. Input k's row o starts at element o * axis_inner.
// int8, per input: same_quantization -> the bytes are copied unchanged (no
// clamp, so the runtime sets it only when s_in == s_out and zp_in == zp_out);
// otherwise
//   y = requantize_float((float)(q - zero_point) * scale, out.zero_point,
//                        out.qmin, out.qmax).
// float32 ignores the quantization fields and copies.
void concat_s8(int64_t outer, const ConcatInput* inputs, int num_inputs,
               const QuantizedOutput& out, int8_t* output);
void concat_f32(int64_t outer, const ConcatInput* inputs, int num_inputs, float* output);

}  // namespace qrun::kernels::ref

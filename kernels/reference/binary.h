// Reference element-wise Add and Mul with numpy broadcasting.
#pragma once

#include <cstdint>

#include "kernels/geometry.h"

namespace qrun::kernels::ref {

// a_scale = s_a / s_y, b_scale = s_b / s_y (float32):
//   f = (float)(a - za) * a_scale + (float)(b - zb) * b_scale  (no FMA)
//   y = requantize_float(f, zy, qmin, qmax)
void add_s8(const BroadcastGeometry& g, const int8_t* a, int32_t a_zero_point, float a_scale,
            const int8_t* b, int32_t b_zero_point, float b_scale, const QuantizedOutput& out,
            int8_t* output);

// scale = s_a * s_b / s_y (float32, in that order):
//   y = requantize((a - za) * (b - zb), scale, zy, qmin, qmax)
void mul_s8(const BroadcastGeometry& g, const int8_t* a, int32_t a_zero_point, const int8_t* b,
            int32_t b_zero_point, float scale, const QuantizedOutput& out, int8_t* output);

// float32; the result is clamped to [out_min, out_max] (NaN passes through).
void add_f32(const BroadcastGeometry& g, const float* a, const float* b, float out_min,
             float out_max, float* output);
void mul_f32(const BroadcastGeometry& g, const float* a, const float* b, float out_min,
             float out_max, float* output);

// Numpy broadcasting of a (a_rank dims) against b (b_rank dims), shapes
// right-aligned; each pair of dims must be equal or one of them 1. Fills g with
// rank = max(a_rank, b_rank), out_dims = the broadcast output shape and
// row-major element strides of each input (0 where that input's dim is 1).
// A rank-0 input is a scalar. Returns false, leaving g untouched, if the shapes
// are incompatible, a dim is negative or a rank exceeds kMaxRank.
bool make_broadcast_geometry(const int64_t* a_dims, int a_rank, const int64_t* b_dims,
                             int b_rank, BroadcastGeometry* g);

}  // namespace qrun::kernels::ref

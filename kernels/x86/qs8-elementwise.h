// x86 microkernels for the non-GEMM int8 ops (declarations): element-wise
// Add / Mul, 256-entry table lookup, float <-> int8 conversion, pooling and an
// NCHW -> NHWC plane interleave. Each one is bit-exact with its reference in
// kernels/reference (same float32 operations in the same order, clamp before
// cvtps2dq, which rounds half to even); kernels/dispatch picks and drives them.
//
// Kernels read and write exactly n elements (tails go through a small local
// buffer), so callers need no slack after their arrays.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/elementwise_params.h"

namespace qrun::kernels::x86 {

using kernels::Qs8AddParams;
using kernels::Qs8MulParams;
using kernels::Qs8OutParams;

// kernels/x86/qs8-vadd-avx2.cc: a and b both n long, or (vaddc) b one value.
void qs8_vadd__avx2(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p);
void qs8_vaddc__avx2(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p);
// kernels/x86/qs8-vmul-avx2.cc
void qs8_vmul__avx2(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p);
void qs8_vmulc__avx2(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p);

// kernels/x86/x8-lut-avx2.cc: y[i] = table[x[i] + 128], given the table in
// the prefix-XOR form built by x8_lut_diff_table (kernels/dispatch).
void x8_lut__avx2(size_t n, const int8_t* x, int8_t* y, const uint8_t diff_table[256]);

// kernels/x86/f32-qs8-convert-avx2.cc: ONNX QuantizeLinear,
// y = rq(x / scale) with NaN -> 0 before the clamp (kernels/requantize.h).
void f32_qs8_convert__avx2(size_t n, const float* x, int8_t* y, float scale, const Qs8OutParams& p);
// kernels/x86/qs8-f32-convert-avx2.cc: y = float(x - zero_point) * scale.
void qs8_f32_convert__avx2(size_t n, const int8_t* x, float* y, int32_t zero_point, float scale);

// Pooling over one window of rows x cols cells of `channels` int8 values:
// cell (r, c) starts at x + r * row_stride + c * channels.
// kernels/x86/qs8-maxpool-avx2.cc: y = min(max(qmin, max over cells), qmax).
void qs8_maxpool__avx2(size_t channels, size_t rows, size_t cols, const int8_t* x,
                       size_t row_stride, int8_t* y, int8_t qmin, int8_t qmax);
// kernels/x86/qs8-avgpool-avx2.cc: acc = sum over cells of x - cells * zp_in
// (= the sum of x - zp_in), y = rq(float(acc) * scale). Also the global
// average pool (rows = 1, cols = H*W).
void qs8_avgpool__avx2(size_t channels, size_t rows, size_t cols, const int8_t* x,
                       size_t row_stride, int8_t* y, int32_t input_zero_point, float scale,
                       const Qs8OutParams& p);

// kernels/x86/x8-transpose-avx2.cc: y[i * 3 + c] = x[c * plane_stride + i]
// for i < n, c < 3 (an NCHW -> NHWC image with 3 channels).
void x8_interleave3__avx2(size_t n, const int8_t* x, size_t plane_stride, int8_t* y);

}  // namespace qrun::kernels::x86

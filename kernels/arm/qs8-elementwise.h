// ARM NEON microkernels for the non-GEMM int8 ops (declarations; no
// <arm_neon.h> here: the drivers are compiled without NEON on armhf).
// Same contracts as the x86 ones (kernels/x86/qs8-elementwise.h): bit-exact
// with kernels/reference (the same float32 operations in the same order,
// clamp, round half to even), exactly n elements read and written.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/elementwise_params.h"

namespace qrun::kernels::arm {

// kernels/arm/qs8-vadd-neon.cc: a and b both n long, or (vaddc) b one value.
void qs8_vadd__neon(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p);
void qs8_vaddc__neon(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8AddParams& p);
// kernels/arm/qs8-vmul-neon.cc
void qs8_vmul__neon(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p);
void qs8_vmulc__neon(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const Qs8MulParams& p);

// kernels/arm/x8-lut-neon.cc: y[i] = table[x[i] + 128] (AArch64 TBL,
// ARMv7 VTBL/VTBX).
void x8_lut__neon(size_t n, const int8_t* x, int8_t* y, const uint8_t table[256]);

// kernels/arm/f32-qs8-convert-neon.cc: ONNX QuantizeLinear,
// y = rq(x / scale) with NaN -> 0 before the clamp (kernels/requantize.h).
void f32_qs8_convert__neon(size_t n, const float* x, int8_t* y, float scale, const Qs8OutParams& p);
// kernels/arm/qs8-f32-convert-neon.cc: y = float(x - zero_point) * scale.
// ARMv7: only for a scale that is 0, normal or infinite (NEON flushes
// denormals and has no NaN payloads).
void qs8_f32_convert__neon(size_t n, const int8_t* x, float* y, int32_t zero_point, float scale);

// kernels/arm/x8-transpose-neon.cc: y[i * 3 + c] = x[c * plane_stride + i]
// for i < n, c < 3 (an NCHW -> NHWC image with 3 channels).
void x8_interleave3__neon(size_t n, const int8_t* x, size_t plane_stride, int8_t* y);
// y[j * m + i] = x[i * n + j] for i < m, j0 <= j < j1 (columns [j0, j1) of
// an m x n byte matrix, transposed).
void x8_transpose__neon(size_t m, size_t n, size_t j0, size_t j1, const uint8_t* x, uint8_t* y);

// kernels/arm/qs8-pool-neon.cc, one window of rows x cols cells of
// `channels` values, cell (r, c) at x + r * row_stride + c * channels.
// Max: y = min(max(qmin, max over cells), qmax). Average: acc = sum over
// cells of x - cells * zp_in, y = rq(float(acc) * scale); also the global
// average pool (rows = 1, cols = H*W).
void qs8_maxpool__neon(size_t channels, size_t rows, size_t cols, const int8_t* x,
                       size_t row_stride, int8_t* y, int8_t qmin, int8_t qmax);
void qs8_avgpool__neon(size_t channels, size_t rows, size_t cols, const int8_t* x,
                       size_t row_stride, int8_t* y, int32_t input_zero_point, float scale,
                       const Qs8OutParams& p);

}  // namespace qrun::kernels::arm

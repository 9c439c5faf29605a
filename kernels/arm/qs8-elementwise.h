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

// kernels/arm/x8-lut-neon.cc (AArch64 only): y[i] = table[x[i] + 128].
#if defined(__aarch64__)
void x8_lut__neon(size_t n, const int8_t* x, int8_t* y, const uint8_t table[256]);
#endif

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

// x86 int8 GEMM / indirect-GEMM microkernels (declarations).
//
// One call computes an mr x nc block (mr <= MR, nc <= NR) of
//   C[m][n] = requantize(packed_bias[n] + sum_{t<ks} sum_{k<kc} A[t][m][k] * W[t][k][n])
// where A[t][m] = a[t * MR + m] + a_offset (an indirection buffer: one
// pointer per tap and tile row; rows past mr may repeat any valid pointer,
// their results are not stored). W is one NR-column tile packed by
// kernels/packing.h: int32 bias[NR] | float scale[NR] | taps of weights.
//
// Operand encodings (prepared by the driver's input pass, kernels/dispatch):
//   *-avx512vnni, *-avxvnni:
//                 A is uint8 = int8 ^ 0x80 (vpdpbusd is u8 x s8); weights
//                 int8 in c4 blocks; the 128 * sum(w) term is in the bias.
//   *-avx2:       A is int16 (sign-extended int8), weights int16 in c2
//                 blocks (c2w8: int8, widened in the kernel), products
//                 with vpmaddwd: exact, no saturation.
// Rows are read in whole blocks (4 bytes / 2 int16) past kc: buffers carry
// at least 4 bytes of slack and the padded weights are zero there.
//
// Requantization is kernels/requantize.h, vectorised: float(acc) * scale,
// clamp to [out_lo, out_hi], cvtps2dq (round half to even), + zero point.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qrun::kernels::x86 {

struct Qs8Requant {
  float out_lo;  // qmin - zero_point
  float out_hi;  // qmax - zero_point
  int32_t zero_point;
};

using Qs8IgemmUkernel = void (*)(size_t mr, size_t nc, size_t kc, size_t ks,
                                 const void* const* a, size_t a_offset, const void* w,
                                 int8_t* c, size_t c_stride, const Qs8Requant& p);

// kernels/x86/qs8-igemm-avx512vnni.cc (tiles MRxNRc4)
void qs8_igemm_1x64c4__avx512vnni(size_t, size_t, size_t, size_t, const void* const*, size_t,
                                  const void*, int8_t*, size_t, const Qs8Requant&);
void qs8_igemm_4x32c4__avx512vnni(size_t, size_t, size_t, size_t, const void* const*, size_t,
                                  const void*, int8_t*, size_t, const Qs8Requant&);
void qs8_igemm_8x16c4__avx512vnni(size_t, size_t, size_t, size_t, const void* const*, size_t,
                                  const void*, int8_t*, size_t, const Qs8Requant&);

// kernels/x86/qs8-igemm-avxvnni.cc (VEX 256-bit vpdpbusd). 6x16c4: 12 ymm accumulators, a last tile with
// nc <= 8 runs half width; 1x32c4: one row (mr == 1), batch-1 FC.
void qs8_igemm_6x16c4__avxvnni(size_t, size_t, size_t, size_t, const void* const*, size_t,
                               const void*, int8_t*, size_t, const Qs8Requant&);
void qs8_gemv_1x32c4__avxvnni(size_t, size_t, size_t, size_t, const void* const*, size_t,
                              const void*, int8_t*, size_t, const Qs8Requant&);

// kernels/x86/qs8-igemm-avx2.cc (tiles MRxNRc2, int16 operands)
void qs8_igemm_6x16c2__avx2(size_t, size_t, size_t, size_t, const void* const*, size_t,
                            const void*, int8_t*, size_t, const Qs8Requant&);
// Same tile, int8 weights (c2 blocks, elem_bytes 1) widened in the kernel:
// half the weight bytes (the driver uses it for layers with few rows).
void qs8_igemm_6x16c2w8__avx2(size_t, size_t, size_t, size_t, const void* const*, size_t,
                              const void*, int8_t*, size_t, const Qs8Requant&);

// kernels/x86/qs8-gemv-avx2.cc: one row (mr == 1), int16 activations but
// int8 weights (c2 blocks, elem_bytes 1), widened in the kernel: halves the
// weight bytes a memory-bound GEMV reads.
void qs8_gemv_1x32c2__avx2(size_t, size_t, size_t, size_t, const void* const*, size_t,
                           const void*, int8_t*, size_t, const Qs8Requant&);

// Input passes (kernels/x86/qs8-convert-*.cc): n int8 -> uint8 (x ^ 0x80;
// the AVX2 build serves the AVX-VNNI level), and n int8 -> int16.
void qs8_to_qu8__avx512vnni(size_t n, const int8_t* x, uint8_t* y);
void qs8_to_qu8__avx2(size_t n, const int8_t* x, uint8_t* y);
void qs8_to_s16__avx2(size_t n, const int8_t* x, int16_t* y);

}  // namespace qrun::kernels::x86

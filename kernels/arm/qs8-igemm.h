// ARM int8 GEMM / indirect-GEMM microkernels (declarations; no <arm_neon.h>
// here: the driver that includes this is compiled without NEON on armhf).
//
// Same contract as kernels/x86/qs8-igemm.h: one call computes an mr x nc
// block (mr <= MR, nc <= NR) of
//   C[m][n] = requantize(packed_bias[n] + sum_{t<ks} sum_{k<kc} A[t][m][k] * W[t][k][n])
// with A[t][m] = a[t * MR + m] + a_offset (indirection buffer; rows past mr
// may repeat any valid pointer, their results are not stored) and W one
// NR-column tile packed by kernels/packing.h (x_offset 0).
//
// A is the raw int8 input (no input pass): the kernels never read a row past
// kc (the K tail is copied into a zeroed register), so they can read the
// op's input tensor in place, up to its very last byte.
//
//   *c16__neon (SMULL/SMLAL + SADALP): weights in c16 blocks ([NR][16] per
//     16 input channels). The "mlal" variant adds two int8 x int8 products
//     in int16 before SADALP widens them: exact only when no weight is -128
//     (|a*w| <= 128*127, the pair fits int16); the driver checks the weights
//     at prepare and otherwise picks the "smull" variant (SADALP after each
//     SMULL), which is exact for any input, same packing.
//   *c4__neondot (SDOT, AArch64 + dotprod): weights in c4 blocks ([NR][4]).
//   *c8__neoni8mm (SMMLA, AArch64 + i8mm): weights in c8 blocks ([NR][8]),
//     one q register = 2 channels x 8 k, SMMLA's 8x2 operand; MR even.
//
// Requantization (kernels/requantize.h): float(acc) * scale (no FMA),
// clamp to [out_lo, out_hi], round half to even (vcvtnq on AArch64; on
// ARMv7 the 1.5 * 2^23 magic-number add, exact for the clamped range), + zp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qrun::kernels::arm {

struct Qs8Requant {
  float out_lo;  // qmin - zero_point
  float out_hi;  // qmax - zero_point
  int32_t zero_point;
};

using Qs8IgemmUkernel = void (*)(size_t mr, size_t nc, size_t kc, size_t ks,
                                 const void* const* a, size_t a_offset, const void* w,
                                 int8_t* c, size_t c_stride, const Qs8Requant& p);

#define QRUN_ARM_IGEMM_DECL(name)                                                              \
  void name(size_t mr, size_t nc, size_t kc, size_t ks, const void* const* a, size_t a_offset, \
            const void* w, int8_t* c, size_t c_stride, const Qs8Requant& p)

// kernels/arm/qs8-igemm-neon.cc (AArch64 and ARMv7 NEON; NR 8 on AArch64,
// 4 on ARMv7, which has half the vector registers).
QRUN_ARM_IGEMM_DECL(qs8_igemm_1x8c16__neon_mlal);
QRUN_ARM_IGEMM_DECL(qs8_igemm_2x8c16__neon_mlal);
QRUN_ARM_IGEMM_DECL(qs8_igemm_1x8c16__neon_smull);
QRUN_ARM_IGEMM_DECL(qs8_igemm_2x8c16__neon_smull);
QRUN_ARM_IGEMM_DECL(qs8_igemm_1x4c16__neon_mlal);
QRUN_ARM_IGEMM_DECL(qs8_igemm_2x4c16__neon_mlal);
QRUN_ARM_IGEMM_DECL(qs8_igemm_1x4c16__neon_smull);
QRUN_ARM_IGEMM_DECL(qs8_igemm_2x4c16__neon_smull);

// kernels/arm/qs8-igemm-dotprod.cc (AArch64 only).
QRUN_ARM_IGEMM_DECL(qs8_igemm_1x16c4__neondot);
QRUN_ARM_IGEMM_DECL(qs8_igemm_4x16c4__neondot);

// kernels/arm/qs8-igemm-i8mm.cc (AArch64 only; batch 1 uses 1x16c4__neondot).
QRUN_ARM_IGEMM_DECL(qs8_igemm_2x16c8__neoni8mm);
QRUN_ARM_IGEMM_DECL(qs8_igemm_4x16c8__neoni8mm);

#undef QRUN_ARM_IGEMM_DECL

}  // namespace qrun::kernels::arm

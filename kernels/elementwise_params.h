// Parameters of the element-wise and pooling microkernels, shared by every
// architecture's kernels (kernels/x86/qs8-elementwise.h,
// kernels/arm/qs8-elementwise.h) and the drivers in kernels/dispatch/.
#pragma once

#include <cstdint>

namespace qrun::kernels {

// Output side of every requantization: clamp to [out_lo, out_hi]
// (= [qmin - zp, qmax - zp]), round half to even, + zero_point.
struct Qs8OutParams {
  float out_lo;
  float out_hi;
  int32_t zero_point;
};

// ADD: y = rq(float(a - a_zp) * a_scale + float(b - b_zp) * b_scale).
struct Qs8AddParams {
  int32_t a_zero_point, b_zero_point;
  float a_scale, b_scale;
  Qs8OutParams out;
};

// MUL: y = rq(float((a - a_zp) * (b - b_zp)) * scale).
struct Qs8MulParams {
  int32_t a_zero_point, b_zero_point;
  float scale;
  Qs8OutParams out;
};

}  // namespace qrun::kernels

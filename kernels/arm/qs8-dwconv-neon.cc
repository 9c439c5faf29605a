// int8 depthwise convolution, NEON (AArch64 and ARMv7): 32 (AArch64) then
// 16 channels per step, tap pointers per output pixel. Contract:
// kernels/arm/qs8-dwconv.h.
#include <arm_neon.h>

#include <algorithm>

#include "kernels/arm/qs8-dwconv.h"
#include "kernels/arm/qs8-requant-neon.h"

namespace qrun::kernels::arm {
namespace {

struct Acc16 {
  int32x4_t a0, a1, a2, a3;
};

inline __attribute__((always_inline)) void AddProducts(Acc16& acc, int16x8_t lo, int16x8_t hi) {
  acc.a0 = vaddw_s16(acc.a0, vget_low_s16(lo));
  acc.a1 = vaddw_s16(acc.a1, vget_high_s16(lo));
  acc.a2 = vaddw_s16(acc.a2, vget_low_s16(hi));
  acc.a3 = vaddw_s16(acc.a3, vget_high_s16(hi));
}

// Accumulates taps [0, taps) of 16 channels at offset c: x[t] + c (16
// readable bytes each) times w + t * c16 + c.
inline __attribute__((always_inline)) void Taps16(Acc16& acc, const int8_t* const* x, size_t c,
                                                  const int8_t* w, size_t c16, size_t taps,
                                                  bool pair) {
  size_t t = 0;
  if (pair) {
    for (; t + 2 <= taps; t += 2) {
      const int8x16_t x0 = vld1q_s8(x[t] + c), x1 = vld1q_s8(x[t + 1] + c);
      const int8x16_t w0 = vld1q_s8(w + t * c16 + c), w1 = vld1q_s8(w + (t + 1) * c16 + c);
      int16x8_t lo = vmull_s8(vget_low_s8(x0), vget_low_s8(w0));
      int16x8_t hi = vmull_s8(vget_high_s8(x0), vget_high_s8(w0));
      lo = vmlal_s8(lo, vget_low_s8(x1), vget_low_s8(w1));
      hi = vmlal_s8(hi, vget_high_s8(x1), vget_high_s8(w1));
      AddProducts(acc, lo, hi);
    }
  }
  for (; t < taps; ++t) {
    const int8x16_t x0 = vld1q_s8(x[t] + c);
    const int8x16_t w0 = vld1q_s8(w + t * c16 + c);
    AddProducts(acc, vmull_s8(vget_low_s8(x0), vget_low_s8(w0)),
                vmull_s8(vget_high_s8(x0), vget_high_s8(w0)));
  }
}

#if defined(__aarch64__)
// 32 channels per step (AArch64: 32 vector registers): one pointer load and
// two 32-byte loads per tap feed 32 MACs, half the loads per MAC of the
// 16-channel step (the single load pipe bounds that one on A72-class cores).
inline __attribute__((always_inline)) void Taps32(Acc16& lo, Acc16& hi, const int8_t* const* x,
                                                  size_t c, const int8_t* w, size_t c16,
                                                  size_t taps, bool pair) {
  size_t t = 0;
  if (pair) {
    for (; t + 2 <= taps; t += 2) {
      const int8x16x2_t x0 = vld1q_s8_x2(x[t] + c), x1 = vld1q_s8_x2(x[t + 1] + c);
      const int8x16x2_t w0 = vld1q_s8_x2(w + t * c16 + c);
      const int8x16x2_t w1 = vld1q_s8_x2(w + (t + 1) * c16 + c);
      int16x8_t p0 = vmull_s8(vget_low_s8(x0.val[0]), vget_low_s8(w0.val[0]));
      int16x8_t p1 = vmull_high_s8(x0.val[0], w0.val[0]);
      int16x8_t p2 = vmull_s8(vget_low_s8(x0.val[1]), vget_low_s8(w0.val[1]));
      int16x8_t p3 = vmull_high_s8(x0.val[1], w0.val[1]);
      p0 = vmlal_s8(p0, vget_low_s8(x1.val[0]), vget_low_s8(w1.val[0]));
      p1 = vmlal_high_s8(p1, x1.val[0], w1.val[0]);
      p2 = vmlal_s8(p2, vget_low_s8(x1.val[1]), vget_low_s8(w1.val[1]));
      p3 = vmlal_high_s8(p3, x1.val[1], w1.val[1]);
      AddProducts(lo, p0, p1);
      AddProducts(hi, p2, p3);
    }
  }
  for (; t < taps; ++t) {
    const int8x16x2_t x0 = vld1q_s8_x2(x[t] + c);
    const int8x16x2_t w0 = vld1q_s8_x2(w + t * c16 + c);
    AddProducts(lo, vmull_s8(vget_low_s8(x0.val[0]), vget_low_s8(w0.val[0])),
                vmull_high_s8(x0.val[0], w0.val[0]));
    AddProducts(hi, vmull_s8(vget_low_s8(x0.val[1]), vget_low_s8(w0.val[1])),
                vmull_high_s8(x0.val[1], w0.val[1]));
  }
}
#endif

inline __attribute__((always_inline)) Acc16 LoadBias16(const int32_t* b) {
  return Acc16{vld1q_s32(b), vld1q_s32(b + 4), vld1q_s32(b + 8), vld1q_s32(b + 12)};
}

inline __attribute__((always_inline)) int8x16_t Requant16(const Acc16& acc, const float* scale,
                                                          const NeonRequant& r) {
  const int32x4_t q0 = Requantize4(acc.a0, vld1q_f32(scale), r);
  const int32x4_t q1 = Requantize4(acc.a1, vld1q_f32(scale + 4), r);
  const int32x4_t q2 = Requantize4(acc.a2, vld1q_f32(scale + 8), r);
  const int32x4_t q3 = Requantize4(acc.a3, vld1q_f32(scale + 12), r);
  return vcombine_s8(NarrowTo8(q0, q1), NarrowTo8(q2, q3));
}

}  // namespace

void qs8_dwconv_16c__neon(const Qs8DwParams& d, const int8_t* input, int8_t* output,
                          size_t row_begin, size_t row_end) {
  const Conv2DGeometry& g = *d.g;
  const size_t c_in = static_cast<size_t>(g.in_c);
  const size_t c16 = (c_in + 15) / 16 * 16;
  const size_t taps = static_cast<size_t>(g.kernel_h) * static_cast<size_t>(g.kernel_w);
  const NeonRequant r(Qs8Requant{d.out_lo, d.out_hi, d.output_zero_point});
  const size_t full = c_in / 16 * 16;  // channels read straight from the input
  const int8_t* x[kQs8DwMaxTaps];
  // The channel tail is copied per tap so no load reads past a pixel (the
  // last pixel may end the input tensor).
  alignas(16) int8_t tail[kQs8DwMaxTaps][16];
  const int8_t* tail_ptr[kQs8DwMaxTaps];
  for (size_t t = 0; t < taps; ++t) tail_ptr[t] = tail[t];

  for (size_t row = row_begin; row < row_end; ++row) {
    const int n = static_cast<int>(row / static_cast<size_t>(g.out_h));
    const int oy = static_cast<int>(row % static_cast<size_t>(g.out_h));
    for (int ox = 0; ox < g.out_w; ++ox) {
      for (int ky = 0; ky < g.kernel_h; ++ky) {
        const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
        for (int kx = 0; kx < g.kernel_w; ++kx) {
          const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
          const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
          x[ky * g.kernel_w + kx] =
              inside ? input + ((static_cast<size_t>(n) * static_cast<size_t>(g.in_h) +
                                 static_cast<size_t>(iy)) * static_cast<size_t>(g.in_w) +
                                static_cast<size_t>(ix)) * c_in
                     : d.zero_buf;
        }
      }
      int8_t* out = output + ((static_cast<size_t>(n) * static_cast<size_t>(g.out_h) +
                               static_cast<size_t>(oy)) * static_cast<size_t>(g.out_w) +
                              static_cast<size_t>(ox)) * c_in;
      size_t c = 0;
#if defined(__aarch64__)
      for (; c + 32 <= full; c += 32) {
        Acc16 lo = LoadBias16(d.bias + c), hi = LoadBias16(d.bias + c + 16);
        Taps32(lo, hi, x, c, d.weights, c16, taps, d.pair_taps);
        vst1q_s8(out + c, Requant16(lo, d.scale + c, r));
        vst1q_s8(out + c + 16, Requant16(hi, d.scale + c + 16, r));
      }
#endif
      for (; c < full; c += 16) {
        Acc16 acc = LoadBias16(d.bias + c);
        Taps16(acc, x, c, d.weights, c16, taps, d.pair_taps);
        vst1q_s8(out + c, Requant16(acc, d.scale + c, r));
      }
      if (full < c_in) {
        const size_t left = c_in - full;
        for (size_t t = 0; t < taps; ++t) vst1q_s8(tail[t], LoadTail16(x[t] + full, left));
        Acc16 acc = LoadBias16(d.bias + full);
        // tail[t] holds channels full..c_in-1 at offset 0: index weights by
        // `full` through a shifted base.
        Taps16(acc, tail_ptr, 0, d.weights + full, c16, taps, d.pair_taps);
        const int8x16_t q = Requant16(acc, d.scale + full, r);
        StorePartial8(out + full, vget_low_s8(q), std::min<size_t>(left, 8));
        if (left > 8) StorePartial8(out + full + 8, vget_high_s8(q), left - 8);
      }
    }
  }
}

}  // namespace qrun::kernels::arm

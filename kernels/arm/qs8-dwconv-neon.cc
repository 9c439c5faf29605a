// int8 depthwise convolution, NEON (AArch64 and ARMv7): AArch64 an odd
// 16-channel block then 32 channels per step, ARMv7 16 per step; tap
// pointers per output pixel, taps in pairs interleaved per channel (TRN) and
// summed pairwise with SADALP. Contract and packed layout:
// kernels/arm/qs8-dwconv.h.
#include <arm_neon.h>

#include <algorithm>

#include "kernels/arm/qs8-dwconv.h"
#include "kernels/arm/qs8-requant-neon.h"

namespace qrun::kernels::arm {
namespace {

// int32 accumulators of one 16-channel block in the packed order
// (Qs8DwLaneChannel): a0 = channels 0,2,4,6, a1 = 8..14 even, a2 = 1,3,5,7,
// a3 = 9..15 odd.
struct Acc16 {
  int32x4_t a0, a1, a2, a3;
};

// int16 products of 16 channels x 2 taps; lane pairs (2i, 2i+1) are the two
// taps of one channel.
struct Prod16 {
  int16x8_t p0, p1, p2, p3;
};

// Byte lanes (c0 t0, c0 t1, c2 t0, c2 t1, ...) and (c1 t0, c1 t1, c3 t0, ...):
// TRN, a single-uop permute on A57-class cores (ZIP Q-form takes three).
inline __attribute__((always_inline)) int8x16x2_t Interleave(int8x16_t x0, int8x16_t x1) {
#if defined(__aarch64__)
  return int8x16x2_t{{vtrn1q_s8(x0, x1), vtrn2q_s8(x0, x1)}};
#else
  return vtrnq_s8(x0, x1);
#endif
}

inline __attribute__((always_inline)) int16x8_t MullHigh(int8x16_t a, int8x16_t b) {
#if defined(__aarch64__)
  return vmull_high_s8(a, b);
#else
  return vmull_s8(vget_high_s8(a), vget_high_s8(b));
#endif
}

inline __attribute__((always_inline)) int16x8_t MlalHigh(int16x8_t acc, int8x16_t a, int8x16_t b) {
#if defined(__aarch64__)
  return vmlal_high_s8(acc, a, b);
#else
  return vmlal_s8(acc, vget_high_s8(a), vget_high_s8(b));
#endif
}

// One tap pair of 16 channels: x0, x1 the two taps' inputs, we, wo the 32
// packed weight bytes (even channels, odd channels).
inline __attribute__((always_inline)) Prod16 Mul16(int8x16_t x0, int8x16_t x1, int8x16_t we,
                                                   int8x16_t wo) {
  const int8x16x2_t t = Interleave(x0, x1);
  return Prod16{vmull_s8(vget_low_s8(t.val[0]), vget_low_s8(we)), MullHigh(t.val[0], we),
                vmull_s8(vget_low_s8(t.val[1]), vget_low_s8(wo)), MullHigh(t.val[1], wo)};
}

// Adds a second tap pair into the int16 products (exact: no -128 weight).
inline __attribute__((always_inline)) void Mla16(Prod16& p, int8x16_t x0, int8x16_t x1,
                                                 int8x16_t we, int8x16_t wo) {
  const int8x16x2_t t = Interleave(x0, x1);
  p.p0 = vmlal_s8(p.p0, vget_low_s8(t.val[0]), vget_low_s8(we));
  p.p1 = MlalHigh(p.p1, t.val[0], we);
  p.p2 = vmlal_s8(p.p2, vget_low_s8(t.val[1]), vget_low_s8(wo));
  p.p3 = MlalHigh(p.p3, t.val[1], wo);
}

// The last tap of an odd count, alone: its packed weights hold zeros in the
// other tap's bytes (we = w c0, 0, w c2, 0, ..; wo = 0, w c1, 0, w c3, ..),
// so the input multiplies as loaded, without TRN.
inline __attribute__((always_inline)) Prod16 MulSingle16(int8x16_t x0, int8x16_t we,
                                                         int8x16_t wo) {
  return Prod16{vmull_s8(vget_low_s8(x0), vget_low_s8(we)), MullHigh(x0, we),
                vmull_s8(vget_low_s8(x0), vget_low_s8(wo)), MullHigh(x0, wo)};
}

// SADALP: the two int16 lanes of a channel into its int32 lane.
inline __attribute__((always_inline)) void Accumulate(Acc16& acc, const Prod16& p) {
  acc.a0 = vpadalq_s16(acc.a0, p.p0);
  acc.a1 = vpadalq_s16(acc.a1, p.p1);
  acc.a2 = vpadalq_s16(acc.a2, p.p2);
  acc.a3 = vpadalq_s16(acc.a3, p.p3);
}

// 32 packed weight bytes, then w += ws (the next tap pair). ARMv7: one
// VLD1 of four D registers with register post-increment; GCC has no
// vld1q_s8_x2 there and would issue two loads and two address adds.
inline __attribute__((always_inline)) int8x16x2_t LoadW32(const int8_t*& w, size_t ws) {
  int8x16x2_t r;
#if defined(__aarch64__)
  r = vld1q_s8_x2(w);
  w += ws;
#else
  __asm__("vld1.8 %h0, [%1], %3"
          : "=w"(r), "+r"(w)
          : "m"(*reinterpret_cast<const int8_t(*)[32]>(w)), "r"(ws));
#endif
  return r;
}

// Accumulates `taps` taps of 16 channels at offset c: x[t] + c (16 readable
// bytes each) times the packed weights w + c * 2, tap pair p at stride
// 2 * c16. Pointer-bounded loops: no separate counter.
inline __attribute__((always_inline)) void Taps16(Acc16& acc, const int8_t* const* x, size_t c,
                                                  const int8_t* w, size_t c16, size_t taps,
                                                  bool pair) {
  const size_t ws = 2 * c16;
  w += 2 * c;
  const int8_t* const* const end = x + taps / 2 * 2;
  if (pair) {
    for (const int8_t* const* const end4 = x + taps / 4 * 4; x != end4; x += 4) {
      const int8x16x2_t w0 = LoadW32(w, ws);
      const int8x16x2_t w1 = LoadW32(w, ws);
      Prod16 pr = Mul16(vld1q_s8(x[0] + c), vld1q_s8(x[1] + c), w0.val[0], w0.val[1]);
      Mla16(pr, vld1q_s8(x[2] + c), vld1q_s8(x[3] + c), w1.val[0], w1.val[1]);
      Accumulate(acc, pr);
    }
  }
  for (; x != end; x += 2) {
    const int8x16x2_t w0 = LoadW32(w, ws);
    Accumulate(acc, Mul16(vld1q_s8(x[0] + c), vld1q_s8(x[1] + c), w0.val[0], w0.val[1]));
  }
  if (taps % 2 != 0) {
    const int8x16x2_t w0 = LoadW32(w, ws);
    Accumulate(acc, MulSingle16(vld1q_s8(x[0] + c), w0.val[0], w0.val[1]));
  }
}

#if defined(__aarch64__)
// 32 channels per step (AArch64: 32 vector registers): one pointer load and
// one 32-byte input load per tap and one 64-byte weight load per tap pair
// feed 64 MACs, fewer loads and instructions per MAC than the 16-channel
// step (A72-class cores have one load pipe and dispatch 3 uops a cycle).
inline __attribute__((always_inline)) void Taps32(Acc16& lo, Acc16& hi, const int8_t* const* x,
                                                  size_t c, const int8_t* w, size_t c16,
                                                  size_t taps, bool pair) {
  const size_t ws = 2 * c16;
  w += 2 * c;
  const int8_t* const* const end = x + taps / 2 * 2;
  if (pair) {
    for (const int8_t* const* const end4 = x + taps / 4 * 4; x != end4; x += 4) {
      const int8x16x4_t w0 = vld1q_s8_x4(w);
      w += ws;
      const int8x16x4_t w1 = vld1q_s8_x4(w);
      w += ws;
      const int8x16x2_t x0 = vld1q_s8_x2(x[0] + c), x1 = vld1q_s8_x2(x[1] + c);
      const int8x16x2_t x2 = vld1q_s8_x2(x[2] + c), x3 = vld1q_s8_x2(x[3] + c);
      Prod16 pl = Mul16(x0.val[0], x1.val[0], w0.val[0], w0.val[1]);
      Prod16 ph = Mul16(x0.val[1], x1.val[1], w0.val[2], w0.val[3]);
      Mla16(pl, x2.val[0], x3.val[0], w1.val[0], w1.val[1]);
      Mla16(ph, x2.val[1], x3.val[1], w1.val[2], w1.val[3]);
      Accumulate(lo, pl);
      Accumulate(hi, ph);
    }
  }
  for (; x != end; x += 2) {
    const int8x16x4_t w0 = vld1q_s8_x4(w);
    w += ws;
    const int8x16x2_t x0 = vld1q_s8_x2(x[0] + c), x1 = vld1q_s8_x2(x[1] + c);
    Accumulate(lo, Mul16(x0.val[0], x1.val[0], w0.val[0], w0.val[1]));
    Accumulate(hi, Mul16(x0.val[1], x1.val[1], w0.val[2], w0.val[3]));
  }
  if (taps % 2 != 0) {
    const int8x16x4_t w0 = vld1q_s8_x4(w);
    const int8x16x2_t x0 = vld1q_s8_x2(x[0] + c);
    Accumulate(lo, MulSingle16(x0.val[0], w0.val[0], w0.val[1]));
    Accumulate(hi, MulSingle16(x0.val[1], w0.val[2], w0.val[3]));
  }
}
#endif

inline __attribute__((always_inline)) Acc16 LoadBias16(const int32_t* b) {
  return Acc16{vld1q_s32(b), vld1q_s32(b + 4), vld1q_s32(b + 8), vld1q_s32(b + 12)};
}

// Requantizes a block (bias/scale in the packed order) and restores the
// channel order: even and odd channels zipped back together.
inline __attribute__((always_inline)) int8x16_t Requant16(const Acc16& acc, const float* scale,
                                                          const NeonRequant& r) {
  const int32x4_t q0 = Requantize4(acc.a0, vld1q_f32(scale), r);
  const int32x4_t q1 = Requantize4(acc.a1, vld1q_f32(scale + 4), r);
  const int32x4_t q2 = Requantize4(acc.a2, vld1q_f32(scale + 8), r);
  const int32x4_t q3 = Requantize4(acc.a3, vld1q_f32(scale + 12), r);
  const int8x8x2_t z = vzip_s8(NarrowTo8(q0, q1), NarrowTo8(q2, q3));
  return vcombine_s8(z.val[0], z.val[1]);
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
      // The odd 16-channel block goes first, at c = 0: its input loads then
      // need no offset (LDR q [xN], one uop on A57; [xN, xC] takes two).
      if (full % 32 != 0) {
        Acc16 acc = LoadBias16(d.bias);
        Taps16(acc, x, 0, d.weights, c16, taps, d.pair_taps);
        vst1q_s8(out, Requant16(acc, d.scale, r));
        c = 16;
      }
      for (; c < full; c += 32) {
        Acc16 lo = LoadBias16(d.bias + c), hi = LoadBias16(d.bias + c + 16);
        Taps32(lo, hi, x, c, d.weights, c16, taps, d.pair_taps);
        vst1q_s8(out + c, Requant16(lo, d.scale + c, r));
        vst1q_s8(out + c + 16, Requant16(hi, d.scale + c + 16, r));
      }
#else
      for (; c < full; c += 16) {
        Acc16 acc = LoadBias16(d.bias + c);
        Taps16(acc, x, c, d.weights, c16, taps, d.pair_taps);
        vst1q_s8(out + c, Requant16(acc, d.scale + c, r));
      }
#endif
      if (full < c_in) {
        const size_t left = c_in - full;
        for (size_t t = 0; t < taps; ++t) vst1q_s8(tail[t], LoadTail16(x[t] + full, left));
        Acc16 acc = LoadBias16(d.bias + full);
        // tail[t] holds channels full..c_in-1 at offset 0: index weights by
        // `full` through a shifted base.
        Taps16(acc, tail_ptr, 0, d.weights + 2 * full, c16, taps, d.pair_taps);
        const int8x16_t q = Requant16(acc, d.scale + full, r);
        StorePartial8(out + full, vget_low_s8(q), std::min<size_t>(left, 8));
        if (left > 8) StorePartial8(out + full + 8, vget_high_s8(q), left - 8);
      }
    }
  }
}

}  // namespace qrun::kernels::arm

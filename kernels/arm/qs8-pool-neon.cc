// int8 max and average pooling over one window, NEON, 16 channels per step
// (the channel tail through local buffers, so nothing past a pixel is read).
// Max: vmaxq over the cells, then the fused clamp. Average: exact int32 sums
// of x (the zero point taken out once: sum(x) - cells * zp), times the
// window's float32 scale, requantized. Bit-exact with kernels::ref's pools.
#include <cstring>

#include "kernels/arm/qs8-elementwise-neon.h"
#include "kernels/arm/qs8-elementwise.h"

namespace qrun::kernels::arm {

void qs8_maxpool__neon(size_t channels, size_t rows, size_t cols, const int8_t* x,
                       size_t row_stride, int8_t* y, int8_t qmin, int8_t qmax) {
  const int8x16_t lo = vdupq_n_s8(qmin), hi = vdupq_n_s8(qmax);
  size_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    int8x16_t m = lo;  // max(qmin, ...): an empty window gives qmin
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* px = x + r * row_stride + c;
      for (size_t k = 0; k < cols; ++k, px += channels) m = vmaxq_s8(m, vld1q_s8(px));
    }
    vst1q_s8(y + c, vminq_s8(m, hi));
  }
  if (c < channels) {
    const size_t tail = channels - c;
    int8x16_t m = lo;
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* px = x + r * row_stride + c;
      for (size_t k = 0; k < cols; ++k, px += channels) {
        int8_t t[16];
        std::memset(t, qmin, sizeof(t));
        std::memcpy(t, px, tail);
        m = vmaxq_s8(m, vld1q_s8(t));
      }
    }
    int8_t out[16];
    vst1q_s8(out, vminq_s8(m, hi));
    std::memcpy(y + c, out, tail);
  }
}

void qs8_avgpool__neon(size_t channels, size_t rows, size_t cols, const int8_t* x,
                       size_t row_stride, int8_t* y, int32_t input_zero_point, float scale,
                       const Qs8OutParams& p) {
  const NeonOut out(p);
  const float32x4_t s = vdupq_n_f32(scale);
  const int32x4_t off = vdupq_n_s32(-static_cast<int32_t>(rows * cols) * input_zero_point);
  const int16x8_t zero16 = vdupq_n_s16(0);
  auto window = [&](const int8_t* base, size_t stride_c, int8_t* dst, size_t n) {
    int32x4_t acc[4] = {off, off, off, off};
    for (size_t r = 0; r < rows; ++r) {
      const int8_t* px = base + r * row_stride;
      for (size_t k = 0; k < cols; ++k, px += stride_c) {
        Centered16 v;
        if (n == 16) {
          v = LoadCentered16(px, zero16);
        } else {
          int8_t t[16] = {};
          std::memcpy(t, px, n);
          v = LoadCentered16(t, zero16);
        }
        for (int j = 0; j < 4; ++j) acc[j] = vaddq_s32(acc[j], v.v[j]);
      }
    }
    int32x4_t q[4];
    for (int j = 0; j < 4; ++j) q[j] = out(vmulq_f32(vcvtq_f32_s32(acc[j]), s));
    const int8x16_t bytes = Narrow16(q[0], q[1], q[2], q[3]);
    if (n == 16) {
      vst1q_s8(dst, bytes);
    } else {
      int8_t tmp[16];
      vst1q_s8(tmp, bytes);
      std::memcpy(dst, tmp, n);
    }
  };
  size_t c = 0;
  for (; c + 16 <= channels; c += 16) window(x + c, channels, y + c, 16);
  if (c < channels) window(x + c, channels, y + c, channels - c);
}

}  // namespace qrun::kernels::arm

// Byte transposes, NEON; pure data movement.
// x8_interleave3__neon: NCHW -> NHWC of a 3-channel int8 image (the model
// input after QUANTIZE), 16 pixels per step: one load per plane and VST3,
// which stores the three registers interleaved.
// x8_transpose__neon: a 2-D byte transpose in 8x8 tiles: eight 8-byte rows,
// VTRN at byte, halfword and word granularity, eight 8-byte columns out.
#include <arm_neon.h>

#include "kernels/arm/qs8-elementwise.h"

namespace qrun::kernels::arm {

void x8_interleave3__neon(size_t n, const int8_t* x, size_t plane_stride, int8_t* y) {
  const int8_t* r = x;
  const int8_t* g = x + plane_stride;
  const int8_t* b = x + 2 * plane_stride;
  size_t i = 0;
  for (; i + 16 <= n; i += 16, y += 48) {
    int8x16x3_t v;
    v.val[0] = vld1q_s8(r + i);
    v.val[1] = vld1q_s8(g + i);
    v.val[2] = vld1q_s8(b + i);
    vst3q_s8(y, v);
  }
  if (i + 8 <= n) {
    int8x8x3_t v;
    v.val[0] = vld1_s8(r + i);
    v.val[1] = vld1_s8(g + i);
    v.val[2] = vld1_s8(b + i);
    vst3_s8(y, v);
    i += 8;
    y += 24;
  }
  for (; i < n; ++i, y += 3) {
    y[0] = r[i];
    y[1] = g[i];
    y[2] = b[i];
  }
}

namespace {

// rows[r] = 8 bytes of row r  ->  rows[c] = 8 bytes of column c.
inline void Transpose8x8(uint8x8_t rows[8]) {
  // Bytes: pairs of rows swap their odd / even lanes.
  const uint8x8x2_t b01 = vtrn_u8(rows[0], rows[1]), b23 = vtrn_u8(rows[2], rows[3]);
  const uint8x8x2_t b45 = vtrn_u8(rows[4], rows[5]), b67 = vtrn_u8(rows[6], rows[7]);
  // Halfwords: lane pairs of rows 0-3 (4-7) now hold columns {0,4} {2,6}
  // (from .val[0]) and {1,5} {3,7} (from .val[1]).
  const uint16x4x2_t h0 = vtrn_u16(vreinterpret_u16_u8(b01.val[0]), vreinterpret_u16_u8(b23.val[0]));
  const uint16x4x2_t h1 = vtrn_u16(vreinterpret_u16_u8(b01.val[1]), vreinterpret_u16_u8(b23.val[1]));
  const uint16x4x2_t h2 = vtrn_u16(vreinterpret_u16_u8(b45.val[0]), vreinterpret_u16_u8(b67.val[0]));
  const uint16x4x2_t h3 = vtrn_u16(vreinterpret_u16_u8(b45.val[1]), vreinterpret_u16_u8(b67.val[1]));
  // Words: the rows 0-3 half and the rows 4-7 half of each column meet.
  const uint32x2x2_t c04 = vtrn_u32(vreinterpret_u32_u16(h0.val[0]), vreinterpret_u32_u16(h2.val[0]));
  const uint32x2x2_t c26 = vtrn_u32(vreinterpret_u32_u16(h0.val[1]), vreinterpret_u32_u16(h2.val[1]));
  const uint32x2x2_t c15 = vtrn_u32(vreinterpret_u32_u16(h1.val[0]), vreinterpret_u32_u16(h3.val[0]));
  const uint32x2x2_t c37 = vtrn_u32(vreinterpret_u32_u16(h1.val[1]), vreinterpret_u32_u16(h3.val[1]));
  rows[0] = vreinterpret_u8_u32(c04.val[0]);
  rows[4] = vreinterpret_u8_u32(c04.val[1]);
  rows[2] = vreinterpret_u8_u32(c26.val[0]);
  rows[6] = vreinterpret_u8_u32(c26.val[1]);
  rows[1] = vreinterpret_u8_u32(c15.val[0]);
  rows[5] = vreinterpret_u8_u32(c15.val[1]);
  rows[3] = vreinterpret_u8_u32(c37.val[0]);
  rows[7] = vreinterpret_u8_u32(c37.val[1]);
}

}  // namespace

void x8_transpose__neon(size_t m, size_t n, size_t j0, size_t j1, const uint8_t* x, uint8_t* y) {
  size_t i = 0;
  for (; i + 8 <= m; i += 8) {
    const uint8_t* in = x + i * n;
    size_t j = j0;
    for (; j + 8 <= j1; j += 8) {
      uint8x8_t t[8];
      for (int r = 0; r < 8; ++r) t[r] = vld1_u8(in + r * n + j);
      Transpose8x8(t);
      for (int c = 0; c < 8; ++c) vst1_u8(y + (j + c) * m + i, t[c]);
    }
    for (; j < j1; ++j) {  // last < 8 columns of these rows
      for (size_t r = 0; r < 8; ++r) y[j * m + i + r] = in[r * n + j];
    }
  }
  for (; i < m; ++i) {  // last < 8 rows
    for (size_t j = j0; j < j1; ++j) y[j * m + i] = x[i * n + j];
  }
}

}  // namespace qrun::kernels::arm

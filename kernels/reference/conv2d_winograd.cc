// Reference Winograd F(2x2, 3x3): scalar, one tile, one output channel and one
// input channel at a time, transforms recomputed on the fly (no buffers).
#include "kernels/reference/conv2d_winograd.h"

#include <cstdlib>

#include "kernels/requantize.h"
#include "kernels/winograd_f2x3.h"

namespace qrun::kernels::ref {

bool winograd_f2x3_exact(const Conv2DGeometry& g, const int8_t* weights) {
  if (g.kernel_h != 3 || g.kernel_w != 3 || g.stride_h != 1 || g.stride_w != 1 ||
      g.dilation_h != 1 || g.dilation_w != 1 || g.groups != 1) {
    return false;
  }
  const int64_t per_channel = 9 * static_cast<int64_t>(g.in_c);
  for (int oc = 0; oc < g.out_c; ++oc) {
    int64_t sum = 0;
    for (int64_t i = 0; i < per_channel; ++i) sum += std::abs(static_cast<int>(weights[oc * per_channel + i]));
    if (128 * sum >= (int64_t{1} << 29)) return false;
  }
  return true;
}

void conv2d_s8_winograd_f2x3(const Conv2DGeometry& g, const int8_t* input,
                             int32_t input_zero_point, const int8_t* weights,
                             const int32_t* bias, const float* requant_scale,
                             const QuantizedOutput& out, int8_t* output) {
  const int c_in = g.in_c;
  const int64_t filter_size = 9 * static_cast<int64_t>(c_in);
  for (int n = 0; n < g.batch; ++n) {
    for (int ty = 0; ty < (g.out_h + 1) / 2; ++ty) {
      for (int tx = 0; tx < (g.out_w + 1) / 2; ++tx) {
        for (int oc = 0; oc < g.out_c; ++oc) {
          const int8_t* filter = weights + oc * filter_size;
          uint32_t m[16] = {};
          for (int ic = 0; ic < c_in; ++ic) {
            // 4x4 input tile of channel ic, the zero point outside the image.
            int32_t d[16];
            for (int r = 0; r < 4; ++r) {
              for (int c = 0; c < 4; ++c) {
                const int iy = 2 * ty - g.pad_top + r, ix = 2 * tx - g.pad_left + c;
                const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
                d[r * 4 + c] =
                    inside ? input[((static_cast<int64_t>(n) * g.in_h + iy) * g.in_w + ix) * c_in + ic]
                           : input_zero_point;
              }
            }
            int32_t v[16];
            int16_t u[16];
            winograd::TransformInput(d, v);
            winograd::TransformFilter(filter + ic, 3 * c_in, c_in, u);
            for (int p = 0; p < 16; ++p) {
              m[p] += static_cast<uint32_t>(v[p]) * static_cast<uint32_t>(static_cast<int32_t>(u[p]));
            }
          }
          uint32_t y4[4];
          winograd::TransformOutput(m, y4);
          uint32_t comp = bias ? static_cast<uint32_t>(bias[oc]) : 0u;
          for (int64_t i = 0; i < filter_size; ++i) {
            comp -= static_cast<uint32_t>(input_zero_point) * static_cast<uint32_t>(static_cast<int32_t>(filter[i]));
          }
          for (int r = 0; r < 2; ++r) {
            for (int c = 0; c < 2; ++c) {
              const int oy = 2 * ty + r, ox = 2 * tx + c;
              if (oy >= g.out_h || ox >= g.out_w) continue;
              // |Y| < 2^29 (winograd_f2x3_exact): y4 holds 4 Y exactly.
              const int32_t y = static_cast<int32_t>(y4[r * 2 + c]) / 4;
              const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(y) + comp);
              output[((static_cast<int64_t>(n) * g.out_h + oy) * g.out_w + ox) * g.out_c + oc] =
                  static_cast<int8_t>(requantize(acc, requant_scale[oc], out.zero_point, out.qmin, out.qmax));
            }
          }
        }
      }
    }
  }
}

}  // namespace qrun::kernels::ref

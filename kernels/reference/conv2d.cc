// Reference Conv2D: a direct loop nest, written for clarity rather than speed.
// It is the oracle optimized kernels are tested bit-exact against, so the
// arithmetic order is part of the contract:
//   int8:  acc = sum over taps of (x - input_zero_point) * w   (int32)
//          acc += bias[c]; y = requantize(acc, requant_scale[c], ...)
//   float: acc = sum over taps in (kh, kw, ic) order (float32, starting at 0)
//          acc += bias[c]; y = clamp(acc, out_min, out_max)
// Taps that fall outside the image are skipped, which for int8 is the same as
// reading the input zero point and for float the same as reading 0.
// The geometry is validated at prepare (groups divides in_c and out_c,
// out_h/out_w >= 1); the kernel itself never allocates.
#include "kernels/reference/conv2d.h"

#include "kernels/requantize.h"

namespace qrun::kernels::ref {
namespace {

// Calls f(input_index, weight_index) for every in-image tap that contributes
// to output pixel (n, oy, ox) of output channel oc, in (kh, kw, ic) order.
template <typename F>
void for_each_tap(const Conv2DGeometry& g, int n, int oy, int ox, int oc, F&& f) {
  const int in_per_group = g.in_c / g.groups;
  const int out_per_group = g.out_c / g.groups;
  const int64_t first_in_channel = static_cast<int64_t>(oc / out_per_group) * in_per_group;
  // OHWI: this output channel's filter is one contiguous [kh][kw][in_per_group] block.
  const int64_t filter_base = static_cast<int64_t>(oc) * g.kernel_h * g.kernel_w * in_per_group;

  for (int ky = 0; ky < g.kernel_h; ++ky) {
    const int64_t iy = static_cast<int64_t>(oy) * g.stride_h - g.pad_top +
                       static_cast<int64_t>(ky) * g.dilation_h;
    if (iy < 0 || iy >= g.in_h) continue;
    for (int kx = 0; kx < g.kernel_w; ++kx) {
      const int64_t ix = static_cast<int64_t>(ox) * g.stride_w - g.pad_left +
                         static_cast<int64_t>(kx) * g.dilation_w;
      if (ix < 0 || ix >= g.in_w) continue;
      const int64_t in_base =
          ((static_cast<int64_t>(n) * g.in_h + iy) * g.in_w + ix) * g.in_c + first_in_channel;
      const int64_t w_base =
          filter_base + (static_cast<int64_t>(ky) * g.kernel_w + kx) * in_per_group;
      for (int ic = 0; ic < in_per_group; ++ic) f(in_base + ic, w_base + ic);
    }
  }
}

// Calls f(n, oy, ox, oc, output_index) for every output element, in NHWC order.
template <typename F>
void for_each_output(const Conv2DGeometry& g, F&& f) {
  int64_t index = 0;
  for (int n = 0; n < g.batch; ++n)
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox)
        for (int oc = 0; oc < g.out_c; ++oc) f(n, oy, ox, oc, index++);
}

float clamp_float(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace

void conv2d_s8(const Conv2DGeometry& g, const int8_t* input, int32_t input_zero_point,
               const int8_t* weights, const int32_t* bias, const float* requant_scale,
               const QuantizedOutput& out, int8_t* output) {
  for_each_output(g, [&](int n, int oy, int ox, int oc, int64_t out_index) {
    int32_t acc = 0;
    for_each_tap(g, n, oy, ox, oc, [&](int64_t i, int64_t w) {
      acc += (static_cast<int32_t>(input[i]) - input_zero_point) * static_cast<int32_t>(weights[w]);
    });
    if (bias != nullptr) acc += bias[oc];
    output[out_index] = static_cast<int8_t>(
        requantize(acc, requant_scale[oc], out.zero_point, out.qmin, out.qmax));
  });
}

void conv2d_s8_f32(const Conv2DGeometry& g, const int8_t* input, float input_scale,
                   int32_t input_zero_point, const int8_t* weights, const float* weight_scale,
                   const float* bias, float out_min, float out_max, float* output) {
  for_each_output(g, [&](int n, int oy, int ox, int oc, int64_t out_index) {
    int32_t acc = 0;
    for_each_tap(g, n, oy, ox, oc, [&](int64_t i, int64_t w) {
      acc += (static_cast<int32_t>(input[i]) - input_zero_point) * static_cast<int32_t>(weights[w]);
    });
    float y = static_cast<float>(acc) * (input_scale * weight_scale[oc]);
    if (bias != nullptr) y += bias[oc];
    output[out_index] = clamp_float(y, out_min, out_max);
  });
}

void conv2d_f32(const Conv2DGeometry& g, const float* input, const float* weights,
                const float* bias, float out_min, float out_max, float* output) {
  for_each_output(g, [&](int n, int oy, int ox, int oc, int64_t out_index) {
    float acc = 0.0f;
    for_each_tap(g, n, oy, ox, oc, [&](int64_t i, int64_t w) { acc += input[i] * weights[w]; });
    if (bias != nullptr) acc += bias[oc];
    output[out_index] = clamp_float(acc, out_min, out_max);
  });
}

}  // namespace qrun::kernels::ref

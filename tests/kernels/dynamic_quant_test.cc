// Dynamic quantization (qconvert --dynamic): the run-time choice of input
// parameters, and the conv / fully-connected kernels with int8 inputs and
// weights and float32 outputs, against a double-precision oracle computed on
// the dequantized values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/reference/conv2d.h"
#include "kernels/reference/dynamic_quant.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/reference/quantize.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::Rng;

TEST(DynamicQuant, ParametersByHand) {
  const float mixed[] = {-1.0f, 0.5f, 3.0f};
  DynamicQuant q = choose_dynamic_quant(3, mixed);
  EXPECT_FLOAT_EQ(q.scale, 4.0f / 255.0f);
  EXPECT_EQ(q.zero_point, -64);  // round(-128 + 1 / (4/255)) = round(-64.25)
  const float positive[] = {0.5f, 2.0f};
  q = choose_dynamic_quant(2, positive);  // range widened to include 0
  EXPECT_FLOAT_EQ(q.scale, 2.0f / 255.0f);
  EXPECT_EQ(q.zero_point, -128);
  const float negative[] = {-2.0f, -0.5f};
  q = choose_dynamic_quant(2, negative);
  EXPECT_EQ(q.zero_point, 127);
  const float zeros[] = {0.0f, 0.0f};
  q = choose_dynamic_quant(2, zeros);
  EXPECT_EQ(q.scale, 1.0f);
  EXPECT_EQ(q.zero_point, -128);
  // Non-finite values do not widen the range; huge finite ones do not overflow.
  const float odd[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                       1.0f, -1.0f};
  q = choose_dynamic_quant(4, odd);
  EXPECT_FLOAT_EQ(q.scale, 2.0f / 255.0f);
  const float huge[] = {-3e38f, 3e38f};
  q = choose_dynamic_quant(2, huge);
  EXPECT_TRUE(std::isfinite(q.scale));
  EXPECT_GT(q.scale, 0.0f);
  EXPECT_EQ(choose_dynamic_quant(0, nullptr).scale, 1.0f);
}

// Real 0 is always exact, and the range is covered: quantizing the extremes
// lands on -128 and 127 (within one step of rounding).
TEST(DynamicQuant, CoversTheRangeWithZeroExact) {
  Rng rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    const float lo = rng.uniform_float(-10.0f, 2.0f);
    const float hi = lo + rng.uniform_float(0.001f, 20.0f);
    std::vector<float> x(static_cast<size_t>(rng.uniform_int(1, 50)));
    for (float& v : x) v = rng.uniform_float(lo, hi);
    const DynamicQuant q = choose_dynamic_quant(x.size(), x.data());
    int8_t zero;
    const float z = 0.0f;
    quantize_f32_s8(1, &z, q.scale, q.zero_point, &zero);
    EXPECT_EQ(zero, q.zero_point);
    std::vector<int8_t> xq(x.size());
    quantize_f32_s8(x.size(), x.data(), q.scale, q.zero_point, xq.data());
    for (size_t i = 0; i < x.size(); ++i) {
      const double back = (static_cast<double>(xq[i]) - q.zero_point) * q.scale;
      EXPECT_LE(std::fabs(back - x[i]), q.scale * 0.5 + 1e-6 * std::fabs(x[i])) << x[i];
    }
  }
}

struct Oracle {
  double value;
  double magnitude;  // sum of |terms|, for the float tolerance
};

// y = clamp(acc * (xs * ws) + b): the int32 sum is exact, so the kernel's
// only error is float rounding of the product and the bias add.
void ExpectClose(float got, const Oracle& o, float lo, float hi, const char* what) {
  double want = o.value;
  want = want < lo ? lo : (want > hi ? hi : want);
  const double tol = 4e-7 * (o.magnitude + std::fabs(o.value)) + 1e-30;
  EXPECT_NEAR(got, want, tol) << what;
}

TEST(DynamicQuant, Conv2DMatchesOracle) {
  Rng rng(11);
  int checked = 0;
  for (int trial = 0; trial < 200; ++trial) {
    Conv2DGeometry g;
    g.batch = rng.uniform_int(1, 2);
    g.in_h = rng.uniform_int(1, 9);
    g.in_w = rng.uniform_int(1, 9);
    const bool depthwise = rng.uniform_int(0, 3) == 0;
    g.in_c = rng.uniform_int(1, 12);
    g.groups = depthwise ? g.in_c : 1;
    g.out_c = depthwise ? g.in_c : rng.uniform_int(1, 12);
    g.kernel_h = rng.uniform_int(1, 3);
    g.kernel_w = rng.uniform_int(1, 3);
    g.stride_h = rng.uniform_int(1, 2);
    g.stride_w = rng.uniform_int(1, 2);
    g.dilation_h = g.dilation_w = 1;
    g.pad_top = rng.uniform_int(0, 1);
    g.pad_left = rng.uniform_int(0, 1);
    const int pad_b = rng.uniform_int(0, 1), pad_r = rng.uniform_int(0, 1);
    g.out_h = (g.in_h + g.pad_top + pad_b - g.kernel_h) / g.stride_h + 1;
    g.out_w = (g.in_w + g.pad_left + pad_r - g.kernel_w) / g.stride_w + 1;
    if (g.in_h + g.pad_top + pad_b < g.kernel_h || g.in_w + g.pad_left + pad_r < g.kernel_w) continue;
    const int in_per_group = g.in_c / g.groups;
    const size_t in_n = static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.in_c;
    const size_t taps = static_cast<size_t>(g.kernel_h) * g.kernel_w * in_per_group;
    std::vector<float> x(in_n);
    const float shift = rng.uniform_float(-3.0f, 3.0f);
    for (float& v : x) v = rng.uniform_float(-4.0f, 4.0f) + shift;
    const std::vector<int8_t> w = rng.int8s(taps * static_cast<size_t>(g.out_c), -127, 127);
    std::vector<float> ws(static_cast<size_t>(g.out_c)), bias(static_cast<size_t>(g.out_c));
    for (int c = 0; c < g.out_c; ++c) {
      ws[static_cast<size_t>(c)] = rng.scale(1e-3f, 0.1f);
      bias[static_cast<size_t>(c)] = rng.uniform_float(-2.0f, 2.0f);
    }
    const DynamicQuant q = choose_dynamic_quant(in_n, x.data());
    std::vector<int8_t> xq(in_n);
    quantize_f32_s8(in_n, x.data(), q.scale, q.zero_point, xq.data());
    const bool relu = rng.coin();
    const float lo = relu ? 0.0f : -std::numeric_limits<float>::infinity();
    const float hi = std::numeric_limits<float>::infinity();
    std::vector<float> y(static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c);
    conv2d_s8_f32(g, xq.data(), q.scale, q.zero_point, w.data(), ws.data(), bias.data(), lo, hi,
                  y.data());
    size_t idx = 0;
    for (int n = 0; n < g.batch; ++n)
      for (int oy = 0; oy < g.out_h; ++oy)
        for (int ox = 0; ox < g.out_w; ++ox)
          for (int oc = 0; oc < g.out_c; ++oc, ++idx) {
            Oracle o{bias[static_cast<size_t>(oc)], std::fabs(bias[static_cast<size_t>(oc)])};
            const int grp = oc / (g.out_c / g.groups);
            for (int ky = 0; ky < g.kernel_h; ++ky)
              for (int kx = 0; kx < g.kernel_w; ++kx)
                for (int ic = 0; ic < in_per_group; ++ic) {
                  const int iy = oy * g.stride_h - g.pad_top + ky;
                  const int ix = ox * g.stride_w - g.pad_left + kx;
                  if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;  // real 0
                  const int c = grp * in_per_group + ic;
                  const double xr = (static_cast<double>(
                                         xq[((static_cast<size_t>(n) * g.in_h + iy) * g.in_w + ix) * g.in_c + c]) -
                                     q.zero_point) * q.scale;
                  const double wr = static_cast<double>(
                                        w[((static_cast<size_t>(oc) * g.kernel_h + ky) * g.kernel_w + kx) *
                                              in_per_group + ic]) * ws[static_cast<size_t>(oc)];
                  o.value += xr * wr;
                  o.magnitude += std::fabs(xr * wr);
                }
            ExpectClose(y[idx], o, lo, hi, "conv");
            ++checked;
          }
  }
  EXPECT_GT(checked, 5000);
}

TEST(DynamicQuant, FullyConnectedMatchesOracle) {
  Rng rng(13);
  for (int trial = 0; trial < 200; ++trial) {
    FullyConnectedGeometry g;
    g.batch = rng.uniform_int(1, 3);
    g.in_features = rng.uniform_int(1, 300);
    g.out_features = rng.uniform_int(1, 20);
    std::vector<float> x(static_cast<size_t>(g.batch) * g.in_features);
    for (float& v : x) v = rng.uniform_float(-1.0f, 6.0f);
    const std::vector<int8_t> w = rng.int8s(static_cast<size_t>(g.out_features) * g.in_features, -127, 127);
    std::vector<float> ws(static_cast<size_t>(g.out_features)), bias(ws.size());
    for (size_t o = 0; o < ws.size(); ++o) {
      ws[o] = rng.scale(1e-3f, 0.1f);
      bias[o] = rng.uniform_float(-1.0f, 1.0f);
    }
    const DynamicQuant q = choose_dynamic_quant(x.size(), x.data());
    std::vector<int8_t> xq(x.size());
    quantize_f32_s8(x.size(), x.data(), q.scale, q.zero_point, xq.data());
    const bool with_bias = rng.coin();
    std::vector<float> y(static_cast<size_t>(g.batch) * g.out_features);
    const float inf = std::numeric_limits<float>::infinity();
    fully_connected_s8_f32(g, xq.data(), q.scale, q.zero_point, w.data(), ws.data(),
                           with_bias ? bias.data() : nullptr, -inf, inf, y.data());
    for (int b = 0; b < g.batch; ++b)
      for (int o = 0; o < g.out_features; ++o) {
        Oracle r{with_bias ? bias[static_cast<size_t>(o)] : 0.0, with_bias ? std::fabs(bias[static_cast<size_t>(o)]) : 0.0};
        for (int i = 0; i < g.in_features; ++i) {
          const double xr = (static_cast<double>(xq[static_cast<size_t>(b) * g.in_features + i]) - q.zero_point) * q.scale;
          const double wr = static_cast<double>(w[static_cast<size_t>(o) * g.in_features + i]) * ws[static_cast<size_t>(o)];
          r.value += xr * wr;
          r.magnitude += std::fabs(xr * wr);
        }
        ExpectClose(y[static_cast<size_t>(b) * g.out_features + o], r, -inf, inf, "fc");
      }
  }
}

}  // namespace
}  // namespace qrun::kernels::ref

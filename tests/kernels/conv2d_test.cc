// Conv2D reference kernels against hand-computed cases and an independent
// double-precision oracle (dequantize, convolve an explicitly zero-padded real
// image, quantize with the output parameters).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/reference/conv2d.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::compare_q;
using qrun::testing::DiffStats;
using qrun::testing::DiffTally;
using qrun::testing::FusedClamp;
using qrun::testing::oracle_quantize;
using qrun::testing::Rng;

// ---------------------------------------------------------------------------
// Geometry

// The kernel only sees pad_top/pad_left; the bottom/right pads are kept here
// to derive out_h/out_w and to build the oracle's padded image.
struct ConvConfig {
  Conv2DGeometry g;
  int pad_bottom = 0;
  int pad_right = 0;
};

std::string describe(const ConvConfig& c) {
  const Conv2DGeometry& g = c.g;
  std::ostringstream s;
  s << "batch=" << g.batch << " in=" << g.in_h << "x" << g.in_w << "x" << g.in_c
    << " out=" << g.out_h << "x" << g.out_w << "x" << g.out_c << " k=" << g.kernel_h << "x"
    << g.kernel_w << " stride=" << g.stride_h << "," << g.stride_w << " dil=" << g.dilation_h
    << "," << g.dilation_w << " pad(t,l,b,r)=" << g.pad_top << "," << g.pad_left << ","
    << c.pad_bottom << "," << c.pad_right << " groups=" << g.groups;
  return s.str();
}

// ONNX: floor((in + pads - dilation * (kernel - 1) - 1) / stride) + 1; 0 if < 1.
int onnx_out_size(int in, int pad_begin, int pad_end, int kernel, int stride, int dilation) {
  const int span = in + pad_begin + pad_end - dilation * (kernel - 1) - 1;
  return span < 0 ? 0 : span / stride + 1;
}

// Random geometry: plain, grouped or depthwise (channel multiplier 1-2).
// Returns false when the output would be empty.
bool random_config(Rng& rng, ConvConfig* c) {
  Conv2DGeometry& g = c->g;
  g.batch = rng.uniform_int(1, 2);
  g.in_h = rng.uniform_int(1, 12);
  g.in_w = rng.uniform_int(1, 12);
  switch (rng.uniform_int(0, 2)) {
    case 0:
      g.groups = 1;
      g.in_c = rng.uniform_int(1, 20);
      g.out_c = rng.uniform_int(1, 20);
      break;
    case 1:
      g.groups = rng.uniform_int(2, 4);
      g.in_c = g.groups * rng.uniform_int(1, 5);
      g.out_c = g.groups * rng.uniform_int(1, 5);
      break;
    default:
      g.in_c = rng.uniform_int(1, 20);
      g.groups = g.in_c;
      g.out_c = g.in_c * rng.uniform_int(1, 2);
      break;
  }
  g.kernel_h = rng.uniform_int(1, 5);
  g.kernel_w = rng.uniform_int(1, 5);
  g.stride_h = rng.uniform_int(1, 3);
  g.stride_w = rng.uniform_int(1, 3);
  g.dilation_h = rng.uniform_int(1, 3);
  g.dilation_w = rng.uniform_int(1, 3);
  g.pad_top = rng.uniform_int(0, 2);
  g.pad_left = rng.uniform_int(0, 2);
  c->pad_bottom = rng.uniform_int(0, 2);
  c->pad_right = rng.uniform_int(0, 2);
  g.out_h = onnx_out_size(g.in_h, g.pad_top, c->pad_bottom, g.kernel_h, g.stride_h, g.dilation_h);
  g.out_w = onnx_out_size(g.in_w, g.pad_left, c->pad_right, g.kernel_w, g.stride_w, g.dilation_w);
  return g.out_h >= 1 && g.out_w >= 1;
}

size_t input_count(const Conv2DGeometry& g) {
  return static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.in_c;
}
size_t weight_count(const Conv2DGeometry& g) {
  return static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * (g.in_c / g.groups);
}
size_t output_count(const Conv2DGeometry& g) {
  return static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c;
}
int taps_per_output(const Conv2DGeometry& g) {
  return g.kernel_h * g.kernel_w * (g.in_c / g.groups);
}

// ---------------------------------------------------------------------------
// Double oracle

struct OracleResult {
  std::vector<double> value;    // real output before any clamp
  std::vector<double> abs_sum;  // sum of |terms|, for float tolerances
};

// Real-valued convolution: copies the input into an explicit zero-filled
// padded image of (in + pad_begin + pad_end) and convolves it without any
// bounds tests, so it shares no window logic with the kernel. `.at()` turns a
// wrong output-size formula into a test failure instead of a wild read.
OracleResult oracle_conv(const ConvConfig& c, const std::vector<double>& x,
                         const std::vector<double>& w, const std::vector<double>* bias) {
  const Conv2DGeometry& g = c.g;
  const int ph = g.in_h + g.pad_top + c.pad_bottom;
  const int pw = g.in_w + g.pad_left + c.pad_right;
  std::vector<double> padded(static_cast<size_t>(g.batch) * ph * pw * g.in_c, 0.0);
  for (int n = 0; n < g.batch; ++n)
    for (int y = 0; y < g.in_h; ++y)
      for (int xx = 0; xx < g.in_w; ++xx)
        for (int ch = 0; ch < g.in_c; ++ch)
          padded.at(((static_cast<size_t>(n) * ph + y + g.pad_top) * pw + xx + g.pad_left) *
                        g.in_c + ch) =
              x[((static_cast<size_t>(n) * g.in_h + y) * g.in_w + xx) * g.in_c + ch];

  const int icg = g.in_c / g.groups;
  const int ocg = g.out_c / g.groups;
  OracleResult r;
  for (int n = 0; n < g.batch; ++n)
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox)
        for (int oc = 0; oc < g.out_c; ++oc) {
          double sum = bias ? (*bias)[oc] : 0.0;
          double abs_sum = bias ? std::fabs((*bias)[oc]) : 0.0;
          for (int ky = 0; ky < g.kernel_h; ++ky)
            for (int kx = 0; kx < g.kernel_w; ++kx)
              for (int ic = 0; ic < icg; ++ic) {
                const int py = oy * g.stride_h + ky * g.dilation_h;
                const int px = ox * g.stride_w + kx * g.dilation_w;
                const int ch = (oc / ocg) * icg + ic;
                const double xv =
                    padded.at(((static_cast<size_t>(n) * ph + py) * pw + px) * g.in_c + ch);
                const double wv =
                    w[((static_cast<size_t>(oc) * g.kernel_h + ky) * g.kernel_w + kx) * icg + ic];
                sum += xv * wv;
                abs_sum += std::fabs(xv * wv);
              }
          r.value.push_back(sum);
          r.abs_sum.push_back(abs_sum);
        }
  return r;
}

// ---------------------------------------------------------------------------
// Random int8 problem with realistic quantization parameters

struct QuantProblem {
  std::vector<int8_t> input, weights;
  std::vector<int32_t> bias;  // empty = null bias
  float s_x = 1, s_y = 1;
  std::vector<float> s_w;
  int32_t zp_x = 0, zp_y = 0;
  FusedClamp clamp;
  std::vector<float> requant_scale;  // what the kernel gets
  int ties = 0;  // outputs whose real value / s_y is exactly halfway between integers
};

// Real-valued view of a quantized problem: dequantized input, weights and bias.
OracleResult real_outputs(const ConvConfig& c, const QuantProblem& p) {
  const Conv2DGeometry& g = c.g;
  const size_t per_filter = static_cast<size_t>(g.kernel_h) * g.kernel_w * (g.in_c / g.groups);
  std::vector<double> x(p.input.size()), w(p.weights.size()), bias;
  for (size_t i = 0; i < x.size(); ++i) x[i] = double{p.s_x} * (p.input[i] - p.zp_x);
  for (size_t i = 0; i < w.size(); ++i) w[i] = double{p.s_w[i / per_filter]} * p.weights[i];
  for (size_t oc = 0; oc < p.bias.size(); ++oc)
    bias.push_back(double{p.s_x} * double{p.s_w[oc]} * p.bias[oc]);
  return oracle_conv(c, x, w, p.bias.empty() ? nullptr : &bias);
}

// Random inputs and parameters; the output scale is calibrated on the real
// outputs so they spread over the int8 range. `exact` rounds every scale to a
// power of two (see nearest_power_of_two). Returns the oracle's int8 result.
std::vector<int32_t> random_problem(Rng& rng, const ConvConfig& c, QuantProblem* p, bool exact) {
  const Conv2DGeometry& g = c.g;
  p->s_x = rng.scale();
  if (exact) p->s_x = qrun::testing::nearest_power_of_two(p->s_x);
  p->zp_x = qrun::testing::random_zero_point(rng);
  if (exact) {
    // Small values keep the accumulators small, so the requantization scale
    // lands on 1/2 .. 1/8 and many results are exact halfway cases.
    p->input = rng.int8s(input_count(g), std::max(-128, p->zp_x - 8), std::min(127, p->zp_x + 8));
    p->weights = rng.int8s(weight_count(g), -8, 8);
  } else {
    p->input = rng.int8s(input_count(g));
    p->weights = rng.int8s(weight_count(g), -127, 127);
  }
  // Real outputs of magnitude 1-20, as in real networks (this also keeps a
  // fused ReLU6 meaningful): the accumulator's rms is ~sqrt(taps) * 73 (weights)
  // * sqrt(74^2 + zp^2) (x - zp), so pick the weight scale from it.
  // (x - zp and w uniform on [-8, 8] have rms ~5.5 in exact mode.)
  const double x_rms =
      exact ? 5.5 : std::sqrt(73.9 * 73.9 + (p->zp_x + 0.5) * (p->zp_x + 0.5));
  const double acc_std =
      std::sqrt(static_cast<double>(taps_per_output(g))) * (exact ? 5.5 : 73.3) * x_rms;
  const double s_w_base = rng.scale(1.0f, 20.0f) / (p->s_x * acc_std);
  for (int oc = 0; oc < g.out_c; ++oc)
    p->s_w.push_back(static_cast<float>(s_w_base * rng.scale(0.25f, 1.0f)));
  if (exact)
    for (float& s_w : p->s_w) s_w = qrun::testing::nearest_power_of_two(s_w);
  if (rng.uniform_int(0, 3) != 0) {
    // Real bias of the order of the accumulator, quantized with scale
    // s_x * s_w[c] as a converter would.
    for (int oc = 0; oc < g.out_c; ++oc) {
      const double s_acc = double{p->s_x} * p->s_w[oc];
      const double real_bias = rng.uniform_float(-1, 1) * acc_std * s_acc;
      p->bias.push_back(static_cast<int32_t>(std::nearbyint(real_bias / s_acc)));
    }
  }

  const OracleResult real = real_outputs(c, *p);
  const auto [lo, hi] = std::minmax_element(real.value.begin(), real.value.end());
  p->zp_y = qrun::testing::random_zero_point(rng);
  p->s_y = qrun::testing::calibrated_scale(rng, *lo, *hi, p->zp_y);
  if (exact) p->s_y = qrun::testing::nearest_power_of_two(p->s_y);
  p->clamp = qrun::testing::random_fused_clamp(rng, p->s_y, p->zp_y);
  for (int oc = 0; oc < g.out_c; ++oc) p->requant_scale.push_back(p->s_x * p->s_w[oc] / p->s_y);

  std::vector<int32_t> q;
  for (double v : real.value) {
    q.push_back(oracle_quantize(v, p->s_y, p->zp_y, p->clamp.qmin, p->clamp.qmax));
    const double t = v / p->s_y;
    p->ties += t - std::floor(t) == 0.5 && q.back() > p->clamp.qmin && q.back() < p->clamp.qmax;
  }
  return q;
}

std::vector<int8_t> run_conv_s8(const Conv2DGeometry& g, const QuantProblem& p) {
  QuantizedOutput out;
  out.zero_point = p.zp_y;
  out.qmin = p.clamp.qmin;
  out.qmax = p.clamp.qmax;
  std::vector<int8_t> got(output_count(g), 0x55);
  conv2d_s8(g, p.input.data(), p.zp_x, p.weights.data(), p.bias.empty() ? nullptr : p.bias.data(),
            p.requant_scale.data(), out, got.data());
  return got;
}

// ---------------------------------------------------------------------------
// Hand-computed int8 cases

// 1x3x3x1 input, zero point 1, so x - zp = 1..9:
//   1 2 3
//   4 5 6
//   7 8 9
// 2x2 kernel, stride 1, no padding -> 2x2 output, 3 output channels, output
// zero point -3, full range [-128, 127] (the clamp in real terms is
// [-125, 130] before + zp).
//  ch0: w = [1 0; 0 1], bias -1, scale 0.5.
//       acc = a[y][x] + a[y+1][x+1] - 1 = 5, 7, 11, 13
//       * 0.5 = 2.5, 3.5, 5.5, 6.5 -> half to even 2, 4, 6, 6 -> + zp: -1, 1, 3, 3
//  ch1: w = 127 everywhere, bias 0, scale 1: acc >= 127 * 12 = 1524 -> 127
//  ch2: w = -127 everywhere, bias 0, scale 1/16: window sums 12, 16, 24, 28
//       -> -95.25 -> -95 - 3 = -98; -127, -190.5, -222.25 all clamp to -125 -> -128
TEST(Conv2DS8, HandComputedTiesAndSaturation) {
  Conv2DGeometry g;
  g.in_h = g.in_w = 3;
  g.in_c = 1;
  g.out_h = g.out_w = 2;
  g.out_c = 3;
  g.kernel_h = g.kernel_w = 2;
  const std::vector<int8_t> input = {2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::vector<int8_t> weights = {1,    0,    0,    1,      // ch0
                                       127,  127,  127,  127,    // ch1
                                       -127, -127, -127, -127};  // ch2
  const std::vector<int32_t> bias = {-1, 0, 0};
  const std::vector<float> scale = {0.5f, 1.0f, 0.0625f};
  QuantizedOutput out;
  out.zero_point = -3;
  std::vector<int8_t> got(12);
  conv2d_s8(g, input.data(), 1, weights.data(), bias.data(), scale.data(), out, got.data());
  const std::vector<int8_t> want = {-1, 127, -98,    // (0,0)
                                    1,  127, -128,   // (0,1)
                                    3,  127, -128,   // (1,0)
                                    3,  127, -128};  // (1,1)
  EXPECT_EQ(got, want);
}

// Depthwise, 2 channels, 2x2 input, input zero point 5, 2x2 all-ones kernel,
// stride 1, pad 1 on every side -> 3x3 output. Scale 1, output zero point 0,
// ReLU (qmin = 0). Out-of-image taps must act as the zero point (5), i.e.
// contribute nothing, so each output is the sum of the in-image x - zp:
//  ch0: x - zp = [1 2; 3 4]   -> [1 3 2; 4 10 6; 3 7 4]
//  ch1: x - zp = [-1 2; -3 4] -> [-1 1 2; -4 2 6; -3 1 4] -> ReLU [0 1 2; 0 2 6; 0 1 4]
TEST(Conv2DS8, HandComputedPaddingActsAsZeroPoint) {
  Conv2DGeometry g;
  g.in_h = g.in_w = 2;
  g.in_c = 2;
  g.out_h = g.out_w = 3;
  g.out_c = 2;
  g.groups = 2;
  g.kernel_h = g.kernel_w = 2;
  g.pad_top = g.pad_left = 1;
  const std::vector<int8_t> input = {6, 4, 7, 7, 8, 2, 9, 9};  // NHWC, channels interleaved
  const std::vector<int8_t> weights(8, 1);
  const std::vector<float> scale = {1.0f, 1.0f};
  QuantizedOutput out;
  out.qmin = 0;
  std::vector<int8_t> got(18);
  conv2d_s8(g, input.data(), 5, weights.data(), nullptr, scale.data(), out, got.data());
  const std::vector<int8_t> want = {1, 0, 3, 1, 2, 2, 4, 0, 10, 2, 6, 6, 3, 0, 7, 1, 4, 4};
  EXPECT_EQ(got, want);
}

// ---------------------------------------------------------------------------
// Randomized int8 against the double oracle

TEST(Conv2DS8, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0xC0417D5EEDull;
  constexpr int kConfigs = 300;
  Rng rng(kSeed);
  DiffTally tally;
  int exact_ties = 0;  // round-half-to-even decisions checked with no slack
  int depthwise = 0, grouped = 0, padded = 0;
  size_t at_bound = 0;  // oracle outputs equal to qmin or qmax
  int made = 0;
  for (int attempt = 0; made < kConfigs; ++attempt) {
    ASSERT_LT(attempt, 50 * kConfigs) << "geometry generator rejects too much";
    ConvConfig c;
    if (!random_config(rng, &c)) continue;
    const int index = made++;
    const Conv2DGeometry& g = c.g;
    const bool exact = index % 4 == 3;
    QuantProblem p;
    const std::vector<int32_t> want = random_problem(rng, c, &p, exact);
    std::ostringstream trace;
    trace << "seed=" << kSeed << " config #" << index << ": " << describe(c) << " s_x=" << p.s_x
          << " zp_x=" << p.zp_x << " s_y=" << p.s_y << " zp_y=" << p.zp_y << " clamp="
          << p.clamp.name << "[" << p.clamp.qmin << "," << p.clamp.qmax << "]"
          << (p.bias.empty() ? " no bias" : "") << (exact ? " power-of-two scales" : "");
    SCOPED_TRACE(trace.str());

    const std::vector<int8_t> got = run_conv_s8(g, p);
    const DiffStats s = compare_q(got, want);
    tally.add(s);
    ASSERT_LE(s.max_abs_diff, 1);
    EXPECT_LE(s.mismatches, 1 + s.count / 100);
    if (exact) {
      EXPECT_EQ(s.mismatches, 0u) << "power-of-two scales leave no room for rounding slack";
      exact_ties += p.ties;
    }

    depthwise += g.groups == g.in_c && g.groups > 1;
    grouped += g.groups > 1 && g.groups != g.in_c;
    padded += g.pad_top + g.pad_left + c.pad_bottom + c.pad_right > 0;
    for (int32_t v : want) at_bound += v == p.clamp.qmin || v == p.clamp.qmax;
  }
  std::cout << tally.summary("conv2d_s8") << "; exact halfway cases in power-of-two configs "
            << exact_ties << "; depthwise " << depthwise << ", grouped " << grouped << ", padded "
            << padded << ", outputs at a clamp bound " << at_bound << "\n";
  EXPECT_LE(tally.mismatches, tally.count / 100);
  EXPECT_GE(exact_ties, 100) << "the power-of-two configs must exercise round half to even";
  // The generator must keep exercising the interesting cases.
  EXPECT_GE(depthwise, kConfigs / 10);
  EXPECT_GE(grouped, kConfigs / 10);
  EXPECT_GE(padded, kConfigs / 2);
  // Clamping is exercised, but most outputs must carry information.
  EXPECT_GT(at_bound, 0u);
  EXPECT_LT(at_bound, tally.count / 2);
}

// ---------------------------------------------------------------------------
// float32

// Same layout as HandComputedTiesAndSaturation ch0 with x = 1..9 (no zero
// point): 1+5, 2+6, 4+8, 5+9 = 6, 8, 12, 14, + bias 0.5, clamped to [0, 10].
TEST(Conv2DF32, HandComputed) {
  Conv2DGeometry g;
  g.in_h = g.in_w = 3;
  g.in_c = 1;
  g.out_h = g.out_w = 2;
  g.out_c = 1;
  g.kernel_h = g.kernel_w = 2;
  const std::vector<float> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> weights = {1, 0, 0, 1};
  const float bias = 0.5f;
  std::vector<float> got(4);
  conv2d_f32(g, input.data(), weights.data(), &bias, 0.0f, 10.0f, got.data());
  EXPECT_EQ(got, (std::vector<float>{6.5f, 8.5f, 10.0f, 10.0f}));
}

TEST(Conv2DF32, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0xF32C0417ull;
  constexpr int kConfigs = 200;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  Rng rng(kSeed);
  int made = 0;
  double worst_ratio = 0;  // max |error| / tolerance
  for (int attempt = 0; made < kConfigs; ++attempt) {
    ASSERT_LT(attempt, 50 * kConfigs);
    ConvConfig c;
    if (!random_config(rng, &c)) continue;
    const int index = made++;
    const Conv2DGeometry& g = c.g;
    const std::vector<float> input = rng.floats(input_count(g), -1, 1);
    const std::vector<float> weights = rng.floats(weight_count(g), -1, 1);
    std::vector<float> bias;
    if (rng.coin()) bias = rng.floats(g.out_c, -1, 1);
    float lo = -kInf, hi = kInf;
    switch (rng.uniform_int(0, 2)) {
      case 0: lo = 0; break;                // ReLU
      case 1: lo = -0.5f, hi = 0.5f; break;  // a clamp that bites
      default: break;                       // none
    }
    SCOPED_TRACE("seed=" + std::to_string(kSeed) + " config #" + std::to_string(index) + ": " +
                 describe(c));

    std::vector<double> x(input.begin(), input.end()), w(weights.begin(), weights.end()),
        b(bias.begin(), bias.end());
    const OracleResult r = oracle_conv(c, x, w, bias.empty() ? nullptr : &b);
    std::vector<float> got(output_count(g), std::nanf(""));
    conv2d_f32(g, input.data(), weights.data(), bias.empty() ? nullptr : bias.data(), lo, hi,
               got.data());
    const int64_t n_terms = taps_per_output(g) + 1;
    for (size_t i = 0; i < got.size(); ++i) {
      const double want = std::min<double>(std::max<double>(r.value[i], lo), hi);
      const double tol = qrun::testing::float_sum_tolerance(n_terms, r.abs_sum[i]);
      ASSERT_LE(std::fabs(got[i] - want), tol) << "output " << i;
      if (tol > 0) worst_ratio = std::max(worst_ratio, std::fabs(got[i] - want) / tol);
    }
  }
  std::cout << "conv2d_f32: " << made << " configs, worst |error| / tolerance " << worst_ratio
            << "\n";
}

}  // namespace
}  // namespace qrun::kernels::ref

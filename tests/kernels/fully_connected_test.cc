// FullyConnected reference kernels against hand-computed cases and an
// independent double-precision oracle.
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
#include "kernels/reference/fully_connected.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::compare_q;
using qrun::testing::DiffStats;
using qrun::testing::DiffTally;
using qrun::testing::FusedClamp;
using qrun::testing::oracle_quantize;
using qrun::testing::Rng;

std::string describe(const FullyConnectedGeometry& g) {
  std::ostringstream s;
  s << "batch=" << g.batch << " in=" << g.in_features << " out=" << g.out_features;
  return s.str();
}

FullyConnectedGeometry random_geometry(Rng& rng) {
  FullyConnectedGeometry g;
  g.batch = rng.uniform_int(1, 4);
  // Mostly small, sometimes long rows (long rows stress the int32 sums).
  g.in_features = rng.coin() ? rng.uniform_int(1, 32) : rng.uniform_int(1, 300);
  g.out_features = rng.coin() ? rng.uniform_int(1, 32) : rng.uniform_int(1, 300);
  return g;
}

struct RealResult {
  std::vector<double> value;    // [batch][out]
  std::vector<double> abs_sum;  // sum of |terms| per output
};

// out[b][o] = bias[o] + sum_i x[b][i] * w[o][i], all in double.
RealResult oracle_fc(const FullyConnectedGeometry& g, const std::vector<double>& x,
                     const std::vector<double>& w, const std::vector<double>* bias) {
  RealResult r;
  for (int b = 0; b < g.batch; ++b)
    for (int o = 0; o < g.out_features; ++o) {
      double sum = bias ? (*bias)[o] : 0.0;
      double abs_sum = bias ? std::fabs((*bias)[o]) : 0.0;
      for (int i = 0; i < g.in_features; ++i) {
        const double t = x[static_cast<size_t>(b) * g.in_features + i] *
                         w[static_cast<size_t>(o) * g.in_features + i];
        sum += t;
        abs_sum += std::fabs(t);
      }
      r.value.push_back(sum);
      r.abs_sum.push_back(abs_sum);
    }
  return r;
}

// ---------------------------------------------------------------------------
// Random int8 problem: real quantization parameters, output calibrated on the
// real outputs.

struct QuantProblem {
  std::vector<int8_t> input, weights;
  std::vector<int32_t> bias;  // empty = null bias
  float s_x = 1, s_y = 1;
  std::vector<float> s_w;
  int32_t zp_x = 0, zp_y = 0;
  FusedClamp clamp;
  std::vector<float> requant_scale;
  int ties = 0;  // outputs whose real value / s_y is exactly halfway between integers
};

// `exact` rounds every scale to a power of two (see nearest_power_of_two).
// Returns the oracle's int8 outputs.
std::vector<int32_t> random_problem(Rng& rng, const FullyConnectedGeometry& g, QuantProblem* p,
                                    bool exact) {
  const size_t n_input = static_cast<size_t>(g.batch) * g.in_features;
  const size_t n_weights = static_cast<size_t>(g.out_features) * g.in_features;
  p->s_x = rng.scale();
  if (exact) p->s_x = qrun::testing::nearest_power_of_two(p->s_x);
  p->zp_x = qrun::testing::random_zero_point(rng);
  if (exact) {
    // Small values keep the accumulators small, so the requantization scale
    // lands on 1/2 .. 1/8 and many results are exact halfway cases.
    p->input = rng.int8s(n_input, std::max(-128, p->zp_x - 8), std::min(127, p->zp_x + 8));
    p->weights = rng.int8s(n_weights, -8, 8);
  } else {
    p->input = rng.int8s(n_input);
    p->weights = rng.int8s(n_weights, -127, 127);
  }
  // Real outputs of magnitude 1-20 (see conv2d_test.cc for the rms estimate).
  // (x - zp and w uniform on [-8, 8] have rms ~5.5 in exact mode.)
  const double x_rms =
      exact ? 5.5 : std::sqrt(73.9 * 73.9 + (p->zp_x + 0.5) * (p->zp_x + 0.5));
  const double acc_std =
      std::sqrt(static_cast<double>(g.in_features)) * (exact ? 5.5 : 73.3) * x_rms;
  const double s_w_base = rng.scale(1.0f, 20.0f) / (p->s_x * acc_std);
  for (int o = 0; o < g.out_features; ++o)
    p->s_w.push_back(static_cast<float>(s_w_base * rng.scale(0.25f, 1.0f)));
  if (exact)
    for (float& s_w : p->s_w) s_w = qrun::testing::nearest_power_of_two(s_w);
  if (rng.uniform_int(0, 3) != 0) {
    for (int o = 0; o < g.out_features; ++o) {
      const double s_acc = double{p->s_x} * p->s_w[o];
      const double real_bias = rng.uniform_float(-1, 1) * acc_std * s_acc;
      p->bias.push_back(static_cast<int32_t>(std::nearbyint(real_bias / s_acc)));
    }
  }

  std::vector<double> x(p->input.size()), w(p->weights.size()), bias;
  for (size_t i = 0; i < x.size(); ++i) x[i] = double{p->s_x} * (p->input[i] - p->zp_x);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = double{p->s_w[i / g.in_features]} * p->weights[i];
  for (size_t o = 0; o < p->bias.size(); ++o)
    bias.push_back(double{p->s_x} * double{p->s_w[o]} * p->bias[o]);
  const RealResult real = oracle_fc(g, x, w, p->bias.empty() ? nullptr : &bias);

  const auto [lo, hi] = std::minmax_element(real.value.begin(), real.value.end());
  p->zp_y = qrun::testing::random_zero_point(rng);
  p->s_y = qrun::testing::calibrated_scale(rng, *lo, *hi, p->zp_y);
  if (exact) p->s_y = qrun::testing::nearest_power_of_two(p->s_y);
  p->clamp = qrun::testing::random_fused_clamp(rng, p->s_y, p->zp_y);
  for (int o = 0; o < g.out_features; ++o) p->requant_scale.push_back(p->s_x * p->s_w[o] / p->s_y);

  std::vector<int32_t> q;
  for (double v : real.value) {
    q.push_back(oracle_quantize(v, p->s_y, p->zp_y, p->clamp.qmin, p->clamp.qmax));
    const double t = v / p->s_y;
    p->ties += t - std::floor(t) == 0.5 && q.back() > p->clamp.qmin && q.back() < p->clamp.qmax;
  }
  return q;
}

std::vector<int8_t> run_fc_s8(const FullyConnectedGeometry& g, const QuantProblem& p) {
  QuantizedOutput out;
  out.zero_point = p.zp_y;
  out.qmin = p.clamp.qmin;
  out.qmax = p.clamp.qmax;
  std::vector<int8_t> got(static_cast<size_t>(g.batch) * g.out_features, 0x55);
  fully_connected_s8(g, p.input.data(), p.zp_x, p.weights.data(),
                     p.bias.empty() ? nullptr : p.bias.data(), p.requant_scale.data(), out,
                     got.data());
  return got;
}

// ---------------------------------------------------------------------------
// Hand-computed int8 case

// batch 2, 3 inputs, 3 outputs, input zero point 10, output zero point 2,
// full range (so the real clamp before + zp is [-130, 125]).
//   batch0 x = {10, -20, 30} -> x - zp = {0, -30, 20}
//   batch1 x = {11, 12, 13}  -> x - zp = {1, 2, 3}
//   out0: w = {1, 1, 1}, bias 5, scale 0.5
//         b0: -10 + 5 = -5 -> -2.5 -> -2 (half to even) -> 0
//         b1:   6 + 5 = 11 ->  5.5 ->  6                -> 8
//   out1: w = {2, 0, 1}, bias -11, scale 0.5
//         b0: 20 - 11 = 9  ->  4.5 ->  4 -> 6
//         b1:  5 - 11 = -6 -> -3   -> -3 -> -1
//   out2: w = {127, 127, 127}, bias 0, scale 1
//         b0: -1270 -> clamps to -130 -> -128;  b1: 762 -> clamps to 125 -> 127
TEST(FullyConnectedS8, HandComputedTiesAndSaturation) {
  FullyConnectedGeometry g;
  g.batch = 2;
  g.in_features = 3;
  g.out_features = 3;
  const std::vector<int8_t> input = {10, -20, 30, 11, 12, 13};
  const std::vector<int8_t> weights = {1, 1, 1, 2, 0, 1, 127, 127, 127};
  const std::vector<int32_t> bias = {5, -11, 0};
  const std::vector<float> scale = {0.5f, 0.5f, 1.0f};
  QuantizedOutput out;
  out.zero_point = 2;
  std::vector<int8_t> got(6);
  fully_connected_s8(g, input.data(), 10, weights.data(), bias.data(), scale.data(), out,
                     got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{0, 6, -128, 8, -1, 127}));

  // Same problem with a fused ReLU (qmin = zero point) and no bias:
  //   b0: out0 -10 * 0.5 = -5 -> 2 (clamped);  out1 20 * 0.5 = 10 -> 12;  out2 -1270 -> 2
  //   b1: out0   6 * 0.5 =  3 -> 5;  out1 5 * 0.5 = 2.5 -> 2 -> 4;       out2   762 -> 127
  out.qmin = 2;
  fully_connected_s8(g, input.data(), 10, weights.data(), nullptr, scale.data(), out, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{2, 12, 2, 5, 4, 127}));
}

TEST(FullyConnectedS8, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0xFC5EED01ull;
  constexpr int kConfigs = 250;
  Rng rng(kSeed);
  DiffTally tally;
  int exact_ties = 0;  // round-half-to-even decisions checked with no slack
  size_t at_bound = 0;
  for (int index = 0; index < kConfigs; ++index) {
    const FullyConnectedGeometry g = random_geometry(rng);
    const bool exact = index % 4 == 3;
    QuantProblem p;
    const std::vector<int32_t> want = random_problem(rng, g, &p, exact);
    std::ostringstream trace;
    trace << "seed=" << kSeed << " config #" << index << ": " << describe(g) << " s_x=" << p.s_x
          << " zp_x=" << p.zp_x << " s_y=" << p.s_y << " zp_y=" << p.zp_y << " clamp="
          << p.clamp.name << "[" << p.clamp.qmin << "," << p.clamp.qmax << "]"
          << (p.bias.empty() ? " no bias" : "") << (exact ? " power-of-two scales" : "");
    SCOPED_TRACE(trace.str());

    const DiffStats s = compare_q(run_fc_s8(g, p), want);
    tally.add(s);
    ASSERT_LE(s.max_abs_diff, 1);
    EXPECT_LE(s.mismatches, 1 + s.count / 100);
    if (exact) {
      EXPECT_EQ(s.mismatches, 0u) << "power-of-two scales leave no room for rounding slack";
      exact_ties += p.ties;
    }
    for (int32_t v : want) at_bound += v == p.clamp.qmin || v == p.clamp.qmax;
  }
  std::cout << tally.summary("fully_connected_s8")
            << "; exact halfway cases in power-of-two configs " << exact_ties
            << "; outputs at a clamp bound " << at_bound << "\n";
  EXPECT_LE(tally.mismatches, tally.count / 100);
  EXPECT_GE(exact_ties, 100) << "the power-of-two configs must exercise round half to even";
  EXPECT_GT(at_bound, 0u);
  EXPECT_LT(at_bound, tally.count / 2);
}

// ---------------------------------------------------------------------------
// float32

// x = {1, 2, 3}; w0 = {0.5, 0.25, -1}, w1 = {1, 1, 1}; bias {0.25, -10}:
//   out0 = 0.5 + 0.5 - 3 + 0.25 = -1.75;  out1 = 6 - 10 = -4; clamp [-2, +inf)
TEST(FullyConnectedF32, HandComputed) {
  FullyConnectedGeometry g;
  g.in_features = 3;
  g.out_features = 2;
  const std::vector<float> input = {1, 2, 3};
  const std::vector<float> weights = {0.5f, 0.25f, -1, 1, 1, 1};
  const std::vector<float> bias = {0.25f, -10};
  std::vector<float> got(2);
  fully_connected_f32(g, input.data(), weights.data(), bias.data(), -2.0f,
                      std::numeric_limits<float>::infinity(), got.data());
  EXPECT_EQ(got, (std::vector<float>{-1.75f, -2.0f}));
}

TEST(FullyConnectedF32, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0xFCF32ull;
  constexpr int kConfigs = 200;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  Rng rng(kSeed);
  double worst_ratio = 0;
  for (int index = 0; index < kConfigs; ++index) {
    const FullyConnectedGeometry g = random_geometry(rng);
    const std::vector<float> input =
        rng.floats(static_cast<size_t>(g.batch) * g.in_features, -1, 1);
    const std::vector<float> weights =
        rng.floats(static_cast<size_t>(g.out_features) * g.in_features, -1, 1);
    std::vector<float> bias;
    if (rng.coin()) bias = rng.floats(g.out_features, -1, 1);
    float lo = -kInf, hi = kInf;
    if (rng.coin()) lo = 0, hi = 6;  // ReLU6
    SCOPED_TRACE("seed=" + std::to_string(kSeed) + " config #" + std::to_string(index) + ": " +
                 describe(g));

    std::vector<double> x(input.begin(), input.end()), w(weights.begin(), weights.end()),
        b(bias.begin(), bias.end());
    const RealResult r = oracle_fc(g, x, w, bias.empty() ? nullptr : &b);
    std::vector<float> got(static_cast<size_t>(g.batch) * g.out_features, std::nanf(""));
    fully_connected_f32(g, input.data(), weights.data(), bias.empty() ? nullptr : bias.data(), lo,
                        hi, got.data());
    for (size_t i = 0; i < got.size(); ++i) {
      const double want = std::min<double>(std::max<double>(r.value[i], lo), hi);
      const double tol = qrun::testing::float_sum_tolerance(g.in_features + 1, r.abs_sum[i]);
      ASSERT_LE(std::fabs(got[i] - want), tol) << "output " << i;
      if (tol > 0) worst_ratio = std::max(worst_ratio, std::fabs(got[i] - want) / tol);
    }
  }
  std::cout << "fully_connected_f32: " << kConfigs << " configs, worst |error| / tolerance "
            << worst_ratio << "\n";
}

}  // namespace
}  // namespace qrun::kernels::ref

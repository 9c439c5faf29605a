// Reference activations: the whole int8 table of every kind against a
// double-precision oracle, and the float32 path against the same oracle.
#include "kernels/reference/unary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <vector>

#include "kernel_test_util.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::compare_q;
using qrun::testing::DiffStats;
using qrun::testing::oracle_quantize;
using qrun::testing::random_zero_point;
using qrun::testing::Rng;

constexpr int kConfigsPerKind = 50;
constexpr UnaryKind kAllKinds[] = {
    UnaryKind::kRelu,    UnaryKind::kRelu6, UnaryKind::kHardSwish, UnaryKind::kHardSigmoid,
    UnaryKind::kSigmoid, UnaryKind::kTanh,  UnaryKind::kLeakyRelu, UnaryKind::kClamp};
const char* const kKindNames[] = {"relu",    "relu6", "hard_swish", "hard_sigmoid",
                                  "sigmoid", "tanh",  "leaky_relu", "clamp"};

// The activations written out again in double, independent of unary_value.
double oracle_unary(const UnaryParams& p, double x) {
  const double alpha = p.alpha, beta = p.beta;
  switch (p.kind) {
    case UnaryKind::kRelu:
      return std::max(x, 0.0);
    case UnaryKind::kRelu6:
      return std::min(std::max(x, 0.0), 6.0);
    case UnaryKind::kHardSwish:
      return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
    case UnaryKind::kHardSigmoid:
      return std::max(0.0, std::min(1.0, alpha * x + beta));
    case UnaryKind::kSigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case UnaryKind::kTanh:
      return std::tanh(x);
    case UnaryKind::kLeakyRelu:
      return x < 0.0 ? alpha * x : x;
    case UnaryKind::kClamp:
      return std::min(std::max(x, double{p.min}), double{p.max});
  }
  return x;
}

UnaryParams random_params(Rng& rng, UnaryKind kind) {
  UnaryParams p;
  p.kind = kind;
  if (kind == UnaryKind::kHardSigmoid) {
    p.alpha = rng.uniform_float(0.1f, 0.3f);
    p.beta = rng.uniform_float(0.3f, 0.7f);
  } else if (kind == UnaryKind::kLeakyRelu) {
    p.alpha = rng.scale(0.01f, 0.5f);
  } else if (kind == UnaryKind::kClamp) {
    p.min = rng.uniform_float(-3.0f, 0.0f);
    p.max = rng.uniform_float(0.5f, 6.0f);
  }
  return p;
}

// Builds the table through the kernel, runs all 256 codes through lookup_s8
// and compares them with the oracle's codes. Adds the number of oracle codes
// on qmin / qmax to *clamped.
DiffStats check_table(const UnaryParams& p, float s_in, int32_t zp_in, float s_out, int32_t zp_out,
                      int32_t qmin, int32_t qmax, size_t* clamped) {
  int8_t table[256];
  build_unary_table_s8(p, s_in, zp_in, s_out, zp_out, qmin, qmax, table);
  std::vector<int8_t> codes(256), got(256);
  for (int q = -128; q <= 127; ++q) codes[q + 128] = static_cast<int8_t>(q);
  lookup_s8(codes.size(), codes.data(), table, got.data());
  std::vector<int32_t> want(256);
  for (int q = -128; q <= 127; ++q) {
    const double x = double{s_in} * (q - zp_in);
    want[q + 128] = oracle_quantize(oracle_unary(p, x), s_out, zp_out, qmin, qmax);
    *clamped += want[q + 128] == qmin || want[q + 128] == qmax;
  }
  return compare_q(got, want);
}

// ReLU, s_in 0.5, zp_in 1, s_out 0.25, zp_out -3:
//   q=-128: x=-64.5 -> 0 -> -3       q=0: x=-0.5 -> 0 -> -3    q=1: x=0 -> -3
//   q=2: x=0.5 -> 2 -> -1            q=3: x=1 -> 4 -> 1
//   q=127: x=63 -> 252, clamped to 127-(-3)=130 -> 127
TEST(UnaryS8, HandComputedRelu) {
  UnaryParams p;
  p.kind = UnaryKind::kRelu;
  int8_t t[256];
  build_unary_table_s8(p, 0.5f, 1, 0.25f, -3, -128, 127, t);
  EXPECT_EQ(t[0], -3);
  EXPECT_EQ(t[128], -3);
  EXPECT_EQ(t[129], -3);
  EXPECT_EQ(t[130], -1);
  EXPECT_EQ(t[131], 1);
  EXPECT_EQ(t[255], 127);
}

// HardSwish x*relu6(x+3)/6, s_in 1, zp_in 0, s_out 0.5, zp_out 0:
//   x=-3 -> 0 -> 0;  x=-2 -> -1/3 -> -0.67 -> -1;  x=-1 -> -1/3 -> -1;
//   x=1 -> 2/3 -> 1.33 -> 1;  x=2 -> 5/3 -> 3.33 -> 3;  x=3 -> 3 -> 6;
//   x=5 -> 5 -> 10;  x=100 -> 200 -> 127.
TEST(UnaryS8, HandComputedHardSwish) {
  UnaryParams p;
  p.kind = UnaryKind::kHardSwish;
  int8_t t[256];
  build_unary_table_s8(p, 1.0f, 0, 0.5f, 0, -128, 127, t);
  const int xs[] = {-3, -2, -1, 0, 1, 2, 3, 5, 100};
  const int want[] = {0, -1, -1, 0, 1, 3, 6, 10, 127};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(t[xs[i] + 128], want[i]) << "x=" << xs[i];
}

// LeakyRelu alpha 0.25, unit scales, zero points 0: exact ties round to even.
//   x=-10 -> -2.5 -> -2;  x=-6 -> -1.5 -> -2;  x=-2 -> -0.5 -> 0;  x=5 -> 5.
// Then lookup_s8 over [5, -10, -6, -2] -> [5, -2, -2, 0].
TEST(UnaryS8, HandComputedLeakyReluTies) {
  UnaryParams p;
  p.kind = UnaryKind::kLeakyRelu;
  p.alpha = 0.25f;
  int8_t t[256];
  build_unary_table_s8(p, 1.0f, 0, 1.0f, 0, -128, 127, t);
  const std::vector<int8_t> in = {5, -10, -6, -2};
  std::vector<int8_t> out(4);
  lookup_s8(in.size(), in.data(), t, out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{5, -2, -2, 0}));
}

TEST(UnaryS8, AllKindsTableVsDoubleOracle) {
  Rng rng(31);
  for (size_t k = 0; k < std::size(kAllKinds); ++k) {
    DiffStats total;
    size_t clamped = 0;
    for (int i = 0; i < kConfigsPerKind; ++i) {
      const UnaryParams p = random_params(rng, kAllKinds[k]);
      // Saturating kinds get input grids that keep most codes in their
      // transition region (|x| up to ~13), the rest up to |x| ~ 64.
      const bool smooth = kAllKinds[k] == UnaryKind::kSigmoid || kAllKinds[k] == UnaryKind::kTanh ||
                          kAllKinds[k] == UnaryKind::kHardSigmoid ||
                          kAllKinds[k] == UnaryKind::kHardSwish;
      float s_in = rng.scale(2e-3f, smooth ? 0.05f : 0.5f);
      // Power-of-two grids (one config in five): with s_out = 2 or 4 s_in the
      // piecewise-linear kinds hit exact .5 ties that must round to even.
      const bool pow2 = i % 5 == 1;
      if (pow2) s_in = std::ldexp(1.0f, rng.uniform_int(-7, -1));
      const int32_t zp_in = random_zero_point(rng);
      // Output grid sized to the function's range over the input codes (as a
      // calibrator would), sometimes the input's own grid.
      double lo = 0.0, hi = 0.0;
      for (int q = -128; q <= 127; ++q) {
        const double y = oracle_unary(p, double{s_in} * (q - zp_in));
        lo = std::min(lo, y);
        hi = std::max(hi, y);
      }
      float s_out = static_cast<float>(std::max(hi - lo, 1e-3) / 255.0) * rng.scale(0.7f, 1.5f);
      int32_t zp_out =
          static_cast<int32_t>(std::clamp(std::nearbyint(-128.0 - lo / s_out), -128.0, 127.0));
      if (i % 5 == 0) s_out = s_in;
      if (pow2) s_out = s_in * static_cast<float>(rng.uniform_int(1, 2) * 2);
      if (i % 4 == 0) zp_out = random_zero_point(rng);
      int32_t qmin = -128, qmax = 127;
      if (i % 3 == 0) {  // a fused clamp on top
        qmin = rng.uniform_int(-128, -64);
        qmax = rng.uniform_int(64, 127);
      }
      const DiffStats s = check_table(p, s_in, zp_in, s_out, zp_out, qmin, qmax, &clamped);
      ASSERT_LE(s.max_abs_diff, 1)
          << kKindNames[k] << " config " << i << " s_in " << s_in << " zp_in " << zp_in << " s_out "
          << s_out << " zp_out " << zp_out;
      // Power-of-two grids make ReLU / ReLU6 / Clamp exact in float and double.
      const UnaryKind kind = kAllKinds[k];
      if (pow2 &&
          (kind == UnaryKind::kRelu || kind == UnaryKind::kRelu6 || kind == UnaryKind::kClamp)) {
        ASSERT_EQ(s.mismatches, 0u) << kKindNames[k] << " exact config " << i;
      }
      qrun::testing::accumulate(total, s);
    }
    std::printf(
        "[ stats    ] unary_s8 %s: %d tables, %zu entries (%zu on qmin/qmax), %zu "
        "mismatches vs oracle, max |diff| %d\n",
        kKindNames[k], kConfigsPerKind, total.count, clamped, total.mismatches, total.max_abs_diff);
    EXPECT_LE(static_cast<double>(total.mismatches), 0.01 * static_cast<double>(total.count))
        << kKindNames[k];
  }
}

// float32 path: every kind on random inputs plus the kinks (0, +-3, 6).
TEST(UnaryF32, AllKindsVsDoubleOracle) {
  Rng rng(32);
  for (size_t k = 0; k < std::size(kAllKinds); ++k) {
    for (int i = 0; i < kConfigsPerKind; ++i) {
      const UnaryParams p = random_params(rng, kAllKinds[k]);
      std::vector<float> x = rng.floats(64, -12.0f, 12.0f);
      x.insert(x.end(), {0.0f, -0.0f, 3.0f, -3.0f, 6.0f, -6.0f, 1e-3f, -1e-3f, 40.0f, -40.0f});
      std::vector<float> y(x.size());
      unary_f32(p, x.size(), x.data(), y.data());
      for (size_t j = 0; j < x.size(); ++j) {
        const double want = oracle_unary(p, double{x[j]});
        // float32 math: a few ulp relative, plus a tiny absolute floor for
        // results that are (nearly) zero.
        EXPECT_NEAR(y[j], want, 1e-6 * std::fabs(want) + 1e-7) << kKindNames[k] << " x=" << x[j];
      }
    }
  }
}

}  // namespace
}  // namespace qrun::kernels::ref

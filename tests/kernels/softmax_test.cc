// Reference Softmax: int8 against a double-precision oracle, float32 against
// the same oracle with a relative tolerance, and the int8 path against the
// float path it is documented to be (dequantize -> softmax_f32 -> quantize).
#include "kernels/reference/softmax.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/reference/quantize.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::compare_q;
using qrun::testing::DiffStats;
using qrun::testing::oracle_quantize;
using qrun::testing::random_zero_point;
using qrun::testing::Rng;

constexpr int kConfigs = 300;

// Softmax of one row in double, max-subtracted for range only.
std::vector<double> oracle_softmax_row(const std::vector<double>& x, double beta) {
  const double m = *std::max_element(x.begin(), x.end());
  std::vector<double> e(x.size());
  double sum = 0.0;
  for (size_t i = 0; i < x.size(); ++i) sum += e[i] = std::exp(beta * (x[i] - m));
  for (double& v : e) v /= sum;
  return e;
}

size_t random_depth(Rng& rng, int i) {
  switch (i % 4) {
    case 0:
      return 1;
    case 1:
      return static_cast<size_t>(rng.uniform_int(2, 8));
    case 2:
      return static_cast<size_t>(rng.uniform_int(9, 64));
    default:
      return static_cast<size_t>(rng.uniform_int(100, 300));
  }
}

struct SoftmaxS8Case {
  size_t rows = 1, depth = 1;
  float beta = 1.0f, s_in = 1.0f, s_out = 1.0f / 256.0f;
  int32_t zp_in = 0, zp_out = -128;
  std::vector<int8_t> input;
};

SoftmaxS8Case random_s8_case(Rng& rng, int i) {
  SoftmaxS8Case c;
  c.rows = static_cast<size_t>(rng.uniform_int(1, 6));
  c.depth = random_depth(rng, i);
  c.beta = rng.coin() ? 1.0f : rng.uniform_float(0.1f, 3.0f);
  // One config in four has large logits (|x| up to ~5000).
  c.s_in = (i % 4 == 3) ? rng.scale(1.0f, 20.0f) : rng.scale(1e-2f, 0.5f);
  c.zp_in = random_zero_point(rng);
  if (rng.coin()) {  // the usual [0, 1) grid
    c.s_out = 1.0f / 256.0f;
    c.zp_out = -128;
  } else {
    c.s_out = rng.scale(1.0f / 512.0f, 1.0f / 64.0f);
    c.zp_out = rng.uniform_int(-128, 0);
  }
  c.input = rng.int8s(c.rows * c.depth);
  return c;
}

// Hand-worked, output grid 1/256 with zero point -128 (y -> 256*y - 128):
//   depth 1, [5]: y = 1 -> 128, clamped to 127
//   depth 2, [0, 0]: y = 0.5 each -> 0
//   depth 4, [3, 3, 3, 3]: y = 0.25 each -> -64
//   depth 3, s_in 1, [-128, 127, -128]: e^-255 ~ 0 -> [-128, 127, -128]
TEST(SoftmaxS8, HandComputed) {
  const float s_out = 1.0f / 256.0f;
  int8_t y[4];
  const int8_t one[] = {5};
  softmax_s8(1, 1, 1.0f, one, 0.1f, 0, s_out, -128, y);
  EXPECT_EQ(y[0], 127);
  const int8_t two[] = {0, 0};
  softmax_s8(1, 2, 1.0f, two, 0.1f, 0, s_out, -128, y);
  EXPECT_EQ(std::vector<int8_t>(y, y + 2), (std::vector<int8_t>{0, 0}));
  const int8_t four[] = {3, 3, 3, 3};
  softmax_s8(1, 4, 1.0f, four, 0.3f, 7, s_out, -128, y);
  EXPECT_EQ(std::vector<int8_t>(y, y + 4), (std::vector<int8_t>{-64, -64, -64, -64}));
  const int8_t three[] = {-128, 127, -128};
  softmax_s8(1, 3, 1.0f, three, 1.0f, 0, s_out, -128, y);
  EXPECT_EQ(std::vector<int8_t>(y, y + 3), (std::vector<int8_t>{-128, 127, -128}));
}

TEST(SoftmaxS8, RandomVsDoubleOracle) {
  Rng rng(41);
  DiffStats total;
  for (int i = 0; i < kConfigs; ++i) {
    const SoftmaxS8Case c = random_s8_case(rng, i);
    std::vector<int8_t> got(c.input.size());
    softmax_s8(c.rows, c.depth, c.beta, c.input.data(), c.s_in, c.zp_in, c.s_out, c.zp_out,
               got.data());
    std::vector<int32_t> want(got.size());
    for (size_t r = 0; r < c.rows; ++r) {
      std::vector<double> x(c.depth);
      for (size_t j = 0; j < c.depth; ++j)
        x[j] = double{c.s_in} * (c.input[r * c.depth + j] - c.zp_in);
      const std::vector<double> y = oracle_softmax_row(x, c.beta);
      for (size_t j = 0; j < c.depth; ++j) {
        want[r * c.depth + j] = oracle_quantize(y[j], c.s_out, c.zp_out, -128, 127);
      }
    }
    const DiffStats s = compare_q(got, want);
    ASSERT_LE(s.max_abs_diff, 1) << "config " << i << " depth " << c.depth << " s_in " << c.s_in;
    qrun::testing::accumulate(total, s);
  }
  std::printf(
      "[ stats    ] softmax_s8: %d configs, %zu elements, %zu mismatches vs oracle, "
      "max |diff| %d\n",
      kConfigs, total.count, total.mismatches, total.max_abs_diff);
  EXPECT_LE(static_cast<double>(total.mismatches), 0.01 * static_cast<double>(total.count));
}

// The int8 kernel is documented as dequantize -> float32 softmax -> quantize;
// an optimized kernel has to reproduce that bit for bit, so pin it here.
TEST(SoftmaxS8, MatchesFloatPathBitExact) {
  Rng rng(42);
  for (int i = 0; i < kConfigs; ++i) {
    const SoftmaxS8Case c = random_s8_case(rng, i);
    std::vector<int8_t> got(c.input.size()), via_float(c.input.size());
    softmax_s8(c.rows, c.depth, c.beta, c.input.data(), c.s_in, c.zp_in, c.s_out, c.zp_out,
               got.data());
    std::vector<float> f(c.input.size());
    dequantize_s8_f32(f.size(), c.input.data(), c.s_in, c.zp_in, f.data());
    softmax_f32(c.rows, c.depth, c.beta, f.data(), f.data());  // in place
    quantize_f32_s8(f.size(), f.data(), c.s_out, c.zp_out, via_float.data());
    ASSERT_EQ(got, via_float) << "config " << i;
  }
}

// [0, 0] -> [0.5, 0.5]; [1, 1, 1, 1] -> 0.25 each; [0, ln 3] -> [0.25, 0.75]
// (to float rounding of ln 3).
TEST(SoftmaxF32, HandComputed) {
  float y[4];
  const float two[] = {0.0f, 0.0f};
  softmax_f32(1, 2, 1.0f, two, y);
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_EQ(y[1], 0.5f);
  const float four[] = {1.0f, 1.0f, 1.0f, 1.0f};
  softmax_f32(1, 4, 1.0f, four, y);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[i], 0.25f);
  const float ln3[] = {0.0f, std::log(3.0f)};
  softmax_f32(1, 2, 1.0f, ln3, y);
  EXPECT_NEAR(y[0], 0.25f, 1e-7);
  EXPECT_NEAR(y[1], 0.75f, 1e-7);
}

TEST(SoftmaxF32, RandomVsDoubleOracle) {
  Rng rng(43);
  for (int i = 0; i < kConfigs; ++i) {
    const size_t rows = static_cast<size_t>(rng.uniform_int(1, 6));
    const size_t depth = random_depth(rng, i);
    const float beta = rng.coin() ? 1.0f : rng.uniform_float(0.1f, 3.0f);
    const float range = (i % 4 == 3) ? 1000.0f : rng.uniform_float(0.1f, 20.0f);  // large logits
    const std::vector<float> x = rng.floats(rows * depth, -range, range);
    std::vector<float> y(x.size());
    softmax_f32(rows, depth, beta, x.data(), y.data());
    for (size_t r = 0; r < rows; ++r) {
      const std::vector<double> row(x.begin() + r * depth, x.begin() + (r + 1) * depth);
      const std::vector<double> want = oracle_softmax_row(row, beta);
      for (size_t j = 0; j < depth; ++j) {
        // float32 exp, (x - max) and a float sum over up to 300 terms.
        ASSERT_NEAR(y[r * depth + j], want[j], 1e-5 * want[j] + 1e-7)
            << "config " << i << " row " << r << " col " << j;
      }
    }
  }
}

}  // namespace
}  // namespace qrun::kernels::ref

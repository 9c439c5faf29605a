// Reference Add / Mul (int8 and float32) with numpy broadcasting, checked
// against a double-precision oracle that does its own broadcast indexing.
#include "kernels/reference/binary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "kernel_test_util.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::accumulate;
using qrun::testing::compare_q;
using qrun::testing::DiffStats;
using qrun::testing::oracle_quantize;
using qrun::testing::random_zero_point;
using qrun::testing::Rng;
using Shape = std::vector<int64_t>;

constexpr int kConfigs = 300;
constexpr double kMaxMismatchFraction = 0.01;

int64_t num_elements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string to_string(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

// The test's own numpy rule (no make_broadcast_geometry): right-aligned max.
Shape broadcast_shape(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t ad = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t bd = i < b.size() ? b[b.size() - 1 - i] : 1;
    out[rank - 1 - i] = std::max(ad, bd);
  }
  return out;
}

// Flat index into an input of shape `in` for the output multi-index idx.
int64_t input_index(const Shape& out, const std::vector<int64_t>& idx, const Shape& in) {
  const size_t offset = out.size() - in.size();
  int64_t flat = 0;
  for (size_t d = 0; d < in.size(); ++d) flat = flat * in[d] + (in[d] == 1 ? 0 : idx[offset + d]);
  return flat;
}

// Calls fn(out_flat, a_flat, b_flat) for every output element, row-major.
template <typename Fn>
void for_each_output(const Shape& out, const Shape& a, const Shape& b, Fn fn) {
  std::vector<int64_t> idx(out.size(), 0);
  const int64_t n = num_elements(out);
  for (int64_t i = 0; i < n; ++i) {
    fn(i, input_index(out, idx, a), input_index(out, idx, b));
    for (int d = static_cast<int>(out.size()) - 1; d >= 0; --d) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
}

Shape random_shape(Rng& rng, int rank) {
  Shape s(rank);
  for (auto& d : s) d = rng.uniform_int(1, 7);
  return s;
}

// The suffix of `full` of length `rank` with each dim kept with probability
// ~2/3, else 1: a shape that broadcasts into `full`.
Shape broadcastable_into(Rng& rng, const Shape& full, int rank) {
  Shape s(full.end() - rank, full.end());
  for (auto& d : s) {
    if (rng.uniform_int(0, 2) == 0) d = 1;
  }
  return s;
}

struct BroadcastCase {
  Shape a, b;
  const char* kind;
};

// Cycles through the broadcast patterns the runtime meets; `mode` picks one.
BroadcastCase random_case(Rng& rng, int mode) {
  BroadcastCase c;
  const bool swap = rng.coin();
  switch (mode % 7) {
    case 0: {  // same shape
      c.a = random_shape(rng, rng.uniform_int(1, 5));
      c.b = c.a;
      c.kind = "same";
      break;
    }
    case 1: {  // scalar: rank 0, [1] or all ones
      c.a = random_shape(rng, rng.uniform_int(1, 5));
      const int form = rng.uniform_int(0, 2);
      c.b = form == 0 ? Shape{} : (form == 1 ? Shape{1} : Shape(rng.uniform_int(1, 5), 1));
      c.kind = "scalar";
      break;
    }
    case 2: {  // per-channel [C] against NHWC
      c.a = random_shape(rng, 4);
      c.b = {c.a[3]};
      c.kind = "channel[C]";
      break;
    }
    case 3: {  // [1,1,1,C] against NHWC
      c.a = random_shape(rng, 4);
      c.b = {1, 1, 1, c.a[3]};
      c.kind = "channel[1,1,1,C]";
      break;
    }
    case 4:    // one input broadcast into the other's full shape
    case 5: {  // (swap below makes both directions common)
      c.a = random_shape(rng, rng.uniform_int(1, 5));
      c.b = broadcastable_into(rng, c.a, rng.uniform_int(1, static_cast<int>(c.a.size())));
      c.kind = "one-way";
      break;
    }
    default: {  // mutual: each side has 1s where the other is full
      const Shape full = random_shape(rng, rng.uniform_int(1, 5));
      const int rank = static_cast<int>(full.size());
      c.a = broadcastable_into(rng, full, rng.uniform_int(1, rank));
      c.b = broadcastable_into(rng, full, rng.uniform_int(1, rank));
      c.kind = "mutual";
      break;
    }
  }
  if (swap) std::swap(c.a, c.b);
  return c;
}

BroadcastGeometry geometry_for(const Shape& a, const Shape& b) {
  BroadcastGeometry g;
  EXPECT_TRUE(make_broadcast_geometry(a.data(), static_cast<int>(a.size()), b.data(),
                                      static_cast<int>(b.size()), &g))
      << to_string(a) << " vs " << to_string(b);
  return g;
}

// Output zero point and fused-activation clamp (none, ReLU or ReLU6 on the
// output grid). Usually the zero point is what a calibrator would pick for
// the real range [lo, hi] (or [0, hi] under ReLU), so most outputs exercise
// rounding rather than saturation; without an activation it is random one
// time in four, extremes included.
QuantizedOutput random_output(Rng& rng, float s_y, double lo) {
  QuantizedOutput out;
  const int act = rng.uniform_int(0, 4);  // 0-2 none, 3 ReLU, 4 ReLU6
  if (act >= 3) lo = std::max(lo, 0.0);
  if (act < 3 && rng.uniform_int(0, 3) == 0) {
    out.zero_point = random_zero_point(rng);
  } else {
    const double zp = std::nearbyint(-128.0 - lo / s_y) + rng.uniform_int(-8, 8);
    out.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  }
  if (act >= 3) out.qmin = out.zero_point;
  if (act == 4) {
    const double six = std::nearbyint(6.0 / s_y) + out.zero_point;
    out.qmax = static_cast<int32_t>(std::min(six, 127.0));
  }
  return out;
}

// `clamped` counts oracle outputs sitting on qmin / qmax, so a reader can see
// that most of the checked elements exercise the rounding, not saturation.
void report(const char* name, int configs, const DiffStats& total, size_t clamped) {
  std::printf(
      "[ stats    ] %s: %d configs, %zu elements (%zu on qmin/qmax), %zu mismatches vs "
      "oracle, max |diff| %d\n",
      name, configs, total.count, clamped, total.mismatches, total.max_abs_diff);
}

void expect_rare(const DiffStats& total) {
  EXPECT_LE(total.max_abs_diff, 1);
  EXPECT_LE(static_cast<double>(total.mismatches),
            kMaxMismatchFraction * static_cast<double>(total.count));
}

// ---------------------------------------------------------------------------
// make_broadcast_geometry

TEST(BroadcastGeometry, CompatibleShapes) {
  BroadcastGeometry g;
  const Shape a = {2, 1, 3}, b = {4, 1};
  ASSERT_TRUE(make_broadcast_geometry(a.data(), 3, b.data(), 2, &g));
  EXPECT_EQ(g.rank, 3);
  EXPECT_EQ(Shape(g.out_dims, g.out_dims + 3), (Shape{2, 4, 3}));
  EXPECT_EQ(Shape(g.a_strides, g.a_strides + 3), (Shape{3, 0, 1}));
  EXPECT_EQ(Shape(g.b_strides, g.b_strides + 3), (Shape{0, 1, 0}));

  // Per-channel vector against NHWC.
  const Shape x = {2, 5, 6, 8}, c = {8};
  ASSERT_TRUE(make_broadcast_geometry(x.data(), 4, c.data(), 1, &g));
  EXPECT_EQ(Shape(g.out_dims, g.out_dims + 4), x);
  EXPECT_EQ(Shape(g.a_strides, g.a_strides + 4), (Shape{240, 48, 8, 1}));
  EXPECT_EQ(Shape(g.b_strides, g.b_strides + 4), (Shape{0, 0, 0, 1}));

  // Scalar (rank 0) on either side, and both.
  ASSERT_TRUE(make_broadcast_geometry(nullptr, 0, c.data(), 1, &g));
  EXPECT_EQ(g.rank, 1);
  EXPECT_EQ(g.out_dims[0], 8);
  EXPECT_EQ(g.a_strides[0], 0);
  EXPECT_EQ(g.b_strides[0], 1);
  ASSERT_TRUE(make_broadcast_geometry(nullptr, 0, nullptr, 0, &g));
  EXPECT_EQ(g.rank, 0);

  // Zero-size dims broadcast like any other size; 1 stretches to 0.
  const Shape z = {0, 3}, one = {1, 3};
  ASSERT_TRUE(make_broadcast_geometry(z.data(), 2, one.data(), 2, &g));
  EXPECT_EQ(g.out_dims[0], 0);

  // kMaxRank is allowed.
  const Shape six = {1, 2, 1, 2, 1, 2};
  ASSERT_TRUE(make_broadcast_geometry(six.data(), 6, six.data(), 6, &g));
  EXPECT_EQ(g.rank, 6);
}

TEST(BroadcastGeometry, IncompatibleShapes) {
  BroadcastGeometry g;
  g.rank = 42;  // must be left untouched on failure
  const Shape a = {2, 3}, b = {3, 3}, c = {4}, z = {0}, two = {2}, neg = {-1};
  const Shape seven = {1, 1, 1, 1, 1, 1, 1};
  EXPECT_FALSE(make_broadcast_geometry(a.data(), 2, b.data(), 2, &g));
  EXPECT_FALSE(make_broadcast_geometry(a.data(), 2, c.data(), 1, &g));
  EXPECT_FALSE(make_broadcast_geometry(c.data(), 1, a.data(), 2, &g));
  EXPECT_FALSE(make_broadcast_geometry(z.data(), 1, two.data(), 1, &g));
  EXPECT_FALSE(make_broadcast_geometry(neg.data(), 1, two.data(), 1, &g));
  EXPECT_FALSE(make_broadcast_geometry(seven.data(), 7, two.data(), 1, &g));
  EXPECT_FALSE(make_broadcast_geometry(two.data(), 1, seven.data(), 7, &g));
  EXPECT_FALSE(make_broadcast_geometry(two.data(), -1, two.data(), 1, &g));
  EXPECT_FALSE(make_broadcast_geometry(two.data(), 1, two.data(), 1, nullptr));
  EXPECT_EQ(g.rank, 42);
}

TEST(BroadcastGeometry, RandomShapesMatchNumpyRule) {
  Rng rng(101);
  for (int i = 0; i < kConfigs; ++i) {
    const BroadcastCase c = random_case(rng, i);
    const BroadcastGeometry g = geometry_for(c.a, c.b);
    const Shape out = broadcast_shape(c.a, c.b);
    ASSERT_EQ(g.rank, static_cast<int>(out.size()));
    EXPECT_EQ(Shape(g.out_dims, g.out_dims + g.rank), out) << c.kind;
  }
}

// ---------------------------------------------------------------------------
// add_s8

// a = [10, -20, 127, -128] (za 0, s_a 0.5), b = scalar 3 (zb 1, s_b 0.25),
// s_y 1, zy -5. a_scale 0.5, b_scale 0.25, b's term (3-1)*0.25 = 0.5:
//   10*0.5+0.5 = 5.5 -> 6 (tie to even)  -> 6-5   = 1
//  -20*0.5+0.5 = -9.5 -> -10 (even)       -> -10-5 = -15
//  127*0.5+0.5 = 64                       -> 59
// -128*0.5+0.5 = -63.5 -> -64 (even)      -> -69
// With a fused ReLU (qmin = zy = -5) the negatives become -5.
TEST(AddS8, HandComputed) {
  const std::vector<int8_t> a = {10, -20, 127, -128}, b = {3};
  const Shape as = {4}, bs = {};
  const BroadcastGeometry g = geometry_for(as, bs);
  std::vector<int8_t> y(4);
  QuantizedOutput out;
  out.zero_point = -5;
  add_s8(g, a.data(), 0, 0.5f, b.data(), 1, 0.25f, out, y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{1, -15, 59, -69}));
  out.qmin = -5;
  add_s8(g, a.data(), 0, 0.5f, b.data(), 1, 0.25f, out, y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{1, -5, 59, -5}));
  // Swapped operands give the same result (b broadcast from the left).
  out.qmin = -128;
  add_s8(geometry_for(bs, as), b.data(), 1, 0.25f, a.data(), 0, 0.5f, out, y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{1, -15, 59, -69}));
}

TEST(AddS8, RandomBroadcastVsDoubleOracle) {
  Rng rng(1);
  DiffStats total;
  size_t clamped = 0;
  for (int i = 0; i < kConfigs; ++i) {
    const BroadcastCase c = random_case(rng, i);
    const Shape out_shape = broadcast_shape(c.a, c.b);
    const BroadcastGeometry g = geometry_for(c.a, c.b);
    const auto a = rng.int8s(num_elements(c.a));
    const auto b = rng.int8s(num_elements(c.b));
    // i % 8 == 4: s_a = s_b = s_y / 2, both multipliers exactly 0.5, so half
    // the sums are exact .5 ties, in float and in the double oracle alike.
    // i % 8 == 0: one scale shared by a, b and y, common in real models.
    const bool exact_ties = i % 8 == 4, shared = i % 8 == 0;
    const float s_a = rng.scale();
    const float s_b = exact_ties || shared ? s_a : rng.scale();
    const int32_t za = random_zero_point(rng), zb = random_zero_point(rng);
    // Real output range; s_y around range / 255, one time in ten much smaller.
    const double lo = double{s_a} * (-128 - za) + double{s_b} * (-128 - zb);
    const double hi = double{s_a} * (127 - za) + double{s_b} * (127 - zb);
    float s_y = static_cast<float>((hi - lo) / 255.0) *
                (i % 10 == 9 ? rng.scale(0.02f, 0.3f) : rng.scale(0.5f, 2.0f));
    if (shared) s_y = s_a;
    if (exact_ties) s_y = 2.0f * s_a;
    const QuantizedOutput out = random_output(rng, s_y, lo);

    std::vector<int8_t> got(num_elements(out_shape));
    add_s8(g, a.data(), za, s_a / s_y, b.data(), zb, s_b / s_y, out, got.data());

    std::vector<int32_t> want(got.size());
    for_each_output(out_shape, c.a, c.b, [&](int64_t o, int64_t ia, int64_t ib) {
      const double real = double{s_a} * (a[ia] - za) + double{s_b} * (b[ib] - zb);
      want[o] = oracle_quantize(real, s_y, out.zero_point, out.qmin, out.qmax);
      clamped += want[o] == out.qmin || want[o] == out.qmax;
    });
    const DiffStats s = compare_q(got, want);
    ASSERT_LE(s.max_abs_diff, 1) << "config " << i << " " << c.kind << " " << to_string(c.a)
                                 << " + " << to_string(c.b);
    // Exact arithmetic on both sides: any difference is a rounding bug.
    if (exact_ties) {
      ASSERT_EQ(s.mismatches, 0u) << "exact-tie config " << i;
    }
    accumulate(total, s);
  }
  report("add_s8", kConfigs, total, clamped);
  expect_rare(total);
}

// ---------------------------------------------------------------------------
// mul_s8

// a = [2, -3, 100] (za 0), b = [4, 5, 6] (zb 1 -> 3, 4, 5), scale 0.25, zy 10:
//   2*3*0.25 = 1.5 -> 2 (tie to even) -> 12
//  -3*4*0.25 = -3                     -> 7
// 100*5*0.25 = 125 -> clamped to 127-10 = 117 before the zero point -> 127
TEST(MulS8, HandComputed) {
  const std::vector<int8_t> a = {2, -3, 100}, b = {4, 5, 6};
  const Shape s = {3};
  std::vector<int8_t> y(3);
  QuantizedOutput out;
  out.zero_point = 10;
  mul_s8(geometry_for(s, s), a.data(), 0, b.data(), 1, 0.25f, out, y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{12, 7, 127}));
}

TEST(MulS8, RandomBroadcastVsDoubleOracle) {
  Rng rng(2);
  DiffStats total;
  size_t clamped = 0;
  for (int i = 0; i < kConfigs; ++i) {
    const BroadcastCase c = random_case(rng, i);
    const Shape out_shape = broadcast_shape(c.a, c.b);
    const BroadcastGeometry g = geometry_for(c.a, c.b);
    const auto a = rng.int8s(num_elements(c.a));
    const auto b = rng.int8s(num_elements(c.b));
    // i % 8 == 4: power-of-two scales, so the float32 multiplier 2^-k is
    // exact and products whose low k bits are 10..0 are exact .5 ties.
    const bool exact_ties = i % 8 == 4;
    const float s_a = exact_ties ? std::ldexp(1.0f, rng.uniform_int(-8, -1)) : rng.scale();
    const float s_b = exact_ties ? std::ldexp(1.0f, rng.uniform_int(-8, -1)) : rng.scale();
    const int32_t za = random_zero_point(rng), zb = random_zero_point(rng);
    // Real output range from the corners of the two input ranges. Products of
    // random codes crowd towards zero, so s_y is drawn a little below range / 255.
    const double a_lo = double{s_a} * (-128 - za), a_hi = double{s_a} * (127 - za);
    const double b_lo = double{s_b} * (-128 - zb), b_hi = double{s_b} * (127 - zb);
    const double lo = std::min({a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi});
    const double hi = std::max({a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi});
    float s_y = static_cast<float>((hi - lo) / 255.0) * rng.scale(0.3f, 1.5f);
    if (exact_ties) s_y = s_a * s_b * std::ldexp(1.0f, rng.uniform_int(1, 9));
    const QuantizedOutput out = random_output(rng, s_y, lo);

    std::vector<int8_t> got(num_elements(out_shape));
    const float scale = s_a * s_b / s_y;  // the documented float32 order
    mul_s8(g, a.data(), za, b.data(), zb, scale, out, got.data());

    std::vector<int32_t> want(got.size());
    for_each_output(out_shape, c.a, c.b, [&](int64_t o, int64_t ia, int64_t ib) {
      const double real = (double{s_a} * (a[ia] - za)) * (double{s_b} * (b[ib] - zb));
      want[o] = oracle_quantize(real, s_y, out.zero_point, out.qmin, out.qmax);
      clamped += want[o] == out.qmin || want[o] == out.qmax;
    });
    const DiffStats s = compare_q(got, want);
    ASSERT_LE(s.max_abs_diff, 1) << "config " << i << " " << c.kind << " " << to_string(c.a)
                                 << " * " << to_string(c.b);
    if (exact_ties) {
      ASSERT_EQ(s.mismatches, 0u) << "exact-tie config " << i;
    }
    accumulate(total, s);
  }
  report("mul_s8", kConfigs, total, clamped);
  expect_rare(total);
}

// Rank 0 geometry (scalar op scalar) writes exactly one element.
TEST(BinaryS8, ScalarByScalar) {
  const BroadcastGeometry g = geometry_for({}, {});
  const int8_t a = 7, b = -3;
  int8_t y[2] = {0, 55};
  add_s8(g, &a, 0, 1.0f, &b, 0, 1.0f, QuantizedOutput{}, y);
  EXPECT_EQ(y[0], 4);
  EXPECT_EQ(y[1], 55);
  mul_s8(g, &a, 0, &b, 0, 1.0f, QuantizedOutput{}, y);
  EXPECT_EQ(y[0], -21);
  EXPECT_EQ(y[1], 55);
}

// Geometries may also come from elsewhere than make_broadcast_geometry with
// any element strides (e.g. a strided view); those take the general loop.
// a is 2x6, read at every other column: [[1, 2, 3], [4, 5, 6]] (the 9s are
// skipped); b = [10, 20, 30] per row. a + b = [[11, 22, 33], [14, 25, 36]].
TEST(BinaryS8, HandBuiltStridedGeometry) {
  const std::vector<int8_t> a = {1, 9, 2, 9, 3, 9, 4, 9, 5, 9, 6, 9}, b = {10, 20, 30};
  BroadcastGeometry g;
  g.rank = 2;
  g.out_dims[0] = 2;
  g.out_dims[1] = 3;
  g.a_strides[0] = 6;
  g.a_strides[1] = 2;
  g.b_strides[0] = 0;
  g.b_strides[1] = 1;
  std::vector<int8_t> y(6);
  add_s8(g, a.data(), 0, 1.0f, b.data(), 0, 1.0f, QuantizedOutput{}, y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{11, 22, 33, 14, 25, 36}));
  std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end()), yf(6);
  mul_f32(g, af.data(), bf.data(), -1e9f, 1e9f, yf.data());
  EXPECT_EQ(yf, (std::vector<float>{10, 40, 90, 40, 100, 180}));
}

// ---------------------------------------------------------------------------
// float32

// [1, 2, 3] + 10 clamped to [0, 12] -> [11, 12, 12]; * 10 clamped to [0, 25]
// -> [10, 20, 25].
TEST(BinaryF32, HandComputed) {
  const std::vector<float> a = {1, 2, 3}, b = {10};
  const BroadcastGeometry g = geometry_for({3}, {1});
  std::vector<float> y(3);
  add_f32(g, a.data(), b.data(), 0.0f, 12.0f, y.data());
  EXPECT_EQ(y, (std::vector<float>{11, 12, 12}));
  mul_f32(g, a.data(), b.data(), 0.0f, 25.0f, y.data());
  EXPECT_EQ(y, (std::vector<float>{10, 20, 25}));
}

template <typename KernelFn, typename OracleFn>
void check_f32(uint64_t seed, KernelFn kernel, OracleFn op) {
  Rng rng(seed);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  for (int i = 0; i < kConfigs; ++i) {
    const BroadcastCase c = random_case(rng, i);
    const Shape out_shape = broadcast_shape(c.a, c.b);
    const auto a = rng.floats(num_elements(c.a), -100.0f, 100.0f);
    const auto b = rng.floats(num_elements(c.b), -100.0f, 100.0f);
    float lo = -kInf, hi = kInf;
    if (rng.coin()) {
      lo = rng.uniform_float(-50.0f, 0.0f);
      hi = rng.uniform_float(0.0f, 50.0f);
    }
    std::vector<float> got(num_elements(out_shape));
    kernel(geometry_for(c.a, c.b), a.data(), b.data(), lo, hi, got.data());
    int bad = 0;
    for_each_output(out_shape, c.a, c.b, [&](int64_t o, int64_t ia, int64_t ib) {
      const double want = std::clamp<double>(op(double{a[ia]}, double{b[ib]}), lo, hi);
      if (std::fabs(got[o] - want) > 1e-6 * std::fabs(want) + 1e-30) ++bad;
    });
    ASSERT_EQ(bad, 0) << "config " << i << " " << c.kind << " " << to_string(c.a) << " op "
                      << to_string(c.b);
  }
}

TEST(AddF32, RandomBroadcastVsDoubleOracle) {
  check_f32(3, add_f32, [](double x, double y) { return x + y; });
}

TEST(MulF32, RandomBroadcastVsDoubleOracle) {
  check_f32(4, mul_f32, [](double x, double y) { return x * y; });
}

}  // namespace
}  // namespace qrun::kernels::ref

// Pooling reference kernels against hand-computed cases and an independent
// double-precision oracle that walks each window in padded coordinates.
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
#include "kernels/reference/pooling.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::compare_q;
using qrun::testing::DiffStats;
using qrun::testing::DiffTally;
using qrun::testing::FusedClamp;
using qrun::testing::oracle_quantize;
using qrun::testing::Rng;

constexpr float kInf = std::numeric_limits<float>::infinity();

// ---------------------------------------------------------------------------
// Geometry

// ceil_mode decides out_h/out_w here, as an ONNX importer would; the kernel
// gets all four pads.
struct PoolConfig {
  Pool2DGeometry g;
  int pad_bottom = 0;
  int pad_right = 0;
  bool ceil_mode = false;
};

std::string describe(const PoolConfig& c) {
  const Pool2DGeometry& g = c.g;
  std::ostringstream s;
  s << "batch=" << g.batch << " in=" << g.in_h << "x" << g.in_w << "x" << g.channels
    << " out=" << g.out_h << "x" << g.out_w << " k=" << g.kernel_h << "x" << g.kernel_w
    << " stride=" << g.stride_h << "," << g.stride_w << " pad(t,l,b,r)=" << g.pad_top << ","
    << g.pad_left << "," << c.pad_bottom << "," << c.pad_right
    << (c.ceil_mode ? " ceil_mode" : "");
  return s.str();
}

// ONNX pooling output size; 0 when the window does not fit at all.
int onnx_pool_out_size(int in, int pad_begin, int pad_end, int kernel, int stride,
                       bool ceil_mode) {
  const int span = in + pad_begin + pad_end - kernel;
  if (span < 0) return 0;
  if (!ceil_mode) return span / stride + 1;
  int out = (span + stride - 1) / stride + 1;
  if ((out - 1) * stride >= in + pad_begin) --out;  // the last window must start in the image
  return out;
}

// Pads stay below the kernel size (ONNX/PyTorch validity), so no window is
// entirely padding.
bool random_config(Rng& rng, PoolConfig* c) {
  Pool2DGeometry& g = c->g;
  g.batch = rng.uniform_int(1, 2);
  g.in_h = rng.uniform_int(1, 12);
  g.in_w = rng.uniform_int(1, 12);
  g.channels = rng.uniform_int(1, 20);
  g.kernel_h = rng.uniform_int(1, 5);
  g.kernel_w = rng.uniform_int(1, 5);
  g.stride_h = rng.uniform_int(1, 3);
  g.stride_w = rng.uniform_int(1, 3);
  g.pad_top = rng.uniform_int(0, std::min(2, g.kernel_h - 1));
  g.pad_left = rng.uniform_int(0, std::min(2, g.kernel_w - 1));
  c->pad_bottom = rng.uniform_int(0, std::min(2, g.kernel_h - 1));
  c->pad_right = rng.uniform_int(0, std::min(2, g.kernel_w - 1));
  c->ceil_mode = rng.uniform_int(0, 3) == 0;
  g.pad_bottom = c->pad_bottom;
  g.pad_right = c->pad_right;
  g.out_h = onnx_pool_out_size(g.in_h, g.pad_top, c->pad_bottom, g.kernel_h, g.stride_h,
                               c->ceil_mode);
  g.out_w = onnx_pool_out_size(g.in_w, g.pad_left, c->pad_right, g.kernel_w, g.stride_w,
                               c->ceil_mode);
  return g.out_h >= 1 && g.out_w >= 1;
}

size_t input_count(const Pool2DGeometry& g) {
  return static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.channels;
}
size_t output_count(const Pool2DGeometry& g) {
  return static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.channels;
}

// ---------------------------------------------------------------------------
// Double oracle

// Per output element: the max and sum of the in-image cells, and the two
// candidate divisors.
struct WindowStats {
  bool any = false;
  double max = 0, sum = 0, abs_sum = 0;
  int image_cells = 0;   // cells inside the image
  int padded_cells = 0;  // cells inside the padded image
};

// Walks window cells in padded coordinates p in [o * stride, o * stride + k)
// (image coordinate p - pad_begin). The padded image ends at the model's end
// pad; cells of a ceil_mode window that overhang it never count (ONNX).
std::vector<WindowStats> oracle_windows(const PoolConfig& c, const std::vector<double>& x) {
  const Pool2DGeometry& g = c.g;
  const int padded_h = g.pad_top + g.in_h + c.pad_bottom;
  const int padded_w = g.pad_left + g.in_w + c.pad_right;
  std::vector<WindowStats> r;
  for (int n = 0; n < g.batch; ++n)
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox)
        for (int ch = 0; ch < g.channels; ++ch) {
          WindowStats w;
          for (int py = oy * g.stride_h; py < oy * g.stride_h + g.kernel_h; ++py)
            for (int px = ox * g.stride_w; px < ox * g.stride_w + g.kernel_w; ++px) {
              const int iy = py - g.pad_top, ix = px - g.pad_left;
              if (py < padded_h && px < padded_w) ++w.padded_cells;
              if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
              const double v = x.at(((static_cast<size_t>(n) * g.in_h + iy) * g.in_w + ix) *
                                        g.channels + ch);
              ++w.image_cells;
              w.sum += v;
              w.abs_sum += std::fabs(v);
              w.max = w.any ? std::max(w.max, v) : v;
              w.any = true;
            }
          r.push_back(w);
        }
  return r;
}

// ---------------------------------------------------------------------------
// int8 quantization parameters

struct PoolQuant {
  float s_x = 1, s_y = 1;
  int32_t zp_x = 0, zp_y = 0;
  FusedClamp clamp;
};

// A third each: same scale and zero point (TFLite's requirement); same scale
// with a nearby zero point; a random zero point with the scale calibrated on
// the input's real range (x 0.6-1.3, see calibrated_scale).
PoolQuant random_quant(Rng& rng) {
  PoolQuant q;
  q.s_x = rng.scale();
  q.zp_x = qrun::testing::random_zero_point(rng);
  switch (rng.uniform_int(0, 2)) {
    case 0: q.s_y = q.s_x, q.zp_y = q.zp_x; break;
    case 1: q.s_y = q.s_x, q.zp_y = std::clamp(q.zp_x + rng.uniform_int(-32, 32), -128, 127); break;
    default:
      q.zp_y = qrun::testing::random_zero_point(rng);
      q.s_y = qrun::testing::calibrated_scale(rng, double{q.s_x} * (-128 - q.zp_x),
                                              double{q.s_x} * (127 - q.zp_x), q.zp_y);
  }
  q.clamp = qrun::testing::random_fused_clamp(rng, q.s_y, q.zp_y);
  return q;
}

std::string describe(const PoolQuant& q) {
  std::ostringstream s;
  s << " s_x=" << q.s_x << " zp_x=" << q.zp_x << " s_y=" << q.s_y << " zp_y=" << q.zp_y
    << " clamp=" << q.clamp.name << "[" << q.clamp.qmin << "," << q.clamp.qmax << "]";
  return s.str();
}

QuantizedOutput output_params(const PoolQuant& q) {
  QuantizedOutput out;
  out.zero_point = q.zp_y;
  out.qmin = q.clamp.qmin;
  out.qmax = q.clamp.qmax;
  return out;
}

std::vector<double> dequantize(const std::vector<int8_t>& q, float scale, int32_t zp) {
  std::vector<double> r;
  for (int8_t v : q) r.push_back(double{scale} * (v - zp));
  return r;
}

// ---------------------------------------------------------------------------
// Max pool

// 3x3 input, 2x2 window, stride 1, no padding:
//    1 -5  3
//    7  2 -8   -> window maxima  7 3
//    0  4  6                     7 6
// With a fused clamp [4, 6]: 6 4 6 6.
TEST(MaxPoolS8, HandComputed) {
  Pool2DGeometry g;
  g.in_h = g.in_w = 3;
  g.channels = 1;
  g.out_h = g.out_w = 2;
  g.kernel_h = g.kernel_w = 2;
  const std::vector<int8_t> input = {1, -5, 3, 7, 2, -8, 0, 4, 6};
  std::vector<int8_t> got(4);
  max_pool_s8(g, input.data(), QuantizedOutput{}, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{7, 3, 7, 6}));
  QuantizedOutput clamped;
  clamped.qmin = 4;
  clamped.qmax = 6;
  max_pool_s8(g, input.data(), clamped, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{6, 4, 6, 6}));
}

// 2x2 all-negative input, 2x2 window, pad 1 on every side -> 3x3 output.
// Padding never wins the max (it would give the zero point 0 otherwise):
//   -100 -90        -100 -90 -90
//    -80 -70   ->    -80 -70 -70
//                    -80 -70 -70
TEST(MaxPoolS8, HandComputedPaddingNeverWins) {
  Pool2DGeometry g;
  g.in_h = g.in_w = 2;
  g.channels = 1;
  g.out_h = g.out_w = 3;
  g.kernel_h = g.kernel_w = 2;
  g.pad_top = g.pad_left = 1;
  const std::vector<int8_t> input = {-100, -90, -80, -70};
  std::vector<int8_t> got(9);
  max_pool_s8(g, input.data(), QuantizedOutput{}, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{-100, -90, -90, -80, -70, -70, -80, -70, -70}));
}

TEST(MaxPoolS8, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0x3A9F001ull;
  constexpr int kConfigs = 250;
  Rng rng(kSeed);
  DiffTally tally;
  int made = 0;
  for (int attempt = 0; made < kConfigs; ++attempt) {
    ASSERT_LT(attempt, 50 * kConfigs);
    PoolConfig c;
    if (!random_config(rng, &c)) continue;
    const int index = made++;
    PoolQuant q = random_quant(rng);
    q.s_y = q.s_x, q.zp_y = q.zp_x;  // max pool keeps the input's parameters
    q.clamp = qrun::testing::random_fused_clamp(rng, q.s_y, q.zp_y);
    SCOPED_TRACE("seed=" + std::to_string(kSeed) + " config #" + std::to_string(index) + ": " +
                 describe(c) + describe(q));

    const std::vector<int8_t> input = rng.int8s(input_count(c.g));
    std::vector<int32_t> want;
    for (const WindowStats& w : oracle_windows(c, dequantize(input, q.s_x, q.zp_x))) {
      ASSERT_TRUE(w.any);
      want.push_back(oracle_quantize(w.max, q.s_y, q.zp_y, q.clamp.qmin, q.clamp.qmax));
    }
    std::vector<int8_t> got(output_count(c.g), 0x55);
    max_pool_s8(c.g, input.data(), output_params(q), got.data());
    const DiffStats s = compare_q(got, want);
    tally.add(s);
    ASSERT_EQ(s.mismatches, 0u);  // max pooling involves no arithmetic: exact
  }
  std::cout << tally.summary("max_pool_s8") << "\n";
}

// A window with no in-image cell is impossible for valid geometry (pads <
// kernel) but must not read out of bounds: max gives the lower clamp, average
// the zero point. 1x1 image, 1x1 window, pad_top 2 -> 3 rows, the first two
// entirely padding.
TEST(MaxPoolS8, EmptyWindowGivesLowerClamp) {
  Pool2DGeometry g;
  g.in_h = g.in_w = 1;
  g.channels = 1;
  g.out_h = 3;
  g.out_w = 1;
  g.pad_top = 2;
  const std::vector<int8_t> input = {50};
  QuantizedOutput out;
  out.zero_point = 7;
  out.qmin = -20;
  out.qmax = 100;
  std::vector<int8_t> got(3);
  max_pool_s8(g, input.data(), out, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{-20, -20, 50}));
  for (bool include_pad : {false, true}) {
    average_pool_s8(g, include_pad, input.data(), 0, 1.0f, out, got.data());
    EXPECT_EQ(got, (std::vector<int8_t>{7, 7, 57})) << "count_include_pad=" << include_pad;
  }
  std::vector<float> got_f(3);
  const std::vector<float> input_f = {0.5f};
  max_pool_f32(g, input_f.data(), -1.0f, 1.0f, got_f.data());
  EXPECT_EQ(got_f, (std::vector<float>{-1.0f, -1.0f, 0.5f}));
  average_pool_f32(g, false, input_f.data(), -kInf, kInf, got_f.data());
  EXPECT_EQ(got_f, (std::vector<float>{0.0f, 0.0f, 0.5f}));
}

// ---------------------------------------------------------------------------
// Average pool

// 3x3 input, zero point 2 (x - zp = 1..9), 2x2 window, stride 2, pad 1
// top/left, none bottom/right -> 2x2 output.
//   windows (in-image cells): (0,0) {1} acc 1        (0,1) {2,3} acc 5
//                             (1,0) {4,7} acc 11     (1,1) {5,6,8,9} acc 28
// scale 2, output zero point 0:
//   count_include_pad: divisor 4 everywhere, scale/4 = 0.5:
//     0.5 -> 0, 2.5 -> 2, 5.5 -> 6 (half to even), 14
//   exclude pad: divisors 1, 2, 2, 4 -> scale/d = 2, 1, 1, 0.5: 2, 5, 11, 14
// scale 40, output zero point -100, count_include_pad (scale/4 = 10):
//   10 -> -90, 50 -> -50, 110 -> 10, 280 -> clamps to 227 -> 127
TEST(AveragePoolS8, HandComputedTiesDivisorsAndSaturation) {
  Pool2DGeometry g;
  g.in_h = g.in_w = 3;
  g.channels = 1;
  g.out_h = g.out_w = 2;
  g.kernel_h = g.kernel_w = 2;
  g.stride_h = g.stride_w = 2;
  g.pad_top = g.pad_left = 1;
  const std::vector<int8_t> input = {3, 4, 5, 6, 7, 8, 9, 10, 11};
  std::vector<int8_t> got(4);
  average_pool_s8(g, true, input.data(), 2, 2.0f, QuantizedOutput{}, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{0, 2, 6, 14}));
  average_pool_s8(g, false, input.data(), 2, 2.0f, QuantizedOutput{}, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{2, 5, 11, 14}));
  QuantizedOutput out;
  out.zero_point = -100;
  average_pool_s8(g, true, input.data(), 2, 40.0f, out, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{-90, -50, 10, 127}));
}

// ceil_mode: the last window [2, 4) overhangs the image and there is no end
// pad, so only cell 2 counts either way: (4+6)/2 = 5 and 9/1 = 9.
TEST(AveragePoolS8, OverhangBeyondEndPadNeverCounts) {
  Pool2DGeometry g;
  g.in_h = 1;
  g.in_w = 3;
  g.channels = 1;
  g.out_h = 1;
  g.out_w = 2;
  g.kernel_w = 2;
  g.stride_w = 2;
  const std::vector<int8_t> input = {4, 6, 9};
  std::vector<int8_t> got(2);
  average_pool_s8(g, true, input.data(), 0, 1.0f, QuantizedOutput{}, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{5, 9}));
  average_pool_s8(g, false, input.data(), 0, 1.0f, QuantizedOutput{}, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{5, 9}));
}

TEST(AveragePoolS8, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0xA7E9001ull;
  constexpr int kConfigs = 300;
  Rng rng(kSeed);
  DiffTally tally;
  size_t at_bound = 0;
  int with_pad_cells = 0;  // configs where the two divisor rules differ somewhere
  int made = 0;
  for (int attempt = 0; made < kConfigs; ++attempt) {
    ASSERT_LT(attempt, 50 * kConfigs);
    PoolConfig c;
    if (!random_config(rng, &c)) continue;
    const int index = made++;
    const bool include_pad = rng.coin();
    const PoolQuant q = random_quant(rng);
    SCOPED_TRACE("seed=" + std::to_string(kSeed) + " config #" + std::to_string(index) + ": " +
                 describe(c) + describe(q) + " count_include_pad=" + std::to_string(include_pad));

    const std::vector<int8_t> input = rng.int8s(input_count(c.g));
    std::vector<int32_t> want;
    bool differs = false;
    for (const WindowStats& w : oracle_windows(c, dequantize(input, q.s_x, q.zp_x))) {
      const int divisor = include_pad ? w.padded_cells : w.image_cells;
      ASSERT_GT(divisor, 0);
      differs |= w.padded_cells != w.image_cells;
      want.push_back(oracle_quantize(w.sum / divisor, q.s_y, q.zp_y, q.clamp.qmin, q.clamp.qmax));
    }
    with_pad_cells += differs;
    std::vector<int8_t> got(output_count(c.g), 0x55);
    average_pool_s8(c.g, include_pad, input.data(), q.zp_x, q.s_x / q.s_y, output_params(q),
                    got.data());
    const DiffStats s = compare_q(got, want);
    tally.add(s);
    ASSERT_LE(s.max_abs_diff, 1);
    EXPECT_LE(s.mismatches, 1 + s.count / 100);
    for (int32_t v : want) at_bound += v == q.clamp.qmin || v == q.clamp.qmax;
  }
  std::cout << tally.summary("average_pool_s8") << "; configs with padded windows "
            << with_pad_cells << ", outputs at a clamp bound " << at_bound << "\n";
  EXPECT_LE(tally.mismatches, tally.count / 100);
  EXPECT_GE(with_pad_cells, kConfigs / 4);
  EXPECT_LT(at_bound, tally.count / 2);
}

// ---------------------------------------------------------------------------
// Global average pool

// hw 4, 2 channels, input zero point -1; input [hw][c] = {0,3, 1,3, 2,3, 3,1}:
//   ch0 x - zp = 1,2,3,4 -> acc 10;  ch1 = 4,4,4,2 -> acc 14
//   scale 1 (1/4 per cell): 2.5 -> 2, 3.5 -> 4 (half to even)
//   scale 100 with a fused qmax of 100: 250, 350 -> 100, 100
// Negative saturation: zero point 127, all x = -128 -> acc 4 * -255, scale 1
//   -> -255 -> -128.
TEST(GlobalAveragePoolS8, HandComputed) {
  const std::vector<int8_t> input = {0, 3, 1, 3, 2, 3, 3, 1};
  std::vector<int8_t> got(2);
  global_average_pool_s8(1, 4, 2, input.data(), -1, 1.0f, QuantizedOutput{}, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{2, 4}));
  QuantizedOutput capped;
  capped.qmax = 100;
  global_average_pool_s8(1, 4, 2, input.data(), -1, 100.0f, capped, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{100, 100}));
  const std::vector<int8_t> low(8, -128);
  global_average_pool_s8(1, 4, 2, low.data(), 127, 1.0f, QuantizedOutput{}, got.data());
  EXPECT_EQ(got, (std::vector<int8_t>{-128, -128}));
}

// hw: a small image (1-12 x 1-12) or a longer flat run up to 300.
int random_hw(Rng& rng) {
  return rng.coin() ? rng.uniform_int(1, 12) * rng.uniform_int(1, 12) : rng.uniform_int(1, 300);
}

TEST(GlobalAveragePoolS8, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0x6A9001ull;
  constexpr int kConfigs = 250;
  Rng rng(kSeed);
  DiffTally tally;
  for (int index = 0; index < kConfigs; ++index) {
    const int batch = rng.uniform_int(1, 2), hw = random_hw(rng), channels = rng.uniform_int(1, 32);
    const PoolQuant q = random_quant(rng);
    SCOPED_TRACE("seed=" + std::to_string(kSeed) + " config #" + std::to_string(index) +
                 ": batch=" + std::to_string(batch) + " hw=" + std::to_string(hw) +
                 " channels=" + std::to_string(channels) + describe(q));

    const std::vector<int8_t> input = rng.int8s(static_cast<size_t>(batch) * hw * channels);
    const std::vector<double> x = dequantize(input, q.s_x, q.zp_x);
    std::vector<int32_t> want;
    for (int n = 0; n < batch; ++n)
      for (int ch = 0; ch < channels; ++ch) {
        double sum = 0;
        for (int p = 0; p < hw; ++p) sum += x[(static_cast<size_t>(n) * hw + p) * channels + ch];
        want.push_back(oracle_quantize(sum / hw, q.s_y, q.zp_y, q.clamp.qmin, q.clamp.qmax));
      }
    std::vector<int8_t> got(static_cast<size_t>(batch) * channels, 0x55);
    global_average_pool_s8(batch, hw, channels, input.data(), q.zp_x, q.s_x / q.s_y,
                           output_params(q), got.data());
    const DiffStats s = compare_q(got, want);
    tally.add(s);
    ASSERT_LE(s.max_abs_diff, 1);
    EXPECT_LE(s.mismatches, 1 + s.count / 100);
  }
  std::cout << tally.summary("global_average_pool_s8") << "\n";
  EXPECT_LE(tally.mismatches, tally.count / 100);
}

// ---------------------------------------------------------------------------
// float32

// Same window layout as AveragePoolS8.HandComputedTiesDivisorsAndSaturation
// with x = 1..9: include pad 1/4, 5/4, 11/4, 28/4; exclude 1, 2.5, 5.5, 7;
// max 1, 3, 7, 9 clamped to [0, 6].
TEST(AveragePoolF32, HandComputed) {
  Pool2DGeometry g;
  g.in_h = g.in_w = 3;
  g.channels = 1;
  g.out_h = g.out_w = 2;
  g.kernel_h = g.kernel_w = 2;
  g.stride_h = g.stride_w = 2;
  g.pad_top = g.pad_left = 1;
  const std::vector<float> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<float> got(4);
  average_pool_f32(g, true, input.data(), -kInf, kInf, got.data());
  EXPECT_EQ(got, (std::vector<float>{0.25f, 1.25f, 2.75f, 7.0f}));
  average_pool_f32(g, false, input.data(), -kInf, kInf, got.data());
  EXPECT_EQ(got, (std::vector<float>{1.0f, 2.5f, 5.5f, 7.0f}));
  max_pool_f32(g, input.data(), 0.0f, 6.0f, got.data());
  EXPECT_EQ(got, (std::vector<float>{1.0f, 3.0f, 6.0f, 6.0f}));
  global_average_pool_f32(1, 9, 1, input.data(), -kInf, kInf, got.data());
  EXPECT_EQ(got[0], 5.0f);
}

TEST(PoolingF32, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0xF32B001ull;
  constexpr int kConfigs = 200;
  Rng rng(kSeed);
  double worst_ratio = 0;
  int made = 0;
  for (int attempt = 0; made < kConfigs; ++attempt) {
    ASSERT_LT(attempt, 50 * kConfigs);
    PoolConfig c;
    if (!random_config(rng, &c)) continue;
    const int index = made++;
    const bool include_pad = rng.coin();
    const float lo = rng.coin() ? -kInf : -0.5f, hi = rng.coin() ? kInf : 0.5f;
    SCOPED_TRACE("seed=" + std::to_string(kSeed) + " config #" + std::to_string(index) + ": " +
                 describe(c) + " count_include_pad=" + std::to_string(include_pad));

    const std::vector<float> input = rng.floats(input_count(c.g), -1, 1);
    const std::vector<WindowStats> ws =
        oracle_windows(c, std::vector<double>(input.begin(), input.end()));
    std::vector<float> avg(output_count(c.g), std::nanf("")), mx(avg);
    average_pool_f32(c.g, include_pad, input.data(), lo, hi, avg.data());
    max_pool_f32(c.g, input.data(), lo, hi, mx.data());
    for (size_t i = 0; i < ws.size(); ++i) {
      const WindowStats& w = ws[i];
      ASSERT_TRUE(w.any);
      const int divisor = include_pad ? w.padded_cells : w.image_cells;
      const double want_avg = std::min<double>(std::max<double>(w.sum / divisor, lo), hi);
      // The float max is exact: same value, clamped.
      ASSERT_EQ(mx[i], static_cast<float>(std::min<double>(std::max<double>(w.max, lo), hi)))
          << "output " << i;
      const double tol = qrun::testing::float_sum_tolerance(w.image_cells + 1, w.abs_sum / divisor);
      ASSERT_LE(std::fabs(avg[i] - want_avg), tol) << "output " << i;
      if (tol > 0) worst_ratio = std::max(worst_ratio, std::fabs(avg[i] - want_avg) / tol);
    }
  }
  std::cout << "pooling_f32 (average and max): " << made << " configs, worst |error| / tolerance "
            << worst_ratio << "\n";
}

TEST(GlobalAveragePoolF32, MatchesDoubleOracleOnRandomConfigs) {
  constexpr uint64_t kSeed = 0x6AF32ull;
  constexpr int kConfigs = 200;
  Rng rng(kSeed);
  for (int index = 0; index < kConfigs; ++index) {
    const int batch = rng.uniform_int(1, 2), hw = random_hw(rng), channels = rng.uniform_int(1, 32);
    SCOPED_TRACE("seed=" + std::to_string(kSeed) + " config #" + std::to_string(index) +
                 ": batch=" + std::to_string(batch) + " hw=" + std::to_string(hw) +
                 " channels=" + std::to_string(channels));
    const std::vector<float> input = rng.floats(static_cast<size_t>(batch) * hw * channels, -1, 1);
    std::vector<float> got(static_cast<size_t>(batch) * channels, std::nanf(""));
    global_average_pool_f32(batch, hw, channels, input.data(), -kInf, kInf, got.data());
    for (int n = 0; n < batch; ++n)
      for (int ch = 0; ch < channels; ++ch) {
        double sum = 0, abs_sum = 0;
        for (int p = 0; p < hw; ++p) {
          const double v = input[(static_cast<size_t>(n) * hw + p) * channels + ch];
          sum += v;
          abs_sum += std::fabs(v);
        }
        const double tol = qrun::testing::float_sum_tolerance(hw + 1, abs_sum / hw);
        ASSERT_LE(std::fabs(got[static_cast<size_t>(n) * channels + ch] - sum / hw), tol)
            << "batch " << n << " channel " << ch;
      }
  }
}

}  // namespace
}  // namespace qrun::kernels::ref

// ARM NEON depthwise convolution (kernels/arm/qs8-dwconv-neon.cc through
// kernels/dispatch/qs8_dwconv) bit-exact against the reference conv2d_s8:
// randomized layers (kernels 1x1 to 7x7 and non-square, strides 1-3,
// dilation 1-2, asymmetric padding, channels 1-100: the 32-channel step,
// 16-channel steps and tails), a sweep of tap counts (odd ones get a padding
// tap, 2 and 4k+2 taps leave a single tap pair, up to the 64-tap limit) times
// channel counts around 16 and 32, and saturated operands (products of
// +-127 * -128 whose int16 pair sums reach 32512, and -128 * -128 on the
// path for weights with -128, which never pairs taps in int16). Weights with
// and without -128 (SMULL-only and SMLAL pair paths), zero points at the
// extremes, 1 and 2 threads. Inputs and outputs end at a guard page. Runs on
// ARM builds (under qemu in CI); the x86 build compiles it and skips.
#include <gtest/gtest.h>
#include <pthreadpool.h>

#include <memory>
#include <string>
#include <vector>

#include "guarded_buffer.h"
#include "kernel_test_util.h"
#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/qs8_dwconv.h"
#include "kernels/reference/conv2d.h"

namespace qrun::kernels {
namespace {

using qrun::testing::GuardedBuffer;
using qrun::testing::Rng;

struct ThreadPoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using Pool = std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, ThreadPoolDeleter>;

// Operands of one layer; out_h/out_w of g are set by Finish.
struct Layer {
  Conv2DGeometry g;
  std::vector<int8_t> input, weights;
  std::vector<int32_t> bias;  // empty: no bias
  std::vector<float> scale;
  int32_t in_zp = 0;
  QuantizedOutput out;
};

// Output size from the geometry and bottom/right pads; false if empty.
bool Finish(Conv2DGeometry& g, int pad_bottom, int pad_right) {
  const int span_h = (g.kernel_h - 1) * g.dilation_h + 1;
  const int span_w = (g.kernel_w - 1) * g.dilation_w + 1;
  const int h = g.in_h + g.pad_top + pad_bottom - span_h;
  const int w = g.in_w + g.pad_left + pad_right - span_w;
  if (h < 0 || w < 0) return false;
  g.out_h = h / g.stride_h + 1;
  g.out_w = w / g.stride_w + 1;
  return true;
}

// Random operands for g: weights in [weight_lo, 127], zero points and
// output clamp as in the other kernel tests.
Layer RandomLayer(const Conv2DGeometry& g, Rng& rng, int weight_lo) {
  Layer l;
  l.g = g;
  const size_t taps = static_cast<size_t>(g.kernel_h) * g.kernel_w;
  l.input = rng.int8s(static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.in_c);
  l.weights = rng.int8s(taps * g.in_c, weight_lo, 127);
  if (rng.uniform_int(0, 3) != 0) l.bias = rng.int32s(static_cast<size_t>(g.in_c), -30000, 30000);
  for (int c = 0; c < g.in_c; ++c) l.scale.push_back(rng.scale(1e-4f, 2e-2f));
  l.in_zp = qrun::testing::random_zero_point(rng);
  l.out.zero_point = qrun::testing::random_zero_point(rng);
  const auto clamp = qrun::testing::random_fused_clamp(rng, 0.05, l.out.zero_point);
  l.out.qmin = clamp.qmin;
  l.out.qmax = clamp.qmax;
  return l;
}

std::string Describe(const Conv2DGeometry& g) {
  return "c " + std::to_string(g.in_c) + " k " + std::to_string(g.kernel_h) + "x" +
         std::to_string(g.kernel_w) + " s " + std::to_string(g.stride_h) + "," +
         std::to_string(g.stride_w) + " d " + std::to_string(g.dilation_h) + "," +
         std::to_string(g.dilation_w) + " in " + std::to_string(g.in_h) + "x" +
         std::to_string(g.in_w) + " pad " + std::to_string(g.pad_top) + "," +
         std::to_string(g.pad_left);
}

// Runs the NEON kernel with no pool and with `pool` and compares with the
// reference.
void CheckLayer(const Layer& l, pthreadpool_t pool, const std::string& what) {
  const Conv2DGeometry& g = l.g;
  const int32_t* bias = l.bias.empty() ? nullptr : l.bias.data();
  std::vector<int8_t> expected(static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c);
  ref::conv2d_s8(g, l.input.data(), l.in_zp, l.weights.data(), bias, l.scale.data(), l.out,
                 expected.data());
  Qs8DwConv dw;
  ASSERT_TRUE(dw.Init(Isa::kNeon, g, l.in_zp, l.weights.data(), bias, l.scale.data(), l.out))
      << what << " " << Describe(g);
  EXPECT_NE(std::string(dw.name()).find("neon"), std::string::npos) << dw.name();
  GuardedBuffer in(l.input.size()), y(expected.size());
  std::copy(l.input.begin(), l.input.end(), in.data());
  for (pthreadpool_t p : {static_cast<pthreadpool_t>(nullptr), pool}) {
    std::fill(y.data(), y.data() + expected.size(), int8_t{0x5a});
    dw.Run(in.data(), y.data(), p);
    ASSERT_EQ(std::vector<int8_t>(y.data(), y.data() + expected.size()), expected)
        << dw.name() << " " << what << " " << Describe(g);
  }
}

#define QRUN_REQUIRE_NEON()                                             \
  do {                                                                  \
    if (!IsaSupported(Isa::kNeon)) GTEST_SKIP() << "no NEON on this CPU"; \
  } while (0)

#if defined(__aarch64__) || defined(__arm__)
constexpr bool kArm = true;
#else
constexpr bool kArm = false;
#endif

TEST(Qs8DwConvNeon, BitExactWithReference) {
  if (!kArm) GTEST_SKIP() << "ARM only";
  QRUN_REQUIRE_NEON();
  Pool pool2(pthreadpool_create(2));
  ASSERT_NE(pool2, nullptr);
  Rng rng(4242);
  int ran = 0;
  for (int trial = 0; trial < 150; ++trial) {
    Conv2DGeometry g;
    g.batch = rng.uniform_int(1, 2);
    // Up to 96+ channels: the 32-channel step (AArch64), a 16-channel step and a tail.
    g.in_c = g.out_c = g.groups = trial < 20 ? 16 * rng.uniform_int(1, 6) : rng.uniform_int(1, 100);
    g.kernel_h = rng.uniform_int(1, 7);
    g.kernel_w = rng.coin() ? g.kernel_h : rng.uniform_int(1, 7);
    g.stride_h = rng.uniform_int(1, 3);
    g.stride_w = rng.coin() ? g.stride_h : rng.uniform_int(1, 3);
    g.dilation_h = rng.uniform_int(1, 4) == 1 ? 2 : 1;
    g.dilation_w = rng.uniform_int(1, 4) == 1 ? 2 : 1;
    g.in_h = rng.uniform_int(1, 12);
    g.in_w = rng.uniform_int(1, 12);
    const int span_h = (g.kernel_h - 1) * g.dilation_h + 1, span_w = (g.kernel_w - 1) * g.dilation_w + 1;
    g.pad_top = rng.uniform_int(0, span_h - 1);
    g.pad_left = rng.uniform_int(0, span_w - 1);
    const int pad_bottom = rng.uniform_int(0, span_h - 1), pad_right = rng.uniform_int(0, span_w - 1);
    if (!Finish(g, pad_bottom, pad_right)) continue;
    CheckLayer(RandomLayer(g, rng, trial % 2 ? -128 : -127), pool2.get(),
               "trial " + std::to_string(trial));
    if (::testing::Test::HasFatalFailure()) return;
    ++ran;
  }
  EXPECT_GE(ran, 100);
}

// Every tap-count class (1, 2, odd with a lone last tap, 4k, 4k + 2 with a
// leftover pair, the 63/64-tap limit) times channel counts around the 16-
// and 32-channel steps, stride 1-2, dilation, "same" padding.
TEST(Qs8DwConvNeon, TapCountsTimesChannels) {
  if (!kArm) GTEST_SKIP() << "ARM only";
  QRUN_REQUIRE_NEON();
  Pool pool2(pthreadpool_create(2));
  ASSERT_NE(pool2, nullptr);
  Rng rng(777);
  const int kernels[][2] = {{1, 1}, {1, 2}, {1, 3}, {2, 2}, {2, 3}, {3, 3}, {5, 5},
                            {3, 5}, {7, 7}, {9, 7}, {8, 8}, {1, 10}};
  const int channels[] = {1, 5, 8, 15, 16, 17, 24, 31, 32, 33, 40, 47, 48, 63, 64, 65, 80, 97};
  int case_no = 0;
  for (const auto& k : kernels) {
    for (int c : channels) {
      Conv2DGeometry g;
      g.batch = 1;
      g.in_c = g.out_c = g.groups = c;
      g.kernel_h = k[0];
      g.kernel_w = k[1];
      g.stride_h = g.stride_w = 1 + case_no % 2;
      g.dilation_h = case_no % 5 == 0 ? 2 : 1;
      g.dilation_w = case_no % 7 == 0 ? 2 : 1;
      g.in_h = rng.uniform_int(1, 6);
      g.in_w = rng.uniform_int(1, 6);
      const int span_h = (g.kernel_h - 1) * g.dilation_h + 1;
      const int span_w = (g.kernel_w - 1) * g.dilation_w + 1;
      g.pad_top = (span_h - 1) / 2;
      g.pad_left = (span_w - 1) / 2;
      ASSERT_TRUE(Finish(g, span_h - 1 - g.pad_top, span_w - 1 - g.pad_left));
      CheckLayer(RandomLayer(g, rng, case_no % 2 ? -128 : -127), pool2.get(),
                 "case " + std::to_string(case_no));
      if (::testing::Test::HasFatalFailure()) return;
      ++case_no;
    }
  }
}

// Saturated operands: inputs at -128 / 127 and weights at -127 / 127 (the
// int16 sum of two tap pairs is then +-32512) or containing -128 (-128 *
// -128 = 16384 per product, the unpaired path), zero points -128 / 127.
TEST(Qs8DwConvNeon, SaturatedOperands) {
  if (!kArm) GTEST_SKIP() << "ARM only";
  QRUN_REQUIRE_NEON();
  Pool pool2(pthreadpool_create(2));
  ASSERT_NE(pool2, nullptr);
  Rng rng(99);
  const int kernels[][2] = {{1, 1}, {2, 2}, {3, 3}, {5, 5}, {1, 6}};
  int case_no = 0;
  for (const auto& k : kernels) {
    for (int c : {7, 16, 33, 50, 64}) {
      for (int variant = 0; variant < 4; ++variant) {
        Conv2DGeometry g;
        g.batch = 1;
        g.in_c = g.out_c = g.groups = c;
        g.kernel_h = k[0];
        g.kernel_w = k[1];
        g.in_h = g.in_w = 4;
        g.pad_top = g.pad_left = 1;
        if (!Finish(g, 1, 1)) continue;
        Layer l = RandomLayer(g, rng, -127);
        const int8_t x = variant % 2 ? int8_t{127} : int8_t{-128};
        std::fill(l.input.begin(), l.input.end(), x);
        if (variant < 2) {
          // Same sign everywhere: every int16 pair sum is 2 * 127 * |x|.
          std::fill(l.weights.begin(), l.weights.end(), int8_t{-127});
        } else {
          std::fill(l.weights.begin(), l.weights.end(), int8_t{-128});
          l.weights[rng.uniform_int(0, static_cast<int>(l.weights.size()) - 1)] = 127;
        }
        l.in_zp = variant % 2 ? -128 : 127;
        l.out.zero_point = 0;
        l.out.qmin = -128;
        l.out.qmax = 127;
        // Scales small enough that the outputs do not all clamp.
        for (float& s : l.scale) s = rng.scale(1e-6f, 1e-4f);
        CheckLayer(l, pool2.get(), "saturated case " + std::to_string(case_no++));
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  }
}

}  // namespace
}  // namespace qrun::kernels

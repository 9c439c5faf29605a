// ARM NEON depthwise convolution (kernels/arm/qs8-dwconv-neon.cc through
// kernels/dispatch/qs8_dwconv) bit-exact against the reference conv2d_s8
// over randomized layers: kernels 1x1 to 7x7 and non-square, strides 1-3,
// dilation 1-2, asymmetric padding, channels 1-50 (tails of 16 and 8),
// tiny images, weights with and without -128 (the SMLAL pair path and the
// SMULL-only path), zero points at the extremes, 1 and 2 threads. Inputs and
// outputs end at a guard page. Runs on ARM builds (under qemu in CI); the
// x86 build compiles it and skips.
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

TEST(Qs8DwConvNeon, BitExactWithReference) {
#if !defined(__aarch64__) && !defined(__arm__)
  GTEST_SKIP() << "ARM only";
#else
  if (!IsaSupported(Isa::kNeon)) GTEST_SKIP() << "no NEON on this CPU";
  std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, ThreadPoolDeleter> pool2(
      pthreadpool_create(2));
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
    const int h = g.in_h + g.pad_top + pad_bottom - span_h, w = g.in_w + g.pad_left + pad_right - span_w;
    if (h < 0 || w < 0) continue;
    g.out_h = h / g.stride_h + 1;
    g.out_w = w / g.stride_w + 1;
    const size_t taps = static_cast<size_t>(g.kernel_h) * g.kernel_w;
    const std::vector<int8_t> input = rng.int8s(static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.in_c);
    const std::vector<int8_t> weights = rng.int8s(taps * g.in_c, trial % 2 ? -128 : -127, 127);
    const bool has_bias = rng.uniform_int(0, 3) != 0;
    const std::vector<int32_t> bias = rng.int32s(static_cast<size_t>(g.in_c), -30000, 30000);
    std::vector<float> scale;
    for (int c = 0; c < g.in_c; ++c) scale.push_back(rng.scale(1e-4f, 2e-2f));
    const int32_t in_zp = qrun::testing::random_zero_point(rng);
    QuantizedOutput out;
    out.zero_point = qrun::testing::random_zero_point(rng);
    const auto clamp = qrun::testing::random_fused_clamp(rng, 0.05, out.zero_point);
    out.qmin = clamp.qmin;
    out.qmax = clamp.qmax;

    std::vector<int8_t> expected(static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c);
    ref::conv2d_s8(g, input.data(), in_zp, weights.data(), has_bias ? bias.data() : nullptr,
                   scale.data(), out, expected.data());
    Qs8DwConv dw;
    ASSERT_TRUE(dw.Init(Isa::kNeon, g, in_zp, weights.data(), has_bias ? bias.data() : nullptr,
                        scale.data(), out))
        << "trial " << trial;
    EXPECT_NE(std::string(dw.name()).find("neon"), std::string::npos) << dw.name();
    ++ran;
    GuardedBuffer in(input.size()), y(expected.size());
    std::copy(input.begin(), input.end(), in.data());
    for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2.get()}) {
      std::fill(y.data(), y.data() + expected.size(), int8_t{0x5a});
      dw.Run(in.data(), y.data(), pool);
      ASSERT_EQ(std::vector<int8_t>(y.data(), y.data() + expected.size()), expected)
          << dw.name() << " trial " << trial << " c " << g.in_c << " k " << g.kernel_h << "x"
          << g.kernel_w << " s " << g.stride_h << "," << g.stride_w << " d " << g.dilation_h
          << "," << g.dilation_w << " in " << g.in_h << "x" << g.in_w;
    }
  }
  EXPECT_GE(ran, 100);
#endif
}

}  // namespace
}  // namespace qrun::kernels

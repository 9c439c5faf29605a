// Integer Winograd F(2x2, 3x3): the reference (kernels/reference/conv2d_winograd)
// and the optimized driver (kernels/dispatch/qs8_winograd) bit-exact against
// the direct reference conv2d_s8, over randomized 3x3 stride-1 layers: odd and
// tiny images (partial edge tiles), channels not multiples of 2/16, every
// padding 0..2 per side, zero points and weights at the extremes, fused
// clamps, 1 and 2 threads. Inputs and outputs end at a guard page.
#include <gtest/gtest.h>
#include <pthreadpool.h>

#include <memory>
#include <vector>

#include "guarded_buffer.h"
#include "kernel_test_util.h"
#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/qs8_winograd.h"
#include "kernels/reference/conv2d.h"
#include "kernels/reference/conv2d_winograd.h"

namespace qrun::kernels {
namespace {

using qrun::testing::GuardedBuffer;
using qrun::testing::Rng;

struct Case {
  Conv2DGeometry g;
  std::vector<int8_t> input, weights;
  std::vector<int32_t> bias;
  bool has_bias = true;
  std::vector<float> scale;
  int32_t in_zp = 0;
  QuantizedOutput out;
};

Case RandomCase(Rng& rng, int min_c, int max_c, int min_hw, int max_hw) {
  Case k;
  Conv2DGeometry& g = k.g;
  g.batch = rng.uniform_int(1, 2);
  g.in_h = rng.uniform_int(min_hw, max_hw);
  g.in_w = rng.uniform_int(min_hw, max_hw);
  g.in_c = rng.uniform_int(min_c, max_c);
  g.out_c = rng.uniform_int(min_c, max_c);
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = rng.uniform_int(0, 2);
  g.pad_left = rng.uniform_int(0, 2);
  const int pad_bottom = rng.uniform_int(0, 2), pad_right = rng.uniform_int(0, 2);
  g.out_h = g.in_h + g.pad_top + pad_bottom - 2;
  g.out_w = g.in_w + g.pad_left + pad_right - 2;
  if (g.out_h < 1) g.out_h = 1, g.pad_top = 2;  // keep a valid geometry for tiny inputs
  if (g.out_w < 1) g.out_w = 1, g.pad_left = 2;
  const size_t in_n = static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.in_c;
  k.in_zp = qrun::testing::random_zero_point(rng);
  // Half the cases use only the extremes: the largest transformed values.
  const bool extremes = rng.coin();
  k.input = rng.int8s(in_n);
  k.weights = rng.int8s(static_cast<size_t>(g.out_c) * 9 * g.in_c, rng.coin() ? -128 : -127, 127);
  if (extremes) {
    for (auto& x : k.input) x = x < 0 ? -128 : 127;
    for (auto& w : k.weights) w = w < 0 ? -127 : 127;
  }
  k.has_bias = rng.uniform_int(0, 4) != 0;
  k.bias = rng.int32s(static_cast<size_t>(g.out_c), -40000, 40000);
  const float base = rng.scale(1e-5f, 1e-2f);
  const bool per_channel = rng.coin();
  for (int c = 0; c < g.out_c; ++c) k.scale.push_back(per_channel ? rng.scale(1e-5f, 1e-2f) : base);
  k.out.zero_point = qrun::testing::random_zero_point(rng);
  const auto clamp = qrun::testing::random_fused_clamp(rng, 0.05, k.out.zero_point);
  k.out.qmin = clamp.qmin;
  k.out.qmax = clamp.qmax;
  return k;
}

size_t OutputSize(const Conv2DGeometry& g) {
  return static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c;
}

std::vector<int8_t> Direct(const Case& k) {
  std::vector<int8_t> y(OutputSize(k.g));
  ref::conv2d_s8(k.g, k.input.data(), k.in_zp, k.weights.data(),
                 k.has_bias ? k.bias.data() : nullptr, k.scale.data(), k.out, y.data());
  return y;
}

TEST(WinogradReference, MatchesDirectConvolution) {
  Rng rng(20261126);
  for (int trial = 0; trial < 120; ++trial) {
    const Case k = RandomCase(rng, 1, 19, 1, 9);
    ASSERT_TRUE(ref::winograd_f2x3_exact(k.g, k.weights.data()));
    std::vector<int8_t> y(OutputSize(k.g));
    ref::conv2d_s8_winograd_f2x3(k.g, k.input.data(), k.in_zp, k.weights.data(),
                                 k.has_bias ? k.bias.data() : nullptr, k.scale.data(), k.out,
                                 y.data());
    ASSERT_EQ(y, Direct(k)) << "trial " << trial << " " << k.g.in_h << "x" << k.g.in_w << "x"
                            << k.g.in_c << " -> " << k.g.out_c;
  }
}

TEST(WinogradReference, HandComputedTile) {
  // 4x4 single-channel image 1..16, zero point 0, filter of ones, no padding:
  // each 2x2 output is the sum of a 3x3 window (direct sums: 54 63 / 90 99).
  Conv2DGeometry g;
  g.in_h = g.in_w = 4;
  g.in_c = g.out_c = 1;
  g.kernel_h = g.kernel_w = 3;
  g.out_h = g.out_w = 2;
  std::vector<int8_t> x(16), w(9, 1), y(4);
  for (int i = 0; i < 16; ++i) x[i] = static_cast<int8_t>(i + 1);
  const float scale = 1.0f;
  QuantizedOutput out;
  ref::conv2d_s8_winograd_f2x3(g, x.data(), 0, w.data(), nullptr, &scale, out, y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{54, 63, 90, 99}));
}

TEST(WinogradReference, RejectsLayersItCannotComputeExactly) {
  Conv2DGeometry g;
  g.in_h = g.in_w = 8;
  g.kernel_h = g.kernel_w = 3;
  g.out_h = g.out_w = 6;
  g.out_c = 1;
  // 128 * sum|w| must stay below 2^29: 9 * 3669 * 127 * 128 < 2^29 <= 9 * 3670 * 127 * 128.
  g.in_c = 3670;
  std::vector<int8_t> w(9 * 3670, 127);
  EXPECT_FALSE(ref::winograd_f2x3_exact(g, w.data()));
  g.in_c = 3669;
  EXPECT_TRUE(ref::winograd_f2x3_exact(g, w.data()));
  g.in_c = 8;
  g.stride_h = 2;
  EXPECT_FALSE(ref::winograd_f2x3_exact(g, w.data()));
  g.stride_h = 1;
  g.dilation_w = 2;
  EXPECT_FALSE(ref::winograd_f2x3_exact(g, w.data()));
  g.dilation_w = 1;
  g.kernel_w = 5;
  EXPECT_FALSE(ref::winograd_f2x3_exact(g, w.data()));
}

struct ThreadPoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};

#if defined(__x86_64__) || defined(_M_X64)
constexpr Isa kWinogradLevels[] = {Isa::kAvx2, Isa::kAvxVnni};
#else
constexpr Isa kWinogradLevels[] = {Isa::kNeon};
#endif

class WinogradLevelTest : public ::testing::TestWithParam<Isa> {};

TEST_P(WinogradLevelTest, MatchesDirectConvolution) {
#if !defined(__x86_64__) && !defined(_M_X64)
  GTEST_SKIP() << "Winograd kernels are x86 only (on ARM the direct NEON/SDOT kernels win)";
#endif
  const Isa isa = GetParam();
  if (!IsaBuilt(isa) || !IsaSupported(isa)) GTEST_SKIP() << IsaName(isa) << " not available";
  std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, ThreadPoolDeleter> pool2(
      pthreadpool_create(2));
  ASSERT_NE(pool2, nullptr);
  Rng rng(77 + static_cast<int>(isa));
  int used = 0;
  for (int trial = 0; trial < 80; ++trial) {
    const Case k = trial < 60 ? RandomCase(rng, 8, 40, 9, 17) : RandomCase(rng, 40, 90, 11, 14);
    Qs8WinogradConv conv;
    if (!conv.Init(isa, k.g, k.in_zp, k.weights.data(), k.has_bias ? k.bias.data() : nullptr,
                   k.scale.data(), k.out, /*max_threads=*/2)) {
      continue;  // layer too small to pay off (checked below that most run)
    }
    ++used;
    const std::vector<int8_t> expected = Direct(k);
    GuardedBuffer in(k.input.size()), out(expected.size());
    std::copy(k.input.begin(), k.input.end(), in.data());
    std::vector<uint8_t> scratch(conv.scratch_bytes());
    for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2.get()}) {
      std::fill(out.data(), out.data() + expected.size(), int8_t{0x55});
      conv.Run(in.data(), out.data(), scratch.data(), pool);
      const std::vector<int8_t> got(out.data(), out.data() + expected.size());
      ASSERT_EQ(got, expected) << conv.name() << " trial " << trial << " threads "
                               << (pool ? 2 : 1) << " " << k.g.batch << "x" << k.g.in_h << "x"
                               << k.g.in_w << "x" << k.g.in_c << " -> " << k.g.out_c << " pad "
                               << k.g.pad_top << "," << k.g.pad_left << " out " << k.g.out_h
                               << "x" << k.g.out_w;
    }
  }
  EXPECT_GE(used, 50) << "most randomized layers should take the Winograd path";
}

INSTANTIATE_TEST_SUITE_P(Levels, WinogradLevelTest, ::testing::ValuesIn(kWinogradLevels),
                         [](const auto& info) { return std::string(IsaName(info.param)); });

}  // namespace
}  // namespace qrun::kernels

// Optimized int8 depthwise Conv2D (kernels/dispatch/qs8_dwconv.h and the
// kernels/x86/qs8-dwconv-* microkernels) bit-exact against
// kernels::ref::conv2d_s8 for every ISA level this CPU runs (levels it lacks
// are skipped), with 1 and 2 threads, over randomized shapes: channels 1..70
// and beyond (not multiples of 8/16/32), spatial sizes 1..20, 3x3 and 5x5
// (specialised) and other kernels (general fallback), strides 1..3, dilation
// 1/2, symmetric and asymmetric padding, zero points at -128/127, extreme
// inputs and weights, fused clamps; plus a sweep of every AVX2 3x3/5x5 path
// (ring and column-buffer kernels, block widths, tails, 1x1/2x2 inputs). Input and output end at a PROT_NONE page
// so reads or writes past the last channel of the last pixel fault.
#include <gtest/gtest.h>
#include <pthreadpool.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
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

using qrun::testing::Rng;

using qrun::testing::GuardedBuffer;

struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using PoolPtr = std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, PoolDeleter>;

std::string Describe(const Conv2DGeometry& g, int pad_bottom, int pad_right) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "n%d %dx%dx%d -> %dx%d k%dx%d s%dx%d d%dx%d pad t%d l%d b%d r%d",
                g.batch, g.in_h, g.in_w, g.in_c, g.out_h, g.out_w, g.kernel_h, g.kernel_w,
                g.stride_h, g.stride_w, g.dilation_h, g.dilation_w, g.pad_top, g.pad_left,
                pad_bottom, pad_right);
  return buf;
}

class Qs8DwConvTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!IsaBuilt(GetParam())) GTEST_SKIP() << IsaName(GetParam()) << ": not built here";
    if (!IsaSupported(GetParam()))
      GTEST_SKIP() << IsaName(GetParam())
                   << " not supported by this CPU (has: " << SupportedIsaList() << ")";
    pool2_.reset(pthreadpool_create(2));
    ASSERT_NE(pool2_, nullptr);
  }
  PoolPtr pool2_;
};

int RandomChannels(Rng& rng) {
  switch (rng.uniform_int(0, 5)) {
    case 0:
      return rng.uniform_int(1, 17);
    case 1:
      return 16 * rng.uniform_int(1, 4) + rng.uniform_int(-1, 1);  // around the tiles
    case 2:
      return rng.uniform_int(71, 160);
    default:
      return rng.uniform_int(1, 70);
  }
}

void CheckLayer(Rng& rng, const Conv2DGeometry& g, int pad_bottom, int pad_right, Isa isa,
                pthreadpool_t pool2, const std::string& tag, bool zp_extreme = false);

// One random layer; kernel: 0 3x3, 1 5x5, 2 anything else (fallback).
void RunConfig(Rng& rng, int config, Isa isa, pthreadpool_t pool2) {
  Conv2DGeometry g;
  g.batch = rng.uniform_int(0, 5) == 0 ? 2 : 1;
  g.in_c = g.out_c = g.groups = RandomChannels(rng);
  switch (config % 3) {
    case 0:
      g.kernel_h = g.kernel_w = 3;
      break;
    case 1:
      g.kernel_h = g.kernel_w = 5;
      break;
    default: {
      static const int kOther[][2] = {{1, 1}, {7, 7}, {3, 5}, {5, 3},
                                      {2, 2}, {1, 3}, {4, 1}, {3, 1}};
      const auto& k = kOther[rng.uniform_int(0, 7)];
      g.kernel_h = k[0];
      g.kernel_w = k[1];
    }
  }
  g.stride_h = rng.uniform_int(1, 3);
  g.stride_w = rng.coin() ? g.stride_h : rng.uniform_int(1, 3);
  g.dilation_h = rng.uniform_int(0, 4) == 0 ? 2 : 1;
  g.dilation_w = rng.uniform_int(0, 4) == 0 ? 2 : g.dilation_h;
  const int eff_h = (g.kernel_h - 1) * g.dilation_h + 1;
  const int eff_w = (g.kernel_w - 1) * g.dilation_w + 1;
  // Same ("k/2" each side), none, or any asymmetric mix up to the window.
  int pad_bottom, pad_right;
  switch (rng.uniform_int(0, 2)) {
    case 0:
      g.pad_top = (eff_h - 1) / 2;
      pad_bottom = eff_h - 1 - g.pad_top;
      g.pad_left = (eff_w - 1) / 2;
      pad_right = eff_w - 1 - g.pad_left;
      break;
    case 1:
      g.pad_top = g.pad_left = pad_bottom = pad_right = 0;
      break;
    default:
      g.pad_top = rng.uniform_int(0, eff_h - 1);
      pad_bottom = rng.uniform_int(0, eff_h - 1);
      g.pad_left = rng.uniform_int(0, eff_w - 1);
      pad_right = rng.uniform_int(0, eff_w - 1);
  }
  g.in_h = std::max(rng.uniform_int(1, 20), eff_h - g.pad_top - pad_bottom);
  g.in_w = std::max(rng.uniform_int(1, 20), eff_w - g.pad_left - pad_right);
  g.out_h = (g.in_h + g.pad_top + pad_bottom - eff_h) / g.stride_h + 1;
  g.out_w = (g.in_w + g.pad_left + pad_right - eff_w) / g.stride_w + 1;
  CheckLayer(rng, g, pad_bottom, pad_right, isa, pool2, "config " + std::to_string(config));
}

// Random data for layer g (extreme zero points when `zp_extreme`), the
// reference, then Qs8DwConv with 1 and 2 threads: every output byte equal.
void CheckLayer(Rng& rng, const Conv2DGeometry& g, int pad_bottom, int pad_right, Isa isa,
                pthreadpool_t pool2, const std::string& tag, bool zp_extreme) {
  const int taps = g.kernel_h * g.kernel_w;

  // Extreme mode: inputs and weights only at the int8 ends (largest sums).
  const bool extreme = rng.uniform_int(0, 5) == 0;
  const size_t in_elems = static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.in_c;
  const size_t out_elems = static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c;
  std::vector<int8_t> input = rng.int8s(in_elems);
  std::vector<int8_t> weights =
      rng.int8s(static_cast<size_t>(g.out_c) * taps, rng.coin() ? -128 : -127, 127);
  if (extreme) {
    for (auto& v : input) v = v < 0 ? -128 : 127;
    for (auto& v : weights) v = v < 0 ? -128 : 127;
  }
  const bool has_bias = rng.uniform_int(0, 4) != 0;
  const std::vector<int32_t> bias = rng.int32s(static_cast<size_t>(g.out_c), -40000, 40000);
  std::vector<float> scale;
  const bool per_channel = rng.coin();
  const float base = extreme ? rng.scale(1e-6f, 1e-4f) : rng.scale(1e-4f, 3e-2f);
  for (int c = 0; c < g.out_c; ++c)
    scale.push_back(per_channel ? base * rng.uniform_float(0.5f, 2.0f) : base);
  const int32_t in_zp =
      zp_extreme ? (rng.coin() ? -128 : 127) : qrun::testing::random_zero_point(rng);
  QuantizedOutput out;
  out.zero_point =
      zp_extreme ? (rng.coin() ? -128 : 127) : qrun::testing::random_zero_point(rng);
  const auto clamp = qrun::testing::random_fused_clamp(rng, 0.05, out.zero_point);
  out.qmin = clamp.qmin;
  out.qmax = clamp.qmax;

  std::vector<int8_t> want(out_elems);
  const int32_t* b = has_bias ? bias.data() : nullptr;
  ref::conv2d_s8(g, input.data(), in_zp, weights.data(), b, scale.data(), out, want.data());

  Qs8DwConv dw;
  ASSERT_TRUE(dw.Init(isa, g, in_zp, weights.data(), b, scale.data(), out))
      << Describe(g, pad_bottom, pad_right);
  GuardedBuffer in(in_elems), got(out_elems);
  ASSERT_TRUE(in.ok() && got.ok());
  std::memcpy(in.data(), input.data(), in_elems);
  for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2}) {
    std::memset(got.data(), 0x55, out_elems);
    dw.Run(in.data(), got.data(), pool);
    size_t first = 0;
    while (first < out_elems && got.data()[first] == want[first]) ++first;
    ASSERT_EQ(first, out_elems) << tag << " " << Describe(g, pad_bottom, pad_right)
                                << " zp " << in_zp << "->" << out.zero_point << " [" << out.qmin
                                << "," << out.qmax << "]" << (extreme ? " extreme" : "")
                                << " threads " << (pool ? 2 : 1) << " " << dw.name()
                                << ": first mismatch at " << first << " (pixel " << first / g.out_c
                                << " channel " << first % g.out_c << "): got "
                                << int{got.data()[first]} << " want " << int{want[first]};
  }
}

TEST_P(Qs8DwConvTest, BitExactWithReference) {
  Rng rng(0xD5C0 + static_cast<int>(GetParam()));
  for (int config = 0; config < 600; ++config) {
    RunConfig(rng, config, GetParam(), pool2_.get());
    if (HasFatalFailure()) return;
  }
}

// The AVX2 3x3/5x5 paths one by one: the ring kernels (stride_w 1/2,
// dilation_w 1; 16 or 8 channels per block, tiny rows with out_w below the
// ring depth), the column-buffer kernel (stride_w 3, dilation_w 2, in_c < 8),
// channel counts around 8/16/32 (shifted tail blocks, their weight groups),
// 1x1 and 2x2 inputs, pads 0/1/2 symmetric and asymmetric, extreme zero
// points; 1 and 2 threads.
TEST_P(Qs8DwConvTest, SquareKernelPathsBitExact) {
  Rng rng(0xD5C1 + static_cast<int>(GetParam()));
  int layer = 0;
  for (int k : {3, 5}) {
    for (int stride : {1, 2, 3}) {
      for (int ch : {1, 3, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 40, 47, 72, 88, 100}) {
        for (int shape = 0; shape < 4; ++shape) {
          Conv2DGeometry g;
          g.in_c = g.out_c = g.groups = ch;
          g.kernel_h = g.kernel_w = k;
          g.stride_h = rng.coin() ? stride : rng.uniform_int(1, 2);
          g.stride_w = stride;
          g.dilation_h = rng.uniform_int(0, 5) == 0 ? 2 : 1;
          g.dilation_w = stride == 1 && rng.uniform_int(0, 5) == 0 ? 2 : 1;
          const int eff_h = (k - 1) * g.dilation_h + 1, eff_w = (k - 1) * g.dilation_w + 1;
          int pad_bottom, pad_right;
          switch (shape) {
            case 0:  // 1x1 or 2x2 input, padded to the window
              g.in_h = g.in_w = rng.uniform_int(1, 2);
              g.pad_top = rng.uniform_int(0, eff_h - 1);
              g.pad_left = rng.uniform_int(0, eff_w - 1);
              pad_bottom = std::max(0, eff_h - g.in_h - g.pad_top);
              pad_right = std::max(0, eff_w - g.in_w - g.pad_left);
              break;
            case 1:  // "same" padding k / 2, odd small sizes
              g.in_h = rng.uniform_int(1, 9);
              g.in_w = 2 * rng.uniform_int(0, 6) + 1;
              g.pad_top = pad_bottom = (eff_h - 1) / 2;
              g.pad_left = pad_right = (eff_w - 1) / 2;
              break;
            case 2:  // no padding, rows a few pixels wide
              g.in_h = eff_h + rng.uniform_int(0, 4);
              g.in_w = eff_w + rng.uniform_int(0, 12);
              g.pad_top = g.pad_left = pad_bottom = pad_right = 0;
              break;
            default:  // asymmetric pads 0..2, wider rows
              g.pad_top = rng.uniform_int(0, std::min(2, eff_h - 1));
              pad_bottom = rng.uniform_int(0, std::min(2, eff_h - 1));
              g.pad_left = rng.uniform_int(0, std::min(2, eff_w - 1));
              pad_right = rng.uniform_int(0, std::min(2, eff_w - 1));
              g.in_h = std::max(rng.uniform_int(1, 8), eff_h - g.pad_top - pad_bottom);
              g.in_w = std::max(rng.uniform_int(1, 40), eff_w - g.pad_left - pad_right);
          }
          g.out_h = (g.in_h + g.pad_top + pad_bottom - eff_h) / g.stride_h + 1;
          g.out_w = (g.in_w + g.pad_left + pad_right - eff_w) / g.stride_w + 1;
          ASSERT_GE(g.out_h, 1);
          ASSERT_GE(g.out_w, 1);
          CheckLayer(rng, g, pad_bottom, pad_right, GetParam(), pool2_.get(),
                     "sweep " + std::to_string(layer++), rng.uniform_int(0, 2) == 0);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

// MobileNet-like layers (larger, multi-tile rows) once each.
TEST_P(Qs8DwConvTest, MobileNetShapesBitExact) {
  Rng rng(77);
  struct Shape {
    int hw, c, k, s;
  };
  for (const Shape& s : {Shape{28, 96, 5, 2}, Shape{14, 144, 3, 1}, Shape{15, 72, 3, 2},
                         Shape{7, 960, 3, 1}, Shape{14, 240, 5, 1}}) {
    Conv2DGeometry g;
    g.in_h = g.in_w = s.hw;
    g.in_c = g.out_c = g.groups = s.c;
    g.kernel_h = g.kernel_w = s.k;
    g.stride_h = g.stride_w = s.s;
    g.pad_top = g.pad_left = s.k / 2;
    g.out_h = g.out_w = (s.hw + 2 * (s.k / 2) - s.k) / s.s + 1;
    const auto input = rng.int8s(static_cast<size_t>(s.hw) * s.hw * s.c);
    const auto weights = rng.int8s(static_cast<size_t>(s.c) * s.k * s.k, -127, 127);
    const auto bias = rng.int32s(static_cast<size_t>(s.c), -5000, 5000);
    const std::vector<float> scale(static_cast<size_t>(s.c), 0.004f);
    QuantizedOutput q{-20, -20, 127};
    std::vector<int8_t> want(static_cast<size_t>(g.out_h) * g.out_w * s.c), got(want.size());
    ref::conv2d_s8(g, input.data(), 3, weights.data(), bias.data(), scale.data(), q, want.data());
    Qs8DwConv dw;
    ASSERT_TRUE(dw.Init(GetParam(), g, 3, weights.data(), bias.data(), scale.data(), q));
    dw.Run(input.data(), got.data(), pool2_.get());
    EXPECT_EQ(got, want) << s.hw << "x" << s.hw << "x" << s.c << " k" << s.k << " s" << s.s;
  }
}

TEST_P(Qs8DwConvTest, KernelNamesSaySizeTileAndIsa) {
  const bool avx512 = IsaAtLeast(GetParam(), Isa::kAvx512Vnni);
  // (AVX2: 8 channels at in_c 8; the 16-channel ring case is checked below.)
  const std::string isa = avx512 ? "-32c-avx512vnni" : "-8c-avx2";
  const std::string any_isa = avx512 ? "-32c-avx512vnni" : "-16c-avx2";
  struct Case {
    int kh, kw;
    const char* name;
  };
  for (const Case& k : {Case{3, 3, "qs8-dwconv-3x3"}, Case{5, 5, "qs8-dwconv-5x5"},
                        Case{3, 5, "qs8-dwconv-any-3x5"}, Case{7, 7, "qs8-dwconv-any-7x7"}}) {
    Conv2DGeometry g;
    g.in_h = g.in_w = 8;
    g.in_c = g.out_c = g.groups = 8;
    g.kernel_h = k.kh;
    g.kernel_w = k.kw;
    g.out_h = 8 - k.kh + 1;
    g.out_w = 8 - k.kw + 1;
    std::vector<int8_t> w(static_cast<size_t>(8 * k.kh * k.kw), 1);
    std::vector<float> s(8, 0.01f);
    Qs8DwConv dw;
    ASSERT_TRUE(dw.Init(GetParam(), g, 0, w.data(), nullptr, s.data(), {}));
    const bool any = std::string(k.name).find("any") != std::string::npos;
    EXPECT_EQ(std::string(dw.name()), std::string(k.name) + (any ? any_isa : isa));
  }
  if (avx512) return;
  // AVX2 block widths: 16 channels for the 3x3 ring and the 5x5 at stride 2,
  // 8 for the 5x5 at stride 1 and the column-buffer kernel (stride 3).
  struct Width {
    int k, stride, c;
    const char* name;
  };
  for (const Width& c : {Width{3, 1, 32, "qs8-dwconv-3x3-16c-avx2"},
                         Width{3, 2, 16, "qs8-dwconv-3x3-16c-avx2"},
                         Width{3, 3, 32, "qs8-dwconv-3x3-8c-avx2"},
                         Width{5, 1, 32, "qs8-dwconv-5x5-8c-avx2"},
                         Width{5, 2, 32, "qs8-dwconv-5x5-16c-avx2"},
                         Width{5, 2, 12, "qs8-dwconv-5x5-8c-avx2"}}) {
    Conv2DGeometry g;
    g.in_h = g.in_w = 9;
    g.in_c = g.out_c = g.groups = c.c;
    g.kernel_h = g.kernel_w = c.k;
    g.stride_h = g.stride_w = c.stride;
    g.out_h = g.out_w = (9 - c.k) / c.stride + 1;
    std::vector<int8_t> w(static_cast<size_t>(c.c * c.k * c.k), 1);
    std::vector<float> s(static_cast<size_t>(c.c), 0.01f);
    Qs8DwConv dw;
    ASSERT_TRUE(dw.Init(GetParam(), g, 0, w.data(), nullptr, s.data(), {}));
    EXPECT_EQ(std::string(dw.name()), c.name) << c.k << "x" << c.k << " s" << c.stride;
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, Qs8DwConvTest,
                         ::testing::Values(Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(IsaName(info.param));
                         });

// The reference level, non-depthwise layers, depth multipliers and huge
// kernels keep the reference kernel (Init says no).
TEST(Qs8DwConvDispatch, DeclinesWhatItDoesNotCover) {
  Conv2DGeometry g;
  g.in_h = g.in_w = g.out_h = g.out_w = 4;
  g.in_c = g.out_c = g.groups = 8;
  std::vector<int8_t> w(16 * 17 * 17, 1);
  std::vector<float> s(16, 0.01f);
  Qs8DwConv dw;
  EXPECT_FALSE(dw.Init(Isa::kReference, g, 0, w.data(), nullptr, s.data(), {}));
  Conv2DGeometry multiplier = g;
  multiplier.out_c = 16;
  EXPECT_FALSE(dw.Init(BestIsa(), multiplier, 0, w.data(), nullptr, s.data(), {}));
  Conv2DGeometry dense = g;
  dense.groups = 1;
  EXPECT_FALSE(dw.Init(BestIsa(), dense, 0, w.data(), nullptr, s.data(), {}));
  Conv2DGeometry huge = g;
  huge.in_h = huge.in_w = 17;
  huge.kernel_h = huge.kernel_w = 17;
  huge.out_h = huge.out_w = 1;
  EXPECT_FALSE(dw.Init(BestIsa(), huge, 0, w.data(), nullptr, s.data(), {}));
}

}  // namespace
}  // namespace qrun::kernels

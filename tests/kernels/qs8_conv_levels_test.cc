// Optimized int8 Conv2D / FullyConnected (kernels/dispatch/qs8_conv.h and
// the microkernels of the architecture: kernels/x86/, kernels/arm/; the file
// name predates the ARM port) bit-exact against the reference kernels, for
// every ISA level this CPU runs (levels it lacks are skipped; AVX2 twice:
// igemm with int16 and with int8 packed weights) and for 1 and 2 threads,
// over randomized shapes: channels not multiples of the vector
// width, tiny and odd spatial sizes, stride/dilation/padding mixes, groups,
// zero points at the extremes, per-channel scales, fused clamps. Inputs and
// outputs end at a PROT_NONE guard page so tail over-reads/-writes fault.
// (CPUs without a VNNI level skip it here; tests/emulated runs this file
// again with the VNNI kernels compiled on exact AVX2 emulations.)
#include <gtest/gtest.h>
#include <pthreadpool.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "guarded_buffer.h"
#include "kernel_test_util.h"
#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/qs8_conv.h"
#include "kernels/dispatch/qs8_dwconv.h"
#include "kernels/reference/conv2d.h"
#include "kernels/reference/fully_connected.h"
#include "qs8_conv_test_util.h"

namespace qrun::kernels {
namespace {

using qrun::testing::Rng;

using qrun::testing::GuardedBuffer;
using conv_test::Describe;
using conv_test::Layer;
using conv_test::RandomGeometry;
using conv_test::RandomLayer;
using conv_test::RunAndCompare;
using conv_test::ThreadPoolPtr;

// An ISA level and the AVX2 igemm weight width it forces (through
// Qs8Conv::set_w8_max_rows; the default picks by layer size).
enum class Weights { kDefault, kInt16, kInt8 };
struct Level {
  Isa isa;
  Weights weights;
};
constexpr size_t kAlwaysW8 = std::numeric_limits<size_t>::max();

#if defined(__x86_64__) || defined(_M_X64)
constexpr Level kLevels[] = {{Isa::kAvx2, Weights::kInt16}, {Isa::kAvx2, Weights::kInt8},
                             {Isa::kAvxVnni, Weights::kDefault},
                             {Isa::kAvx512Vnni, Weights::kDefault}};
#else
constexpr Level kLevels[] = {{Isa::kNeon, Weights::kDefault}, {Isa::kNeonDot, Weights::kDefault},
                             {Isa::kNeonI8mm, Weights::kDefault}};
#endif

size_t W8MaxRows(Weights w) {
  return w == Weights::kInt16 ? 0 : w == Weights::kInt8 ? kAlwaysW8 : Qs8Conv::kW8MaxRows;
}

// The AVX2 tile a forced weight width must select ("" when nothing is forced
// or the layer has one output row: the GEMV, always int8 weights).
std::string ExpectedAvx2Tile(Weights w, const std::string& name) {
  if (w == Weights::kDefault || name.find("/1x32c2w8-") != std::string::npos) return "";
  return w == Weights::kInt8 ? "/6x16c2w8-" : "/6x16c2-";
}

class Qs8ConvTest : public ::testing::TestWithParam<Level> {
 protected:
  void SetUp() override {
    if (!IsaBuilt(isa())) GTEST_SKIP() << IsaName(isa()) << ": not built for this architecture";
    if (!IsaSupported(isa()))
      GTEST_SKIP() << IsaName(isa()) << " not supported by this CPU (has: "
                   << SupportedIsaList() << ")";
    pool2_.reset(pthreadpool_create(2));
    ASSERT_NE(pool2_, nullptr);
  }
  Isa isa() const { return GetParam().isa; }
  size_t w8_max_rows() const { return W8MaxRows(GetParam().weights); }
  // Init with this level's weight width; checks the tile it forces.
  bool Init(Qs8Conv& conv, Qs8Conv::Kind kind, const Conv2DGeometry& g, int32_t in_zp,
            const int8_t* weights, const int32_t* bias, const float* scale,
            const QuantizedOutput& out) const {
    conv.set_w8_max_rows(w8_max_rows());
    if (!conv.Init(isa(), kind, g, in_zp, weights, bias, scale, out)) return false;
    const std::string tile = ExpectedAvx2Tile(GetParam().weights, conv.name());
    EXPECT_TRUE(tile.empty() || std::string(conv.name()).find(tile) != std::string::npos)
        << conv.name() << " (want " << tile << ")";
    return true;
  }
  ThreadPoolPtr pool2_;
};

TEST_P(Qs8ConvTest, Conv2DBitExactWithReference) {
  Rng rng(0xC0417 + static_cast<int>(isa()));
  int tested = 0;
  for (int config = 0; config < 260; ++config) {
    const Conv2DGeometry g = RandomGeometry(rng, config);
    const size_t kc = static_cast<size_t>(g.in_c / g.groups);
    const size_t in_elems = static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.in_c;
    const size_t out_elems = static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c;
    const Layer l = RandomLayer(rng, g.out_c, static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * kc);
    const std::vector<int8_t> input = rng.int8s(in_elems);
    std::vector<int8_t> want(out_elems);
    ref::conv2d_s8(g, input.data(), l.in_zp, l.weights.data(), l.has_bias ? l.bias.data() : nullptr,
                   l.scale.data(), l.out, want.data());
    Qs8Conv conv;
    const bool ok = Init(conv, Qs8Conv::Kind::kConv2D, g, l.in_zp, l.weights.data(),
                              l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out);
    ASSERT_TRUE(ok) << Describe(g);
    const std::string what = "config " + std::to_string(config) + " " + Describe(g) +
                             " zp_in=" + std::to_string(l.in_zp) + " zp_out=" +
                             std::to_string(l.out.zero_point);
    RunAndCompare(conv, input, out_elems, want, pool2_.get(), what);
    if (HasFatalFailure()) return;
    // Running again (indirection already built) gives the same bytes.
    RunAndCompare(conv, input, out_elems, want, pool2_.get(), what + " (second run)");
    if (HasFatalFailure()) return;
    ++tested;
  }
  EXPECT_GE(tested, 200);
}

TEST_P(Qs8ConvTest, FullyConnectedBitExactWithReference) {
  Rng rng(0xFC + static_cast<int>(isa()));
  for (int config = 0; config < 120; ++config) {
    ref::FullyConnectedGeometry fg;
    fg.batch = config % 3 == 0 ? 1 : rng.uniform_int(1, 9);
    fg.in_features = rng.coin() ? rng.uniform_int(1, 40) : rng.uniform_int(41, 700);
    fg.out_features = rng.coin() ? rng.uniform_int(1, 40) : rng.uniform_int(41, 200);
    const Layer l = RandomLayer(rng, fg.out_features,
                                static_cast<size_t>(fg.out_features) * fg.in_features);
    const std::vector<int8_t> input = rng.int8s(static_cast<size_t>(fg.batch) * fg.in_features);
    const size_t out_elems = static_cast<size_t>(fg.batch) * fg.out_features;
    std::vector<int8_t> want(out_elems);
    ref::fully_connected_s8(fg, input.data(), l.in_zp, l.weights.data(),
                            l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out, want.data());
    Conv2DGeometry g;
    g.in_h = g.out_h = 1;
    g.in_w = g.out_w = fg.batch;
    g.in_c = fg.in_features;
    g.out_c = fg.out_features;
    Qs8Conv fc;
    ASSERT_TRUE(Init(fc, Qs8Conv::Kind::kFullyConnected, g, l.in_zp, l.weights.data(),
                        l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out));
    RunAndCompare(fc, input, out_elems, want, pool2_.get(),
                  "fc config " + std::to_string(config) + " batch " + std::to_string(fg.batch) +
                      " in " + std::to_string(fg.in_features) + " out " +
                      std::to_string(fg.out_features));
    if (HasFatalFailure()) return;
  }
}

// Saturated operands: activations and weights at -128 / 127 (the int16 pair
// sums of the NEON "mlal" kernels are at their limit with weights -127, and
// would overflow with -128, which must select the "smull" kernel), zero
// points at the extremes, K lengths around the 16-byte blocks.
TEST_P(Qs8ConvTest, ExtremeValuesBitExact) {
  Rng rng(0xE7 + static_cast<int>(isa()));
  for (int config = 0; config < 48; ++config) {
    Conv2DGeometry g;
    const int kc = std::array<int, 8>{1, 3, 15, 16, 17, 32, 33, 64}[config % 8];
    g.in_c = kc;
    g.out_c = rng.uniform_int(1, 40);
    g.in_h = rng.uniform_int(1, 6);
    g.in_w = rng.uniform_int(1, 6);
    g.kernel_h = g.kernel_w = config % 3 == 0 ? 3 : 1;
    g.pad_top = g.pad_left = g.kernel_h / 2;
    g.out_h = g.in_h;
    g.out_w = g.in_w;
    const size_t wcount = static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * kc;
    const bool with_m128 = (config / 8) % 2 == 1;
    Layer l = RandomLayer(rng, g.out_c, wcount);
    for (size_t i = 0; i < wcount; ++i) {
      const int pick = rng.uniform_int(0, 3);
      l.weights[i] = static_cast<int8_t>(pick == 0 ? 127 : (pick == 1 && with_m128 ? -128 : -127));
    }
    l.in_zp = config % 4 < 2 ? 127 : -128;
    for (float& sc : l.scale) sc *= 1e-3f;
    const size_t in_elems = static_cast<size_t>(g.in_h) * g.in_w * g.in_c;
    const size_t out_elems = static_cast<size_t>(g.out_h) * g.out_w * g.out_c;
    std::vector<int8_t> input(in_elems);
    for (size_t i = 0; i < in_elems; ++i)
      input[i] = static_cast<int8_t>(rng.uniform_int(0, 3) == 0 ? 127 : -128);
    std::vector<int8_t> want(out_elems);
    ref::conv2d_s8(g, input.data(), l.in_zp, l.weights.data(), l.bias.data(), l.scale.data(),
                   l.out, want.data());
    Qs8Conv conv;
    ASSERT_TRUE(Init(conv, Qs8Conv::Kind::kConv2D, g, l.in_zp, l.weights.data(),
                          l.bias.data(), l.scale.data(), l.out))
        << Describe(g);
    const std::string name = conv.name();
    if (isa() == Isa::kNeon) {
      EXPECT_NE(name.find(with_m128 ? "-smull-" : "-mlal-"), std::string::npos) << name;
    }
    RunAndCompare(conv, input, out_elems, want, pool2_.get(),
                  "extreme config " + std::to_string(config) + " " + Describe(g));
    if (HasFatalFailure()) return;
  }
}

// Scales 0.5 / 0.25 / 1.5 make many products land exactly halfway between
// integers: the vector rounding (cvtps2dq, FCVTNS, the ARMv7 magic-number
// add) must round them to even like the reference.
TEST_P(Qs8ConvTest, HalfwayCasesRoundToEven) {
  Rng rng(0x4A1F + static_cast<int>(isa()));
  for (int config = 0; config < 24; ++config) {
    Conv2DGeometry g;
    g.in_c = rng.uniform_int(1, 40);
    g.out_c = rng.uniform_int(1, 40);
    g.in_h = g.out_h = rng.uniform_int(1, 5);
    g.in_w = g.out_w = rng.uniform_int(1, 5);
    const size_t wcount = static_cast<size_t>(g.out_c) * g.in_c;
    Layer l = RandomLayer(rng, g.out_c, wcount);
    l.weights = rng.int8s(wcount, -3, 3);
    l.bias = rng.int32s(static_cast<size_t>(g.out_c), -300, 300);
    l.in_zp = rng.uniform_int(-4, 4);
    l.out.qmin = -128;
    l.out.qmax = 127;
    const float scales[] = {0.5f, 0.25f, 1.5f, 0.125f};
    for (float& sc : l.scale) sc = scales[rng.uniform_int(0, 3)];
    const size_t in_elems = static_cast<size_t>(g.in_h) * g.in_w * g.in_c;
    const size_t out_elems = static_cast<size_t>(g.out_h) * g.out_w * g.out_c;
    const std::vector<int8_t> input = rng.int8s(in_elems, -6, 6);
    std::vector<int8_t> want(out_elems);
    ref::conv2d_s8(g, input.data(), l.in_zp, l.weights.data(), l.bias.data(), l.scale.data(),
                   l.out, want.data());
    Qs8Conv conv;
    ASSERT_TRUE(Init(conv, Qs8Conv::Kind::kConv2D, g, l.in_zp, l.weights.data(),
                          l.bias.data(), l.scale.data(), l.out));
    RunAndCompare(conv, input, out_elems, want, pool2_.get(),
                  "halfway config " + std::to_string(config) + " " + Describe(g));
    if (HasFatalFailure()) return;
  }
}

// Checks one conv layer against the reference (1 and 2 threads, twice);
// returns the kernel name ("" after a failure). w: the AVX2 weight width.
std::string CheckConv(Isa isa, Weights w, const Conv2DGeometry& g, const Layer& l,
                      const std::vector<int8_t>& input, pthreadpool_t pool2,
                      const std::string& what) {
  const size_t out_elems = static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c;
  std::vector<int8_t> want(out_elems);
  ref::conv2d_s8(g, input.data(), l.in_zp, l.weights.data(), l.has_bias ? l.bias.data() : nullptr,
                 l.scale.data(), l.out, want.data());
  Qs8Conv conv;
  conv.set_w8_max_rows(W8MaxRows(w));
  if (!conv.Init(isa, Qs8Conv::Kind::kConv2D, g, l.in_zp, l.weights.data(),
                 l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out)) {
    ADD_FAILURE() << what << ": no optimized kernel";
    return "";
  }
  const std::string full = what + " kernel=" + conv.name();
  const std::string tile = ExpectedAvx2Tile(w, conv.name());
  EXPECT_TRUE(tile.empty() || full.find(tile) != std::string::npos)
      << full << " (want " << tile << ")";
  RunAndCompare(conv, input, out_elems, want, pool2, full);
  if (::testing::Test::HasFatalFailure()) return "";
  RunAndCompare(conv, input, out_elems, want, pool2, full + " (second run)");
  if (::testing::Test::HasFatalFailure()) return "";
  return conv.name();
}

// First convolutions (RGB input, few channels): on AVX2 the kernel rows go
// through a zero-point-padded copy of the input, one pointer per kernel row
// ("-rows" kernels; kc = kw * C is often odd). Random kernels up to 7x7,
// strides, asymmetric padding (up to kernel - 1 on each side), vertical
// dilation (horizontal dilation keeps the per-tap path), 1..10 channels.
TEST_P(Qs8ConvTest, FewInputChannelsBitExact) {
  Rng rng(0x3C4A + static_cast<int>(isa()));
  int rows_seen = 0;
  for (int config = 0; config < 90; ++config) {
    Conv2DGeometry g;
    g.batch = rng.uniform_int(0, 4) == 0 ? 2 : 1;
    g.in_c = config % 9 == 8 ? rng.uniform_int(9, 10) : rng.uniform_int(1, 8);
    g.out_c = rng.coin() ? rng.uniform_int(1, 24) : rng.uniform_int(25, 70);
    g.kernel_h = rng.uniform_int(1, 7);
    g.kernel_w = rng.uniform_int(2, 7);
    g.stride_h = rng.uniform_int(1, 3);
    g.stride_w = rng.uniform_int(1, 3);
    g.dilation_h = rng.uniform_int(0, 4) == 0 ? 2 : 1;
    g.dilation_w = rng.uniform_int(0, 6) == 0 ? 2 : 1;
    g.pad_top = rng.uniform_int(0, g.kernel_h - 1);
    g.pad_left = rng.uniform_int(0, g.kernel_w - 1);
    const int pad_bottom = rng.uniform_int(0, g.kernel_h - 1);
    const int pad_right = rng.uniform_int(0, g.kernel_w - 1);
    const int eff_h = (g.kernel_h - 1) * g.dilation_h + 1;
    const int eff_w = (g.kernel_w - 1) * g.dilation_w + 1;
    g.in_h = std::max(rng.uniform_int(1, 19), eff_h - g.pad_top - pad_bottom);
    g.in_w = std::max(rng.uniform_int(1, 19), eff_w - g.pad_left - pad_right);
    g.out_h = (g.in_h + g.pad_top + pad_bottom - eff_h) / g.stride_h + 1;
    g.out_w = (g.in_w + g.pad_left + pad_right - eff_w) / g.stride_w + 1;
    const Layer l = RandomLayer(rng, g.out_c,
                                static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * g.in_c);
    const std::vector<int8_t> input =
        rng.int8s(static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.in_c);
    const std::string name = CheckConv(isa(), GetParam().weights, g, l, input, pool2_.get(),
                                       "few-channels config " + std::to_string(config) + " " +
                                           Describe(g) + " zp_in=" + std::to_string(l.in_zp));
    if (HasFailure()) return;
    const bool rows = name.find("-rows/") != std::string::npos;
    if (isa() == Isa::kAvx2) {
      EXPECT_EQ(rows, g.in_c <= 8 && g.dilation_w == 1) << name << " " << Describe(g);
    }
    rows_seen += rows;
  }
  if (isa() == Isa::kAvx2) {
    EXPECT_GE(rows_seen, 50);
  }
}

// ResNet-18 conv1 (7x7 stride 2 pad 3, 3 -> 64) and MobileNet's first conv
// (3x3 stride 2, 3 -> 32 / 16) on small images, saturated operands.
TEST_P(Qs8ConvTest, FirstConvShapesBitExact) {
  Rng rng(0xF125 + static_cast<int>(isa()));
  struct Shape { int hw, k, out_c, pad_end; };
  for (const Shape s : {Shape{30, 7, 64, 3}, Shape{31, 7, 64, 2}, Shape{33, 3, 32, 1},
                        Shape{32, 3, 16, 0}, Shape{9, 3, 24, 1}}) {
    for (int sat = 0; sat < 2; ++sat) {
      Conv2DGeometry g;
      g.in_h = g.in_w = s.hw;
      g.in_c = 3;
      g.out_c = s.out_c;
      g.kernel_h = g.kernel_w = s.k;
      g.stride_h = g.stride_w = 2;
      g.pad_top = g.pad_left = s.k / 2;
      g.out_h = g.out_w = (s.hw + s.k / 2 + s.pad_end - s.k) / 2 + 1;
      Layer l = RandomLayer(rng, g.out_c, static_cast<size_t>(g.out_c) * s.k * s.k * 3);
      std::vector<int8_t> input = rng.int8s(static_cast<size_t>(s.hw) * s.hw * 3);
      if (sat) {
        for (int8_t& w : l.weights) w = static_cast<int8_t>(rng.coin() ? 127 : -128);
        for (int8_t& x : input) x = static_cast<int8_t>(rng.coin() ? 127 : -128);
        l.in_zp = rng.coin() ? 127 : -128;
        for (float& sc : l.scale) sc *= 1e-3f;
      }
      CheckConv(isa(), GetParam().weights, g, l, input, pool2_.get(),
                "first conv " + Describe(g) + (sat ? " saturated" : ""));
      if (HasFailure()) return;
    }
  }
}

// Every row count of a tile (1..13 pixels: full 6-row tiles plus each
// remainder) against channel counts around the 8/16/32-channel tiles (the
// AVX2 6x16 kernel runs a last tile with <= 8 channels at half width) and
// K around the 2-element blocks.
TEST_P(Qs8ConvTest, TileTailsBitExact) {
  Rng rng(0x7A11 + static_cast<int>(isa()));
  const int out_cs[] = {1, 7, 8, 9, 15, 16, 17, 24, 31, 33, 40};
  const int kcs[] = {1, 2, 3, 15, 16, 17, 24, 33};
  int config = 0;
  for (int m = 1; m <= 13; ++m) {
    for (int i = 0; i < 4; ++i, ++config) {
      Conv2DGeometry g;
      g.in_h = g.out_h = 1;
      g.in_w = g.out_w = m;
      g.in_c = kcs[rng.uniform_int(0, 7)];
      g.out_c = out_cs[rng.uniform_int(0, 10)];
      if (i == 3) {  // KxK (indirection) instead of 1x1 GEMM
        g.in_h = g.out_h = 2;
        g.kernel_h = g.kernel_w = 3;
        g.pad_top = g.pad_left = 1;
        g.in_c += 8;
      }
      const Layer l = RandomLayer(rng, g.out_c,
                                  static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * g.in_c);
      const std::vector<int8_t> input = rng.int8s(static_cast<size_t>(g.in_h) * g.in_w * g.in_c);
      CheckConv(isa(), GetParam().weights, g, l, input, pool2_.get(),
                "tails config " + std::to_string(config) + " " + Describe(g));
      if (HasFailure()) return;
    }
  }
}

// Batch-1 FullyConnected (GEMV; on AVX2 int8 packed weights widened in the
// kernel): feature counts around the blocks up to MobileNetV2's 1280 -> 1000,
// saturated operands, and the packed weights take about one byte per weight.
TEST_P(Qs8ConvTest, GemvBitExactAndCompact) {
  Rng rng(0x6E3F + static_cast<int>(isa()));
  const int ins[] = {1, 2, 3, 5, 31, 64, 127, 511, 512, 1280};
  const int outs[] = {1, 8, 31, 32, 33, 100, 1000};
  for (int config = 0; config < 24; ++config) {
    ref::FullyConnectedGeometry fg;
    fg.batch = 1;
    fg.in_features = ins[config % 10];
    fg.out_features = outs[rng.uniform_int(0, 6)];
    Layer l = RandomLayer(rng, fg.out_features,
                          static_cast<size_t>(fg.out_features) * fg.in_features);
    std::vector<int8_t> input = rng.int8s(static_cast<size_t>(fg.in_features));
    if (config % 3 == 2) {
      for (int8_t& w : l.weights) w = static_cast<int8_t>(rng.coin() ? 127 : -128);
      for (int8_t& x : input) x = static_cast<int8_t>(rng.coin() ? 127 : -128);
      l.in_zp = rng.coin() ? 127 : -128;
      for (float& sc : l.scale) sc *= 1e-3f;
    }
    std::vector<int8_t> want(static_cast<size_t>(fg.out_features));
    ref::fully_connected_s8(fg, input.data(), l.in_zp, l.weights.data(),
                            l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out,
                            want.data());
    Conv2DGeometry g;
    g.in_h = g.out_h = g.in_w = g.out_w = 1;
    g.in_c = fg.in_features;
    g.out_c = fg.out_features;
    Qs8Conv fc;
    ASSERT_TRUE(Init(fc, Qs8Conv::Kind::kFullyConnected, g, l.in_zp, l.weights.data(),
                        l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out));
    EXPECT_EQ(std::string(fc.name()).find("qs8-fc-gemv/"), 0u) << fc.name();
    if (isa() == Isa::kAvxVnni) {
      EXPECT_NE(std::string(fc.name()).find("/1x32c4-avxvnni"), std::string::npos) << fc.name();
    }
    RunAndCompare(fc, input, want.size(), want, pool2_.get(),
                  "gemv config " + std::to_string(config) + " in " +
                      std::to_string(fg.in_features) + " out " + std::to_string(fg.out_features));
    if (HasFatalFailure()) return;
    if (fg.in_features >= 512 && fg.out_features == 1000) {
      const double weights = static_cast<double>(fg.in_features) * fg.out_features;
      EXPECT_LT(static_cast<double>(fc.persistent_bytes()), 1.15 * weights + 64 * 1024)
          << fc.name() << ": packed weights should stay about one byte each";
    }
  }
}

// Long K (3x3 over 255..512 channels, as in ResNet's last stages) with
// saturated operands: weights -128 / 127 sign-extended by the int8-weight
// AVX2 tile, activations -128 / 127, input zero points at both ends; every
// row count of a tile and channel counts around the 8/16-channel tiles.
TEST_P(Qs8ConvTest, LongKSaturatedBitExact) {
  Rng rng(0x10E6 + static_cast<int>(isa()));
  const int kcs[] = {255, 256, 512};
  const int out_cs[] = {8, 17, 40};
  for (int config = 0; config < 9; ++config) {
    Conv2DGeometry g;
    g.in_c = kcs[config % 3];
    g.out_c = out_cs[(config / 3) % 3];
    g.in_h = g.out_h = rng.uniform_int(1, 3);
    g.in_w = g.out_w = rng.uniform_int(1, 7);
    g.kernel_h = g.kernel_w = 3;
    g.pad_top = g.pad_left = 1;
    Layer l = RandomLayer(rng, g.out_c, static_cast<size_t>(g.out_c) * 9 * g.in_c);
    std::vector<int8_t> input = rng.int8s(static_cast<size_t>(g.in_h) * g.in_w * g.in_c);
    if (config % 3 != 2) {
      for (int8_t& w : l.weights) w = static_cast<int8_t>(rng.coin() ? 127 : -128);
      for (int8_t& x : input) x = static_cast<int8_t>(rng.coin() ? 127 : -128);
      for (float& sc : l.scale) sc *= 1e-4f;
    }
    l.in_zp = config % 2 == 0 ? 127 : -128;
    CheckConv(isa(), GetParam().weights, g, l, input, pool2_.get(),
              "long-K config " + std::to_string(config) + " " + Describe(g));
    if (HasFailure()) return;
  }
}

// AVX2 default choice: int8 packed weights (about one byte per weight) up
// to Qs8Conv::kW8MaxRows output rows, int16 (two bytes) above.
TEST(Qs8ConvDispatch, Avx2WeightWidthByRows) {
#if defined(__x86_64__) || defined(_M_X64)
  if (!IsaSupported(Isa::kAvx2)) GTEST_SKIP() << "no AVX2";
  const int side = 32;  // 32 x 32 = 1024 rows: the last with int8 weights
  static_assert(Qs8Conv::kW8MaxRows == 1024, "side assumes the threshold");
  for (int extra = 0; extra < 2; ++extra) {
    Conv2DGeometry g;
    g.in_h = g.out_h = side;
    g.in_w = g.out_w = side + extra;
    g.in_c = 256;
    g.out_c = 256;
    const double weights = 256.0 * 256.0;
    std::vector<int8_t> w(256 * 256, -128);
    std::vector<float> s(256, 0.01f);
    Qs8Conv conv;
    ASSERT_TRUE(
        conv.Init(Isa::kAvx2, Qs8Conv::Kind::kConv2D, g, 0, w.data(), nullptr, s.data(), {}));
    const std::string name = conv.name();
    const double bytes = static_cast<double>(conv.persistent_bytes());
    if (extra == 0) {
      EXPECT_NE(name.find("/6x16c2w8-"), std::string::npos) << name;
      EXPECT_LT(bytes, 1.15 * weights + 16 * 1024) << name;
    } else {
      EXPECT_NE(name.find("/6x16c2-"), std::string::npos) << name;
      EXPECT_GT(bytes, 2.0 * weights) << name;
    }
  }
#else
  GTEST_SKIP() << "x86 only";
#endif
}

// Depthwise (Qs8DwConv) is tested in x86_qs8_dwconv_test.cc.

TEST_P(Qs8ConvTest, KernelNamesSayOpTileAndIsa) {
  Conv2DGeometry g;
  g.in_h = g.in_w = g.out_h = g.out_w = 4;
  g.in_c = 8;
  g.out_c = 40;
  std::vector<int8_t> w(8 * 40, 1);
  std::vector<float> s(40, 0.01f);
  Qs8Conv conv;
  ASSERT_TRUE(Init(conv, Qs8Conv::Kind::kConv2D, g, 0, w.data(), nullptr, s.data(), {}));
  const std::string name = conv.name();
  EXPECT_EQ(name.find("qs8-conv2d-1x1"), 0u) << name;
#if defined(__x86_64__) || defined(_M_X64)
  const Isa used = IsaAtLeast(isa(), Isa::kAvx512Vnni) ? Isa::kAvx512Vnni
                   : IsaAtLeast(isa(), Isa::kAvxVnni)  ? Isa::kAvxVnni
                                                       : Isa::kAvx2;
  // The AVX-VNNI level runs its own VEX vpdpbusd tile (6x16c4).
  if (used == Isa::kAvxVnni) {
    EXPECT_NE(name.find("/6x16c4-avxvnni"), std::string::npos) << name;
  }
#else
  const Isa used = isa() == Isa::kNeonI8mm ? Isa::kNeonI8mm
                   : IsaAtLeast(isa(), Isa::kNeonDot) ? Isa::kNeonDot : Isa::kNeon;
#endif
  EXPECT_NE(name.find(std::string("-") + IsaName(used)), std::string::npos) << name;
}

TEST(Qs8ConvDispatch, ReferenceLevelAndDepthwiseKeepTheReference) {
  Conv2DGeometry g;
  g.in_h = g.in_w = g.out_h = g.out_w = 4;
  g.in_c = g.out_c = g.groups = 8;
  std::vector<int8_t> w(8, 1);
  std::vector<float> s(8, 0.01f);
  Qs8Conv conv;
  EXPECT_FALSE(conv.Init(BestIsa(), Qs8Conv::Kind::kConv2D, g, 0, w.data(), nullptr, s.data(), {}));
  g.groups = 1;
  std::vector<int8_t> w2(64, 1);
  EXPECT_FALSE(conv.Init(Isa::kReference, Qs8Conv::Kind::kConv2D, g, 0, w2.data(), nullptr, s.data(), {}));
}

TEST(IsaDetection, NamesRoundTripAndReferenceAlwaysWorks) {
  EXPECT_TRUE(IsaSupported(Isa::kReference));
  for (Isa isa : {Isa::kReference, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon,
                  Isa::kNeonDot, Isa::kNeonI8mm}) {
    Isa parsed;
    bool is_auto = true;
    ASSERT_TRUE(ParseIsa(IsaName(isa), &parsed, &is_auto));
    EXPECT_EQ(parsed, isa);
    EXPECT_FALSE(is_auto);
  }
  Isa parsed;
  bool is_auto = false;
  EXPECT_TRUE(ParseIsa("auto", &parsed, &is_auto));
  EXPECT_TRUE(is_auto);
  EXPECT_EQ(parsed, BestIsa());
  EXPECT_FALSE(ParseIsa("sse9", &parsed, &is_auto));
  std::printf("supported ISA levels: %s (best %s)\n", SupportedIsaList(), IsaName(BestIsa()));
}

INSTANTIATE_TEST_SUITE_P(Levels, Qs8ConvTest, ::testing::ValuesIn(kLevels),
                         [](const ::testing::TestParamInfo<Level>& info) {
                           const Weights w = info.param.weights;
                           return std::string(IsaName(info.param.isa)) +
                                  (w == Weights::kInt16 ? "_int16w"
                                   : w == Weights::kInt8 ? "_int8w" : "");
                         });

}  // namespace
}  // namespace qrun::kernels

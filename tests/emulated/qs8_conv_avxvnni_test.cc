// The avxvnni level of Qs8Conv (VEX vpdpbusd kernels, 6x16c4 and the 1x32c4
// GEMV) in the emulated test binary (tests/emulated/CMakeLists.txt: the
// kernel sources compiled with avxvnni-emulation.h's exact AVX2 vpdpbusd,
// and the level reported as supported on any AVX2 CPU): the emulation
// against the instruction's definition, then the whole driver path (AVX2 u8
// input pass, packing with x_offset 128, indirection, row and column edge
// tiles, groups, FC batch 1 and > 1, 1 and 2 threads) bit-exact against the
// reference. This binary also runs qs8_conv_levels_test.cc at the avxvnni
// level (random layers, FC, halfway cases, first convs, kernel names); the
// cases here add the VNNI tile's own edges (6-row tile tails, the 1x32c4
// GEMV around its 4-byte blocks, saturated long K). On AVX-VNNI hardware
// qs8_conv_levels_test.cc runs the same kernels with the real instruction.
#include <gtest/gtest.h>

#if defined(__x86_64__) || defined(_M_X64)

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <immintrin.h>

#include "avxvnni-emulation.h"
#include "kernel_test_util.h"
#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/qs8_conv.h"
#include "kernels/reference/conv2d.h"
#include "kernels/reference/fully_connected.h"
#include "qs8_conv_test_util.h"

namespace qrun::kernels {
namespace {

using conv_test::Describe;
using conv_test::Layer;
using conv_test::RandomLayer;
using conv_test::RunAndCompare;
using conv_test::ThreadPoolPtr;
using qrun::testing::Rng;

// vpdpbusd per the instruction's definition, in scalar code.
void DpbusdModel(const int32_t acc[8], const uint8_t a[32], const int8_t w[32], int32_t out[8]) {
  for (int i = 0; i < 8; ++i) {
    uint32_t sum = static_cast<uint32_t>(acc[i]);
    for (int j = 0; j < 4; ++j)
      sum += static_cast<uint32_t>(int32_t{a[4 * i + j]} * int32_t{w[4 * i + j]});
    out[i] = static_cast<int32_t>(sum);
  }
}

TEST(AvxVnniEmulation, DotStepMatchesTheInstructionDefinition) {
  if (!IsaSupported(Isa::kAvx2)) GTEST_SKIP() << "no AVX2";
  Rng rng(0xD0B05D);
  for (int iter = 0; iter < 4000; ++iter) {
    int32_t acc[8], got[8], want[8];
    uint8_t a[32];
    int8_t w[32];
    const int mode = iter % 4;  // random, saturated, wraparound, mixed
    for (int i = 0; i < 8; ++i) {
      acc[i] = mode == 2 ? (rng.coin() ? INT32_MAX - rng.uniform_int(0, 100000)
                                       : INT32_MIN + rng.uniform_int(0, 100000))
                         : rng.uniform_int(INT32_MIN, INT32_MAX);
    }
    for (int i = 0; i < 32; ++i) {
      if (mode == 1 || mode == 2) {
        a[i] = rng.coin() ? 255 : 0;
        w[i] = static_cast<int8_t>(rng.coin() ? 127 : -128);
        if (rng.uniform_int(0, 7) == 0) a[i] = 255, w[i] = -128;
      } else {
        a[i] = static_cast<uint8_t>(rng.uniform_int(0, 255));
        w[i] = static_cast<int8_t>(rng.uniform_int(-128, 127));
      }
    }
    const __m256i r =
        qrun_emulated::dpbusd_avx(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc)),
                                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)),
                                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(got), r);
    DpbusdModel(acc, a, w, want);
    for (int i = 0; i < 8; ++i) ASSERT_EQ(got[i], want[i]) << "iter " << iter << " lane " << i;
  }
}

class AvxVnniEmulatedConvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsaSupported(Isa::kAvxVnni)) GTEST_SKIP() << "the emulation needs AVX2";
    pool2_.reset(pthreadpool_create(2));
    ASSERT_NE(pool2_, nullptr);
  }

  // Prepares `conv` at the avxvnni level and checks it chose the VNNI tile
  // (1x32c4 for one output row, else 6x16c4).
  void InitVnni(Qs8Conv& conv, Qs8Conv::Kind kind, const Conv2DGeometry& g, const Layer& l,
                const std::string& what) {
    ASSERT_TRUE(conv.Init(Isa::kAvxVnni, kind, g, l.in_zp, l.weights.data(),
                          l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out))
        << what;
    const size_t rows = static_cast<size_t>(g.batch) * g.out_h * g.out_w;
    const std::string tile = rows == 1 ? "/1x32c4-avxvnni" : "/6x16c4-avxvnni";
    const std::string name = conv.name();
    ASSERT_EQ(name.size() - name.rfind(tile), tile.size()) << what << ": " << name;
  }

  // One conv layer against the reference: 1 and 2 threads, run twice.
  std::string CheckConv(const Conv2DGeometry& g, const Layer& l, const std::vector<int8_t>& input,
                        const std::string& what) {
    const size_t out_elems = static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.out_c;
    std::vector<int8_t> want(out_elems);
    ref::conv2d_s8(g, input.data(), l.in_zp, l.weights.data(),
                   l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out, want.data());
    Qs8Conv conv;
    InitVnni(conv, Qs8Conv::Kind::kConv2D, g, l, what);
    if (HasFatalFailure()) return "";
    RunAndCompare(conv, input, out_elems, want, pool2_.get(), what);
    if (HasFatalFailure()) return "";
    RunAndCompare(conv, input, out_elems, want, pool2_.get(), what + " (second run)");
    if (HasFatalFailure()) return "";
    return conv.name();
  }

  // One FullyConnected layer against the reference.
  std::string CheckFc(int batch, const Layer& l, int in_features, int out_features,
                      const std::vector<int8_t>& input, const std::string& what) {
    ref::FullyConnectedGeometry fg;
    fg.batch = batch;
    fg.in_features = in_features;
    fg.out_features = out_features;
    const size_t out_elems = static_cast<size_t>(batch) * out_features;
    std::vector<int8_t> want(out_elems);
    ref::fully_connected_s8(fg, input.data(), l.in_zp, l.weights.data(),
                            l.has_bias ? l.bias.data() : nullptr, l.scale.data(), l.out,
                            want.data());
    Conv2DGeometry g;
    g.in_h = g.out_h = 1;
    g.in_w = g.out_w = batch;
    g.in_c = in_features;
    g.out_c = out_features;
    Qs8Conv fc;
    InitVnni(fc, Qs8Conv::Kind::kFullyConnected, g, l, what);
    if (HasFatalFailure()) return "";
    RunAndCompare(fc, input, out_elems, want, pool2_.get(), what);
    if (HasFatalFailure()) return "";
    last_persistent_bytes_ = fc.persistent_bytes();
    return fc.name();
  }

  ThreadPoolPtr pool2_;
  size_t last_persistent_bytes_ = 0;
};

// Batch-1 FC sizes around the 4-byte k blocks and the 32-channel tile up to
// MobileNetV2's 1280 -> 1000, saturated operands; packed weights stay about
// one byte per weight. Also one-pixel convs (GEMV with several taps).
TEST_F(AvxVnniEmulatedConvTest, GemvBitExactAndCompact) {
  Rng rng(0xA76E3F);
  const int ins[] = {1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 127, 511, 512, 1280};
  const int outs[] = {1, 8, 9, 16, 17, 31, 32, 33, 100, 1000};
  for (int config = 0; config < 42; ++config) {
    const int in = ins[config % 14];
    const int out = outs[rng.uniform_int(0, 9)];
    Layer l = RandomLayer(rng, out, static_cast<size_t>(out) * in);
    std::vector<int8_t> input = rng.int8s(static_cast<size_t>(in));
    if (config % 3 == 2) {
      for (int8_t& w : l.weights) w = static_cast<int8_t>(rng.coin() ? 127 : -128);
      for (int8_t& x : input) x = static_cast<int8_t>(rng.coin() ? 127 : -128);
      l.in_zp = rng.coin() ? 127 : -128;
      for (float& sc : l.scale) sc *= 1e-3f;
    }
    CheckFc(1, l, in, out, input,
            "gemv config " + std::to_string(config) + " in " + std::to_string(in) + " out " +
                std::to_string(out));
    if (HasFatalFailure()) return;
    if (in >= 512 && out == 1000) {
      EXPECT_LT(static_cast<double>(last_persistent_bytes_), 1.15 * in * out + 64 * 1024);
    }
  }
  for (int config = 0; config < 16; ++config) {  // 1x1 image, KxK padded: ks taps
    Conv2DGeometry g;
    g.in_h = g.in_w = g.out_h = g.out_w = 1;
    g.in_c = rng.uniform_int(1, 70);
    g.out_c = rng.uniform_int(1, 70);
    g.kernel_h = g.kernel_w = 3;
    g.pad_top = g.pad_left = 1;
    const Layer l = RandomLayer(rng, g.out_c, static_cast<size_t>(g.out_c) * 9 * g.in_c);
    CheckConv(g, l, rng.int8s(static_cast<size_t>(g.in_c)),
              "one-pixel conv " + std::to_string(config) + " " + Describe(g));
    if (HasFatalFailure()) return;
  }
}

// Every row count of a 6-row tile (1..13 rows) against channel counts
// around the 8-channel half tile and the 16-channel tile, and K around the
// 4-byte blocks; 1x1 GEMM and 3x3 indirection.
TEST_F(AvxVnniEmulatedConvTest, TileTailsBitExact) {
  Rng rng(0xA77A11);
  const int out_cs[] = {1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40};
  const int kcs[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33};
  int config = 0;
  for (int m = 1; m <= 13; ++m) {
    for (int i = 0; i < 6; ++i, ++config) {
      Conv2DGeometry g;
      g.in_h = g.out_h = 1;
      g.in_w = g.out_w = m;
      g.in_c = kcs[rng.uniform_int(0, 11)];
      g.out_c = out_cs[(m + 5 * i) % 12];
      if (i >= 4) {  // KxK (indirection) instead of 1x1 GEMM; m or 2m rows
        g.in_h = g.out_h = i - 3;
        g.kernel_h = g.kernel_w = 3;
        g.pad_top = g.pad_left = 1;
      }
      const Layer l = RandomLayer(rng, g.out_c,
                                  static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * g.in_c);
      CheckConv(g, l, rng.int8s(static_cast<size_t>(g.in_h) * g.in_w * g.in_c),
                "tails config " + std::to_string(config) + " " + Describe(g));
      if (HasFatalFailure()) return;
    }
  }
}

// Saturated operands (u8 255 x -128 products), zero points at both ends,
// long K (3x3 over up to 512 channels) and K around the blocks.
TEST_F(AvxVnniEmulatedConvTest, ExtremeAndLongKBitExact) {
  Rng rng(0xA7E7);
  for (int config = 0; config < 40; ++config) {
    Conv2DGeometry g;
    g.in_c = std::array<int, 10>{1, 3, 4, 5, 16, 17, 33, 255, 256, 512}[config % 10];
    g.out_c = rng.uniform_int(1, 40);
    g.in_h = g.out_h = rng.uniform_int(1, 4);
    g.in_w = g.out_w = rng.uniform_int(1, 7);
    g.kernel_h = g.kernel_w = config % 2 == 0 ? 3 : 1;
    g.pad_top = g.pad_left = g.kernel_h / 2;
    const size_t wcount = static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * g.in_c;
    Layer l = RandomLayer(rng, g.out_c, wcount);
    for (int8_t& w : l.weights) w = static_cast<int8_t>(rng.coin() ? 127 : -128);
    std::vector<int8_t> input(static_cast<size_t>(g.in_h) * g.in_w * g.in_c);
    for (int8_t& x : input) x = static_cast<int8_t>(rng.coin() ? 127 : -128);
    l.in_zp = config % 4 < 2 ? 127 : -128;
    for (float& sc : l.scale) sc *= 1e-4f;
    CheckConv(g, l, input, "extreme config " + std::to_string(config) + " " + Describe(g));
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace qrun::kernels

#endif  // x86-64

// Optimized int8 pooling (kernels/dispatch/pooling.h and the x86 / ARM
// microkernels) bit-exact against kernels/reference/pooling, for every ISA
// level this CPU runs and 1 and 2 threads: kernel / stride / padding mixes,
// ceil-mode overhanging windows, count_include_pad on and off, channels not
// multiples of the vector width, extreme zero points and scales, fused
// clamps. Buffers end at a PROT_NONE page.
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
#include "kernels/dispatch/pooling.h"
#include "kernels/reference/pooling.h"

namespace qrun::kernels {
namespace {

using qrun::testing::Rng;

using qrun::testing::GuardedBuffer;

struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using PoolPtr = std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, PoolDeleter>;

#if defined(__x86_64__) || defined(_M_X64)
constexpr Isa kLevels[] = {Isa::kReference, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni};
#else
constexpr Isa kLevels[] = {Isa::kReference, Isa::kNeon, Isa::kNeonDot, Isa::kNeonI8mm};
#endif

class Qs8PoolingLevels : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!IsaBuilt(GetParam())) GTEST_SKIP() << IsaName(GetParam()) << ": not built here";
    if (!IsaSupported(GetParam()))
      GTEST_SKIP() << IsaName(GetParam()) << " not supported (has: " << SupportedIsaList() << ")";
    pool2_.reset(pthreadpool_create(2));
    ASSERT_NE(pool2_, nullptr);
  }
  bool expect_fast() const { return GetParam() != Isa::kReference; }
  // Levels above the first optimized one choose the same pooling kernels
  // (GlobalAverageBitExact still checks every level's choice).
  bool same_kernels_as_lower_level() const {
    return GetParam() != Isa::kReference && GetParam() != kLevels[1];
  }
  PoolPtr pool2_;
};

// ONNX output size as runtime/ops/pool2d.cc computes it (ceil mode keeps
// the last window starting inside the image or the begin padding).
int OutSize(int in, int pad_begin, int pad_end, int kernel, int stride, bool ceil_mode) {
  const int span = in + pad_begin + pad_end - kernel;
  if (span < 0) return 0;
  int out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

int RandomChannels(Rng& rng) {
  static const int kChannels[] = {1, 3, 7, 8, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 96, 100};
  return rng.coin() ? kChannels[rng.uniform_int(0, 16)] : rng.uniform_int(1, 130);
}

float Scale(Rng& rng) {
  switch (rng.uniform_int(0, 5)) {
    case 0: return rng.scale(1e-5f, 1e-3f);
    case 1: return rng.scale(5.0f, 1000.0f);
    case 2: return std::ldexp(1.0f, rng.uniform_int(-6, 2));
    default: return rng.scale(0.05f, 4.0f);
  }
}

TEST_P(Qs8PoolingLevels, Pool2DBitExact) {
  if (same_kernels_as_lower_level()) GTEST_SKIP() << "same kernels as " << IsaName(kLevels[1]);
  Rng rng(0x9001);
  int configs = 0, overhang = 0, padded = 0, threaded = 0;
  for (int i = 0; i < 400; ++i) {
    const bool max = i % 2 == 0;
    Pool2DGeometry g;
    g.batch = rng.uniform_int(1, 2);
    g.kernel_h = rng.uniform_int(1, 5);
    g.kernel_w = rng.coin() ? g.kernel_h : rng.uniform_int(1, 5);
    g.stride_h = rng.uniform_int(1, 3);
    g.stride_w = rng.coin() ? g.stride_h : rng.uniform_int(1, 3);
    g.in_h = rng.uniform_int(1, 19);
    g.in_w = rng.uniform_int(1, 19);
    g.channels = RandomChannels(rng);
    if (i % 37 == 0) {  // ResNet-18 stem pool shape, big enough for threads
      g = Pool2DGeometry{};
      g.in_h = g.in_w = 112;
      g.channels = 64;
      g.kernel_h = g.kernel_w = 3;
      g.stride_h = g.stride_w = 2;
    }
    const bool pad = rng.coin();
    g.pad_top = pad ? rng.uniform_int(0, g.kernel_h - 1) : 0;
    g.pad_left = pad ? rng.uniform_int(0, g.kernel_w - 1) : 0;
    g.pad_bottom = pad ? rng.uniform_int(0, g.kernel_h - 1) : 0;
    g.pad_right = pad ? rng.uniform_int(0, g.kernel_w - 1) : 0;
    if (i % 37 == 0) g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
    const bool ceil_mode = rng.coin();
    g.out_h = OutSize(g.in_h, g.pad_top, g.pad_bottom, g.kernel_h, g.stride_h, ceil_mode);
    g.out_w = OutSize(g.in_w, g.pad_left, g.pad_right, g.kernel_w, g.stride_w, ceil_mode);
    if (g.out_h <= 0 || g.out_w <= 0) continue;
    if ((g.out_h - 1) * g.stride_h + g.kernel_h > g.in_h + g.pad_top + g.pad_bottom) ++overhang;
    if (g.pad_top + g.pad_left + g.pad_bottom + g.pad_right > 0) ++padded;
    const bool include_pad = rng.coin();
    const size_t in_n = static_cast<size_t>(g.batch) * g.in_h * g.in_w * g.channels;
    const size_t out_n = static_cast<size_t>(g.batch) * g.out_h * g.out_w * g.channels;
    const auto x = rng.int8s(in_n);
    const int32_t zp = qrun::testing::random_zero_point(rng);
    const float scale = Scale(rng);
    QuantizedOutput out;
    out.zero_point = max ? zp : qrun::testing::random_zero_point(rng);
    const auto clamp = qrun::testing::random_fused_clamp(rng, 1.0, out.zero_point);
    out.qmin = clamp.qmin;
    out.qmax = clamp.qmax;
    SCOPED_TRACE("config #" + std::to_string(i) + (max ? " max" : " avg"));
    std::vector<int8_t> want(out_n);
    Qs8Pool2D k;
    bool ok;
    if (max) {
      ref::max_pool_s8(g, x.data(), out, want.data());
      ok = k.InitMax(GetParam(), g, out);
    } else {
      ref::average_pool_s8(g, include_pad, x.data(), zp, scale, out, want.data());
      ok = k.InitAverage(GetParam(), g, include_pad, zp, scale, out);
    }
    ++configs;
    if (!expect_fast()) {
      EXPECT_FALSE(ok);
      continue;
    }
    ASSERT_TRUE(ok);
    GuardedBuffer gx(in_n), gy(out_n);
    std::memcpy(gx.data(), x.data(), in_n);
    for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2_.get()}) {
      std::memset(gy.data(), 0x5A, out_n);
      k.Run(gx.data(), gy.data(), pool);
      ASSERT_EQ(0, std::memcmp(gy.data(), want.data(), out_n)) << (pool ? "2 threads" : "1 thread");
      if (pool && static_cast<size_t>(g.batch) * g.out_h >= 8) ++threaded;
    }
  }
  EXPECT_GE(configs, 300);
  EXPECT_GE(overhang, 20);
  EXPECT_GE(padded, 100);
  std::printf("pool2d: %d configs (%d padded, %d ceil-mode overhang, %d threaded) on %s\n", configs,
              padded, overhang, threaded, IsaName(GetParam()));
}

TEST_P(Qs8PoolingLevels, GlobalAverageBitExact) {
  Rng rng(0x6A9);
  for (int i = 0; i < 200; ++i) {
    const int batch = rng.uniform_int(1, 3);
    const int hw = i % 10 == 0 ? rng.uniform_int(1000, 4000) : rng.uniform_int(1, 60);
    const int channels = i % 3 == 0 ? rng.uniform_int(1, 600) : RandomChannels(rng);
    const size_t in_n = static_cast<size_t>(batch) * hw * channels;
    const auto x = rng.int8s(in_n);
    const int32_t zp = qrun::testing::random_zero_point(rng);
    const float scale = Scale(rng);
    QuantizedOutput out;
    out.zero_point = qrun::testing::random_zero_point(rng);
    std::vector<int8_t> want(static_cast<size_t>(batch) * channels);
    ref::global_average_pool_s8(batch, hw, channels, x.data(), zp, scale, out, want.data());
    Qs8GlobalAveragePool k;
    const bool ok = k.Init(GetParam(), batch, hw, channels, zp, scale, out);
    if (!expect_fast()) {
      EXPECT_FALSE(ok);
      continue;
    }
    ASSERT_TRUE(ok);
    GuardedBuffer gx(in_n), gy(want.size());
    std::memcpy(gx.data(), x.data(), in_n);
    for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2_.get()}) {
      k.Run(gx.data(), gy.data(), pool);
      ASSERT_EQ(0, std::memcmp(gy.data(), want.data(), want.size()))
          << "config " << i << " batch " << batch << " hw " << hw << " c " << channels;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, Qs8PoolingLevels, ::testing::ValuesIn(kLevels),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(IsaName(info.param));
                         });

}  // namespace
}  // namespace qrun::kernels

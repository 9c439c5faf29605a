// Optimized element-wise kernels (kernels/dispatch/elementwise.h and the x86 /
// ARM microkernels) bit-exact against the reference kernels, for every ISA level
// this CPU runs (others skipped) and for 1 and 2 threads: Add / Mul with
// broadcasting, the int8 table lookup, Quantize / Dequantize, Transpose.
// Inputs and outputs end at a PROT_NONE page so tail over-reads/-writes fault.
#include <gtest/gtest.h>
#include <pthreadpool.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "guarded_buffer.h"
#include "kernel_test_util.h"
#include "kernels/dispatch/elementwise.h"
#include "kernels/dispatch/isa.h"
#include "kernels/reference/binary.h"
#include "kernels/reference/quantize.h"
#include "kernels/reference/transpose.h"
#include "kernels/reference/unary.h"

namespace qrun::kernels {
namespace {

using qrun::testing::Rng;

using qrun::testing::GuardedBuffer;

template <typename T>
T* Copy(GuardedBuffer& g, const std::vector<T>& v) {
  if (!v.empty()) std::memcpy(g.data<T>(), v.data(), v.size() * sizeof(T));
  return g.data<T>();
}

struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using PoolPtr = std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, PoolDeleter>;

#if defined(__x86_64__) || defined(_M_X64)
constexpr Isa kLevels[] = {Isa::kReference, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni};
constexpr bool kAllKernels = true;  // lookup, conversions, transposes too
#else
constexpr Isa kLevels[] = {Isa::kReference, Isa::kNeon, Isa::kNeonDot, Isa::kNeonI8mm};
constexpr bool kAllKernels = false;  // ARM: Add / Mul (and the lookup on AArch64) so far
#endif
#if defined(__x86_64__) || defined(_M_X64) || defined(__aarch64__)
constexpr bool kLutKernel = true;
#else
constexpr bool kLutKernel = false;  // ARMv7: no 64-byte TBL
#endif

class Qs8ElementwiseLevels : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!IsaBuilt(GetParam())) GTEST_SKIP() << IsaName(GetParam()) << ": not built here";
    if (!IsaSupported(GetParam()))
      GTEST_SKIP() << IsaName(GetParam()) << " not supported (has: " << SupportedIsaList() << ")";
    pool2_.reset(pthreadpool_create(2));
    ASSERT_NE(pool2_, nullptr);
  }
  // Add / Mul kernels exist from AVX2 / NEON up; the reference level has none.
  bool expect_fast() const { return GetParam() != Isa::kReference; }
  // The other kernels (lookup, conversions, transposes): x86 only so far.
  bool expect_fast_other() const { return kAllKernels && expect_fast(); }
  bool expect_fast_lut() const { return kLutKernel && expect_fast(); }
  // Threads to try: none (inline) and a 2-thread pool.
  std::vector<pthreadpool_t> pools() const { return {nullptr, pool2_.get()}; }
  PoolPtr pool2_;
};

int32_t Zp(Rng& rng) { return qrun::testing::random_zero_point(rng); }

// Scales over decades, sometimes extreme (tiny / huge ratios).
float Scale(Rng& rng) {
  switch (rng.uniform_int(0, 9)) {
    case 0: return rng.scale(1e-7f, 1e-5f);
    case 1: return rng.scale(10.0f, 1e4f);
    case 2: return std::ldexp(1.0f, rng.uniform_int(-8, 2));  // exact ties
    default: return rng.scale(1e-3f, 2.0f);
  }
}

QuantizedOutput Out(Rng& rng, float scale) {
  QuantizedOutput o;
  o.zero_point = Zp(rng);
  const auto c = qrun::testing::random_fused_clamp(rng, scale, o.zero_point);
  o.qmin = c.qmin;
  o.qmax = c.qmax;
  return o;
}

// ---- Add / Mul ----

struct BinaryCase {
  std::vector<int64_t> a, b;  // shapes
};

// An output shape and operand shapes for one of the broadcast patterns.
BinaryCase RandomBinaryShapes(Rng& rng, int pattern, bool big) {
  std::vector<int64_t> out;
  if (big) {  // a model-sized NHWC activation, large enough to split over threads
    out = {1, rng.uniform_int(40, 60), rng.uniform_int(40, 60), rng.uniform_int(8, 70)};
  } else {
    const int rank = rng.uniform_int(1, 5);
    int64_t total = 1;
    for (int d = 0; d < rank; ++d) {
      int64_t n = rng.uniform_int(1, rng.coin() ? 7 : 70);
      if (total * n > 3000) n = 1;
      total *= n;
      out.push_back(n);
    }
  }
  const int rank = static_cast<int>(out.size());
  BinaryCase c{out, out};
  switch (pattern) {
    case 0: break;                                                        // same shape
    case 1: for (size_t d = 0; d + 1 < out.size(); ++d) c.b[d] = 1; break;  // per-channel b
    case 2: for (size_t d = 0; d + 1 < out.size(); ++d) c.a[d] = 1; break;  // per-channel a
    case 3: c.b.assign(out.size(), 1); break;                              // scalar b
    case 4: c.a.clear(); break;                                            // rank-0 a
    case 5: c.b.erase(c.b.begin(), c.b.begin() + rng.uniform_int(0, rank - 1)); break;  // shorter b
    default:  // random broadcast dims on either side
      for (size_t d = 0; d < out.size(); ++d) {
        const int r = rng.uniform_int(0, 3);
        if (r == 0) c.a[d] = 1;
        if (r == 1) c.b[d] = 1;
      }
  }
  return c;
}

int64_t Elements(const std::vector<int64_t>& s) {
  return std::accumulate(s.begin(), s.end(), int64_t{1}, std::multiplies<int64_t>());
}

TEST_P(Qs8ElementwiseLevels, BinaryBitExact) {
  Rng rng(0xADD0);
  int configs = 0, fast = 0, threaded = 0;
  for (int i = 0; i < 400; ++i) {
    const bool mul = i % 2 == 1;
    const int pattern = (i / 2) % 7;
    const bool big = i % 23 == 0;
    const BinaryCase c = RandomBinaryShapes(rng, pattern, big);
    BroadcastGeometry g;
    ASSERT_TRUE(ref::make_broadcast_geometry(c.a.data(), static_cast<int>(c.a.size()), c.b.data(),
                                             static_cast<int>(c.b.size()), &g));
    int64_t n_out = 1;
    for (int d = 0; d < g.rank; ++d) n_out *= g.out_dims[d];
    const auto av = rng.int8s(static_cast<size_t>(Elements(c.a)));
    const auto bv = rng.int8s(static_cast<size_t>(Elements(c.b)));
    const int32_t za = Zp(rng), zb = Zp(rng);
    const float sa = Scale(rng), sb = Scale(rng);
    const QuantizedOutput out = Out(rng, 1.0f);
    SCOPED_TRACE("config #" + std::to_string(i) + (mul ? " mul" : " add") + " pattern " +
                 std::to_string(pattern));
    std::vector<int8_t> want(static_cast<size_t>(n_out));
    Qs8Binary k;
    bool ok;
    if (mul) {
      ref::mul_s8(g, av.data(), za, bv.data(), zb, sa, out, want.data());
      ok = k.InitMul(GetParam(), g, za, zb, sa, out);
    } else {
      ref::add_s8(g, av.data(), za, sa, bv.data(), zb, sb, out, want.data());
      ok = k.InitAdd(GetParam(), g, za, sa, zb, sb, out);
    }
    ++configs;
    if (!expect_fast()) {
      EXPECT_FALSE(ok);
      continue;
    }
    ASSERT_TRUE(ok);
    ++fast;
    GuardedBuffer ga(av.size()), gb(bv.size()), gy(want.size());
    const int8_t* pa = Copy(ga, av);
    const int8_t* pb = Copy(gb, bv);
    for (pthreadpool_t pool : pools()) {
      std::memset(gy.data<int8_t>(), 0x55, want.size());
      k.Run(pa, pb, gy.data<int8_t>(), pool);
      ASSERT_EQ(0, std::memcmp(gy.data<int8_t>(), want.data(), want.size()))
          << (pool ? "2 threads" : "1 thread");
      if (pool && n_out >= 2 * 16384) ++threaded;
    }
  }
  if (expect_fast()) {
    EXPECT_EQ(fast, configs);
    EXPECT_GE(threaded, 10);
  }
  std::printf("binary: %d configs, %d on %s, %d split over 2 threads\n", configs, fast,
              IsaName(GetParam()), threaded);
}

// Contiguous lengths 1..1000 with both kernels and every scalar side.
TEST_P(Qs8ElementwiseLevels, BinaryLengths) {
  if (!expect_fast()) GTEST_SKIP() << "no optimized kernel at this level";
  Rng rng(0xB1);
  for (int64_t n = 1; n <= 1000; n += (n < 70 ? 1 : 37)) {
    for (int variant = 0; variant < 6; ++variant) {
      const bool mul = variant >= 3;
      std::vector<int64_t> sa{n}, sb{n};
      if (variant % 3 == 1) sb = {1};
      if (variant % 3 == 2) sa = {1};
      BroadcastGeometry g;
      ASSERT_TRUE(ref::make_broadcast_geometry(sa.data(), 1, sb.data(), 1, &g));
      const auto av = rng.int8s(static_cast<size_t>(sa[0]));
      const auto bv = rng.int8s(static_cast<size_t>(sb[0]));
      const int32_t za = Zp(rng), zb = Zp(rng);
      const float s1 = Scale(rng), s2 = Scale(rng);
      const QuantizedOutput out = Out(rng, 1.0f);
      std::vector<int8_t> want(static_cast<size_t>(n));
      Qs8Binary k;
      if (mul) {
        ref::mul_s8(g, av.data(), za, bv.data(), zb, s1, out, want.data());
        ASSERT_TRUE(k.InitMul(GetParam(), g, za, zb, s1, out));
      } else {
        ref::add_s8(g, av.data(), za, s1, bv.data(), zb, s2, out, want.data());
        ASSERT_TRUE(k.InitAdd(GetParam(), g, za, s1, zb, s2, out));
      }
      GuardedBuffer ga(av.size()), gb(bv.size()), gy(want.size());
      k.Run(Copy(ga, av), Copy(gb, bv), gy.data<int8_t>(), nullptr);
      ASSERT_EQ(0, std::memcmp(gy.data<int8_t>(), want.data(), want.size()))
          << "n=" << n << " variant " << variant;
    }
  }
}

// Scales that could make the float terms infinite are left to the reference.
TEST_P(Qs8ElementwiseLevels, BinaryHugeScalesKeepReference) {
  BroadcastGeometry g;
  const int64_t s[] = {8};
  ASSERT_TRUE(ref::make_broadcast_geometry(s, 1, s, 1, &g));
  Qs8Binary k;
  EXPECT_FALSE(k.InitAdd(GetParam(), g, 0, 1e37f, 0, 1.0f, QuantizedOutput{}));
  EXPECT_FALSE(k.InitMul(GetParam(), g, 0, 0, std::numeric_limits<float>::infinity(), QuantizedOutput{}));
}

// ---- table lookup ----

TEST_P(Qs8ElementwiseLevels, LutBitExact) {
  Rng rng(0x1017);
  int checked = 0;
  for (int i = 0; i < 120; ++i) {
    int8_t table[256];
    if (i % 3 == 0) {  // a real activation table
      ref::UnaryParams p;
      p.kind = static_cast<ref::UnaryKind>(i % 8);
      p.min = -1.0f;
      p.max = 2.0f;
      ref::build_unary_table_s8(p, Scale(rng), Zp(rng), Scale(rng), Zp(rng), -128, 127, table);
    } else {
      for (auto& t : table) t = static_cast<int8_t>(rng.uniform_int(-128, 127));
    }
    size_t n = static_cast<size_t>(i < 100 ? rng.uniform_int(1, 1000) : rng.uniform_int(60000, 200000));
    std::vector<int8_t> x = rng.int8s(n);
    if (i == 0) {  // every index once
      n = 256;
      x.resize(256);
      for (int v = 0; v < 256; ++v) x[static_cast<size_t>(v)] = static_cast<int8_t>(v - 128);
    }
    std::vector<int8_t> want(n);
    ref::lookup_s8(n, x.data(), table, want.data());
    Qs8Lut k;
    const bool ok = k.Init(GetParam(), table, n);
    if (!expect_fast_lut()) {
      EXPECT_FALSE(ok);
      continue;
    }
    ASSERT_TRUE(ok);
    GuardedBuffer gx(n), gy(n);
    const int8_t* px = Copy(gx, x);
    for (pthreadpool_t pool : pools()) {
      k.Run(px, gy.data<int8_t>(), pool);
      ASSERT_EQ(0, std::memcmp(gy.data<int8_t>(), want.data(), n)) << "config " << i << " n=" << n;
    }
    ++checked;
  }
  std::printf("lut: %d tables checked on %s\n", checked, IsaName(GetParam()));
}

// ---- Quantize / Dequantize ----

TEST_P(Qs8ElementwiseLevels, QuantizeBitExact) {
  Rng rng(0x0f32);
  for (int i = 0; i < 200; ++i) {
    const size_t n = static_cast<size_t>(i < 180 ? rng.uniform_int(1, 1000) : rng.uniform_int(50000, 160000));
    const float scale = Scale(rng);
    const int32_t zp = Zp(rng);
    std::vector<float> x(n);
    for (auto& v : x) {
      switch (rng.uniform_int(0, 9)) {
        case 0: v = (static_cast<float>(rng.uniform_int(-300, 300)) + 0.5f) * scale; break;  // ties
        case 1: v = std::numeric_limits<float>::quiet_NaN(); break;
        case 2: v = rng.coin() ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity(); break;
        case 3: v = rng.uniform_float(-1e30f, 1e30f); break;
        case 4: v = rng.coin() ? -0.0f : std::numeric_limits<float>::denorm_min(); break;
        default: v = rng.uniform_float(-200.0f, 200.0f) * scale;
      }
    }
    std::vector<int8_t> want(n);
    ref::quantize_f32_s8(n, x.data(), scale, zp, want.data());
    Qs8Convert k;
    const bool ok = k.InitQuantize(GetParam(), scale, zp, n);
    if (!expect_fast_other()) {
      EXPECT_FALSE(ok);
      continue;
    }
    ASSERT_TRUE(ok);
    GuardedBuffer gx(n * sizeof(float)), gy(n);
    const float* px = Copy(gx, x);
    for (pthreadpool_t pool : pools()) {
      k.Run(px, gy.data<int8_t>(), pool);
      ASSERT_EQ(0, std::memcmp(gy.data<int8_t>(), want.data(), n)) << "config " << i << " n=" << n;
    }
  }
}

TEST_P(Qs8ElementwiseLevels, DequantizeBitExact) {
  Rng rng(0xDE0);
  for (int i = 0; i < 150; ++i) {
    const size_t n = static_cast<size_t>(i < 140 ? rng.uniform_int(1, 1000) : rng.uniform_int(50000, 100000));
    const float scale = Scale(rng);
    const int32_t zp = Zp(rng);
    const auto x = rng.int8s(n);
    std::vector<float> want(n);
    ref::dequantize_s8_f32(n, x.data(), scale, zp, want.data());
    Qs8Convert k;
    const bool ok = k.InitDequantize(GetParam(), scale, zp, n);
    if (!expect_fast_other()) {
      EXPECT_FALSE(ok);
      continue;
    }
    ASSERT_TRUE(ok);
    GuardedBuffer gx(n), gy(n * sizeof(float));
    const int8_t* px = Copy(gx, x);
    for (pthreadpool_t pool : pools()) {
      k.Run(px, gy.data<float>(), pool);
      ASSERT_EQ(0, std::memcmp(gy.data<float>(), want.data(), n * sizeof(float))) << "config " << i;
    }
  }
}

// ---- Transpose ----

TEST_P(Qs8ElementwiseLevels, TransposeBitExact) {
  Rng rng(0x7a5);
  int fast = 0, interleave3 = 0, configs = 0;
  for (int i = 0; i < 300; ++i) {
    ref::TransposeGeometry g;
    g.rank = rng.uniform_int(1, 5);
    for (int d = 0; d < g.rank; ++d) g.in_dims[d] = rng.uniform_int(1, rng.coin() ? 4 : 40);
    std::iota(g.perm, g.perm + g.rank, 0);
    const int kind = i % 4;
    if (kind == 0 && g.rank == 4) {  // NCHW -> NHWC
      g.perm[1] = 2; g.perm[2] = 3; g.perm[3] = 1;
      if (rng.coin()) g.in_dims[1] = 3;
    } else if (kind == 1 && g.rank == 4) {  // NHWC -> NCHW
      g.perm[1] = 3; g.perm[2] = 1; g.perm[3] = 2;
    } else {
      std::shuffle(g.perm, g.perm + g.rank, rng.engine());
    }
    if (i == 7) {  // the model input
      g.rank = 4;
      const int64_t dims[] = {1, 3, 224, 224};
      std::copy(dims, dims + 4, g.in_dims);
      const int perm[] = {0, 2, 3, 1};
      std::copy(perm, perm + 4, g.perm);
    }
    const size_t elem = i % 5 == 0 ? 4 : (i % 7 == 0 ? 2 : 1);
    size_t n = 1;
    for (int d = 0; d < g.rank; ++d) n *= static_cast<size_t>(g.in_dims[d]);
    std::vector<uint8_t> x(n * elem);
    for (auto& v : x) v = static_cast<uint8_t>(rng.uniform_int(0, 255));
    std::vector<uint8_t> want(n * elem);
    ref::transpose(g, elem, x.data(), want.data());
    X8Transpose k;
    ++configs;
    const bool ok = k.Init(GetParam(), g, elem);
    if (!expect_fast_other()) {
      EXPECT_FALSE(ok);
      continue;
    }
    if (!ok) continue;  // not a batched 2-D transpose: the reference runs
    ++fast;
    if (std::string(k.name()) == "x8-interleave3-avx2") ++interleave3;
    GuardedBuffer gx(x.size()), gy(want.size());
    const uint8_t* px = Copy(gx, x);
    for (pthreadpool_t pool : pools()) {
      std::memset(gy.data<uint8_t>(), 0xA5, want.size());
      k.Run(px, gy.data<uint8_t>(), pool);
      ASSERT_EQ(0, std::memcmp(gy.data<uint8_t>(), want.data(), want.size())) << "config " << i;
    }
  }
  if (expect_fast_other()) {
    EXPECT_GE(fast, 60);
    EXPECT_GE(interleave3, 5);
  }
  std::printf("transpose: %d of %d configs on the fast path (%d 3-plane)\n", fast, configs, interleave3);
}

INSTANTIATE_TEST_SUITE_P(Levels, Qs8ElementwiseLevels, ::testing::ValuesIn(kLevels),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(IsaName(info.param));
                         });

}  // namespace
}  // namespace qrun::kernels

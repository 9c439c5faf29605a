// Optimized element-wise kernels (kernels/dispatch/elementwise.h and the x86 /
// ARM microkernels) bit-exact against the reference kernels, for every ISA level
// this CPU runs (others skipped) and for 1 and 2 threads: Add / Mul with
// broadcasting, the int8 table lookup, Quantize / Dequantize, Transpose.
// Inputs and outputs end at a PROT_NONE page so tail over-reads/-writes fault.
#include <gtest/gtest.h>
#include <pthreadpool.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
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
constexpr const char* kIsaSuffix = "-avx2";
constexpr const char* kTranspose8Name = "x8-transpose-tiled";  // scalar tiles
#else
constexpr Isa kLevels[] = {Isa::kReference, Isa::kNeon, Isa::kNeonDot, Isa::kNeonI8mm};
constexpr const char* kIsaSuffix = "-neon";
constexpr const char* kTranspose8Name = "x8-transpose-neon";
#endif
#if defined(__arm__) && !defined(__aarch64__)
constexpr bool kArmv7 = true;  // NEON flushes denormals, no NaN payloads
#else
constexpr bool kArmv7 = false;
#endif

// A kernel name of this architecture, e.g. Named("x8-lut") = "x8-lut-neon".
std::string Named(const char* stem) { return std::string(stem) + kIsaSuffix; }

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
  // The other kernels (lookup, conversions, transposes): the same levels.
  bool expect_fast_other() const { return expect_fast(); }
  bool expect_fast_lut() const { return expect_fast(); }
  // The levels above the first optimized one (neondot, i8mm; avxvnni,
  // avx512vnni) choose the same element-wise kernels: the long suites run at
  // the first level only (the Binary and Dequantize tests still check every
  // level's choice), which keeps the qemu runs short.
  bool same_kernels_as_lower_level() const {
    return GetParam() != Isa::kReference && GetParam() != kLevels[1];
  }
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
  if (same_kernels_as_lower_level()) GTEST_SKIP() << "same kernels as " << IsaName(kLevels[1]);
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
    EXPECT_EQ(k.name(), Named("x8-lut"));
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
  if (same_kernels_as_lower_level()) GTEST_SKIP() << "same kernels as " << IsaName(kLevels[1]);
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
    EXPECT_EQ(k.name(), Named("f32-qs8-convert"));
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
    EXPECT_EQ(k.name(), Named("qs8-f32-convert"));
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
  if (same_kernels_as_lower_level()) GTEST_SKIP() << "same kernels as " << IsaName(kLevels[1]);
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
    // At most 2^18 elements (halving the largest dim): rank-5 tensors of
    // 40s would be 10^8, minutes under qemu, for no extra coverage.
    auto count = [&g] {
      size_t c = 1;
      for (int d = 0; d < g.rank; ++d) c *= static_cast<size_t>(g.in_dims[d]);
      return c;
    };
    while (count() > (size_t{1} << 18)) {
      int64_t* big = std::max_element(g.in_dims, g.in_dims + g.rank);
      *big = (*big + 1) / 2;
    }
    const size_t n = count();
    X8Transpose k;
    ++configs;
    const bool ok = k.Init(GetParam(), g, elem);
    if (!expect_fast_other()) {
      EXPECT_FALSE(ok);
      continue;
    }
    if (!ok) continue;  // not a batched 2-D transpose: the reference runs
    std::vector<uint8_t> x(n * elem);
    for (auto& v : x) v = static_cast<uint8_t>(rng.uniform_int(0, 255));
    std::vector<uint8_t> want(n * elem);
    ref::transpose(g, elem, x.data(), want.data());
    ++fast;
    if (k.name() == Named("x8-interleave3")) ++interleave3;
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

// ---- edge cases: every length 1..70 (vector tails), extreme scales and
// zero points, exact ties, NaN / inf / huge / denormal inputs ----

float Bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

std::vector<size_t> EdgeLengths() {
  std::vector<size_t> n;
  for (size_t i = 1; i <= 70; ++i) n.push_back(i);
  for (size_t i : {127, 128, 129, 255, 256, 257, 1000, 1001}) n.push_back(i);
  return n;
}

// Scales at the ends of float32: denormal, smallest normal, huge, infinite,
// zero, negative, NaN (with a payload and a sign).
std::vector<float> EdgeScales() {
  const float inf = std::numeric_limits<float>::infinity();
  return {1.0f, 0.5f, 0.25f, 3.0f, std::ldexp(1.0f, -20), 1e-7f, 1e4f, -0.75f,
          std::numeric_limits<float>::min(), std::numeric_limits<float>::denorm_min(), 1e-40f,
          std::numeric_limits<float>::max(), 3e38f, inf, -inf, 0.0f, -0.0f,
          std::numeric_limits<float>::quiet_NaN(), Bits(0xFFC01234u)};
}

// Quantize inputs for one scale: exact ties of x / scale (k + 0.5 times a
// power-of-two scale), neighbours of ties, the float extremes.
std::vector<float> QuantizeInputs(Rng& rng, size_t n, float scale) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x(n);
  for (auto& v : x) {
    const float tie = static_cast<float>(rng.uniform_int(-300, 300)) + 0.5f;
    switch (rng.uniform_int(0, 11)) {
      case 0: v = tie * scale; break;
      case 1: v = tie; break;
      case 2: v = std::nextafter(tie * scale, rng.coin() ? inf : -inf); break;
      case 3: v = rng.coin() ? std::numeric_limits<float>::quiet_NaN() : Bits(0xFFC00001u); break;
      case 4: v = rng.coin() ? inf : -inf; break;
      case 5: v = rng.coin() ? std::numeric_limits<float>::max() : -std::numeric_limits<float>::max(); break;
      case 6: v = rng.coin() ? std::numeric_limits<float>::denorm_min() : -1e-40f; break;
      case 7: v = rng.coin() ? 0.0f : -0.0f; break;
      case 8: v = rng.uniform_float(-1e30f, 1e30f); break;
      default: v = rng.uniform_float(-300.0f, 300.0f) * scale;
    }
  }
  return x;
}

TEST_P(Qs8ElementwiseLevels, QuantizeEdgeCases) {
  if (same_kernels_as_lower_level()) GTEST_SKIP() << "same kernels as " << IsaName(kLevels[1]);
  if (!expect_fast_other()) GTEST_SKIP() << "no optimized kernel at this level";
  Rng rng(0xE06E);
  const int32_t zps[] = {-128, 127, 0, -1, 100000, -100000};
  int checked = 0;
  for (float scale : EdgeScales()) {
    for (size_t n : EdgeLengths()) {
      const int32_t zp = rng.coin() ? zps[rng.uniform_int(0, 5)] : Zp(rng);
      const std::vector<float> x = QuantizeInputs(rng, n, scale);
      std::vector<int8_t> want(n);
      ref::quantize_f32_s8(n, x.data(), scale, zp, want.data());
      Qs8Convert k;
      ASSERT_TRUE(k.InitQuantize(GetParam(), scale, zp, n));
      GuardedBuffer gx(n * sizeof(float)), gy(n);
      k.Run(Copy(gx, x), gy.data<int8_t>(), nullptr);
      ASSERT_EQ(0, std::memcmp(gy.data<int8_t>(), want.data(), n))
          << "scale " << scale << " zp " << zp << " n=" << n;
      ++checked;
    }
  }
  // A zero point far outside int8: the clamp bounds are still exact floats.
  // ARMv7's magic-number rounding needs them below 2^22: it keeps the reference.
  for (int32_t zp : {1 << 22, -(1 << 22)}) {
    const size_t n = 37;
    const std::vector<float> x = QuantizeInputs(rng, n, 1.0f);
    std::vector<int8_t> want(n);
    ref::quantize_f32_s8(n, x.data(), 1.0f, zp, want.data());
    Qs8Convert k;
    const bool ok = k.InitQuantize(GetParam(), 1.0f, zp, n);
    ASSERT_EQ(ok, !kArmv7);
    if (!ok) continue;
    GuardedBuffer gx(n * sizeof(float)), gy(n);
    k.Run(Copy(gx, x), gy.data<int8_t>(), nullptr);
    ASSERT_EQ(0, std::memcmp(gy.data<int8_t>(), want.data(), n)) << "zp " << zp;
  }
  std::printf("quantize edge cases: %d configs on %s\n", checked, IsaName(GetParam()));
}

TEST_P(Qs8ElementwiseLevels, DequantizeEdgeCases) {
  if (same_kernels_as_lower_level()) GTEST_SKIP() << "same kernels as " << IsaName(kLevels[1]);
  if (!expect_fast_other()) GTEST_SKIP() << "no optimized kernel at this level";
  Rng rng(0xDE06E);
  const int32_t zps[] = {-128, 127, 0, -1, 100000, -100000};
  int checked = 0, kept_reference = 0;
  for (float scale : EdgeScales()) {
    // ARMv7 NEON would flush a denormal scale and lose NaN payloads.
    const bool armv7_unsafe = std::isnan(scale) ||
                              (scale != 0.0f && std::fabs(scale) < std::numeric_limits<float>::min());
    for (size_t n : EdgeLengths()) {
      const int32_t zp = rng.coin() ? zps[rng.uniform_int(0, 5)] : Zp(rng);
      std::vector<int8_t> x = rng.int8s(n);
      if (n > 3) x[n / 2] = static_cast<int8_t>(zp >= -128 && zp <= 127 ? zp : 0);  // x - zp == 0
      std::vector<float> want(n);
      ref::dequantize_s8_f32(n, x.data(), scale, zp, want.data());
      Qs8Convert k;
      const bool ok = k.InitDequantize(GetParam(), scale, zp, n);
      if (kArmv7 && armv7_unsafe) {
        EXPECT_FALSE(ok) << "scale " << scale;
        ++kept_reference;
        continue;
      }
      ASSERT_TRUE(ok) << "scale " << scale;
      GuardedBuffer gx(n), gy(n * sizeof(float));
      k.Run(Copy(gx, x), gy.data<float>(), nullptr);
      ASSERT_EQ(0, std::memcmp(gy.data<float>(), want.data(), n * sizeof(float)))
          << "scale " << scale << " zp " << zp << " n=" << n;
      ++checked;
    }
  }
  std::printf("dequantize edge cases: %d configs on %s, %d left to the reference\n", checked,
              IsaName(GetParam()), kept_reference);
}

// Every 2-D / batched int8 transpose shape up to 40 x 40 around the 8x8 tiles,
// a few with more columns than one work item (256), and 3-plane images of
// every width 1..100 (the interleave's 16- and 8-pixel steps and its tail).
TEST_P(Qs8ElementwiseLevels, TransposeInt8Shapes) {
  if (same_kernels_as_lower_level()) GTEST_SKIP() << "same kernels as " << IsaName(kLevels[1]);
  if (!expect_fast_other()) GTEST_SKIP() << "no optimized kernel at this level";
  Rng rng(0x7a58);
  std::vector<std::vector<int64_t>> shapes;  // [B,] M, N -> [B,] N, M
  for (int64_t m = 2; m <= 40; ++m)
    for (int64_t n : {2, 3, 7, 8, 9, 15, 16, 17, 24, 33, 40}) shapes.push_back({m, n});
  for (int64_t m : {8, 9, 16, 23}) shapes.push_back({m, 700});
  for (int64_t b : {2, 3}) shapes.push_back({b, 11, 27});
  for (int64_t w = 1; w <= 100; ++w) shapes.push_back({3, w * (w % 3 == 0 ? 2 : 1)});
  shapes.push_back({2, 3, 67});
  int checked = 0;
  for (const auto& s : shapes) {
    const bool batched = s.size() == 3;
    if (s[s.size() - 1] == 1) continue;  // a 1-column "image" is a copy, not a transpose
    ref::TransposeGeometry g;
    g.rank = static_cast<int>(s.size());
    std::copy(s.begin(), s.end(), g.in_dims);
    if (batched) {
      const int perm[] = {0, 2, 1};
      std::copy(perm, perm + 3, g.perm);
    } else {
      const int perm[] = {1, 0};
      std::copy(perm, perm + 2, g.perm);
    }
    const size_t total = static_cast<size_t>(Elements(s));
    std::vector<uint8_t> x(total);
    for (auto& v : x) v = static_cast<uint8_t>(rng.uniform_int(0, 255));
    std::vector<uint8_t> want(total);
    ref::transpose(g, 1, x.data(), want.data());
    X8Transpose k;
    ASSERT_TRUE(k.Init(GetParam(), g, 1));
    const int64_t m = s[s.size() - 2];
    if (m == 3) {
      EXPECT_EQ(k.name(), Named("x8-interleave3"));
    } else {
      EXPECT_STREQ(k.name(), kTranspose8Name);
    }
    GuardedBuffer gx(total), gy(total);
    const uint8_t* px = Copy(gx, x);
    for (pthreadpool_t pool : pools()) {
      std::memset(gy.data<uint8_t>(), 0xA5, total);
      k.Run(px, gy.data<uint8_t>(), pool);
      ASSERT_EQ(0, std::memcmp(gy.data<uint8_t>(), want.data(), total))
          << (batched ? "batched " : "") << s[s.size() - 2] << " x " << s[s.size() - 1];
    }
    ++checked;
  }
  std::printf("int8 transpose shapes: %d on %s\n", checked, IsaName(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Levels, Qs8ElementwiseLevels, ::testing::ValuesIn(kLevels),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(IsaName(info.param));
                         });

}  // namespace
}  // namespace qrun::kernels

// AArch64 i8mm (SMMLA) level: detection under each qemu CPU model, the
// kernel choice per batch size, and the microkernels called directly
// (kernels/arm/qs8-igemm-i8mm.cc) bit-exact against
// kernels::ref::fully_connected_s8 for every row count (mr < MR), column
// count (nc < 16), K around the 8/16-byte blocks, several taps (ks), a
// non-zero a_offset and output strides. The last activation row and the
// last output row end at a guard page. The whole-op tests of the level are
// in qs8_conv_levels_test.cc. Nothing here on other architectures.
#include <gtest/gtest.h>

#if defined(__aarch64__)

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "guarded_buffer.h"
#include "kernel_test_util.h"
#include "kernels/arm/qs8-igemm.h"
#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/qs8_conv.h"
#include "kernels/packing.h"
#include "kernels/reference/fully_connected.h"

namespace qrun::kernels {
namespace {

using qrun::testing::GuardedBuffer;
using qrun::testing::Rng;

// Under qemu (CMake/qemu-run.sh exports QRUN_QEMU_CPU) the i8mm level must
// be detected exactly on the models that have FEAT_I8MM.
TEST(ArmI8mm, DetectionMatchesTheQemuCpuModel) {
  EXPECT_TRUE(IsaBuilt(Isa::kNeonI8mm));
  const bool i8mm = IsaSupported(Isa::kNeonI8mm);
  std::printf("i8mm supported: %d (levels: %s)\n", i8mm, SupportedIsaList());
  if (i8mm) {
    EXPECT_TRUE(IsaSupported(Isa::kNeonDot)) << "i8mm implies the SDOT level";
    EXPECT_EQ(BestIsa(), Isa::kNeonI8mm);
  }
  const char* cpu = std::getenv("QRUN_QEMU_CPU");
  if (cpu == nullptr) return;
  const std::string c = cpu;
  if (c == "max") {
    EXPECT_TRUE(i8mm) << "-cpu max has FEAT_I8MM";
  } else if (c == "cortex-a72" || c == "cortex-a76" || c == "cortex-a53" || c == "neoverse-n1") {
    EXPECT_FALSE(i8mm) << "-cpu " << c << " has no FEAT_I8MM";
  }
}

class ArmI8mmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsaSupported(Isa::kNeonI8mm))
      GTEST_SKIP() << "i8mm not supported by this CPU (has: " << SupportedIsaList() << ")";
  }
};

// i8mm for two or more rows; batch 1 (GEMV) stays on the SDOT kernel.
TEST_F(ArmI8mmTest, KernelChoicePerBatch) {
  const struct {
    int batch;
    const char* name;
  } cases[] = {{1, "qs8-fc-gemv/1x16c4-neondot"},
               {2, "qs8-fc-gemm/2x16c8-i8mm"},
               {3, "qs8-fc-gemm/4x16c8-i8mm"},
               {9, "qs8-fc-gemm/4x16c8-i8mm"}};
  std::vector<int8_t> w(24 * 40, 3);
  std::vector<float> s(40, 0.01f);
  for (const auto& t : cases) {
    Conv2DGeometry g;
    g.in_h = g.out_h = 1;
    g.in_w = g.out_w = t.batch;
    g.in_c = 24;
    g.out_c = 40;
    Qs8Conv fc;
    ASSERT_TRUE(fc.Init(Isa::kNeonI8mm, Qs8Conv::Kind::kFullyConnected, g, 0, w.data(), nullptr,
                        s.data(), {}));
    EXPECT_STREQ(fc.name(), t.name) << "batch " << t.batch;
  }
  // A KxK convolution at the i8mm level.
  Conv2DGeometry g;
  g.in_h = g.in_w = g.out_h = g.out_w = 5;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = 1;
  g.in_c = 24;
  g.out_c = 40;
  std::vector<int8_t> w3(40 * 9 * 24, 1);
  Qs8Conv conv;
  ASSERT_TRUE(conv.Init(Isa::kNeonI8mm, Qs8Conv::Kind::kConv2D, g, 0, w3.data(), nullptr, s.data(),
                        {}));
  EXPECT_STREQ(conv.name(), "qs8-conv2d-3x3-igemm/4x16c8-i8mm");
}

struct Ukernel {
  arm::Qs8IgemmUkernel fn;
  size_t mr;
  const char* name;
};
constexpr int kNr = 16, kKr = 8;

// One microkernel call on random data, compared byte for byte (also the
// bytes between nc and c_stride, which must stay untouched).
void CheckCall(const Ukernel& u, Rng& rng, size_t mr, size_t nc, size_t kc, size_t ks,
               bool extreme) {
  const size_t a_offset = rng.coin() ? 0 : static_cast<size_t>(rng.uniform_int(1, 40));
  const size_t c_stride = nc + (rng.coin() ? 0 : static_cast<size_t>(rng.uniform_int(1, 9)));
  const int32_t in_zp = extreme ? (rng.coin() ? 127 : -128) : qrun::testing::random_zero_point(rng);
  QuantizedOutput out;
  out.zero_point = qrun::testing::random_zero_point(rng);
  const auto clamp = qrun::testing::random_fused_clamp(rng, 0.05, out.zero_point);
  out.qmin = clamp.qmin;
  out.qmax = clamp.qmax;

  // Weights [nc][ks][kc]; activations per (tap, row) slot of kc bytes, all
  // slots back to back in one guarded buffer, the last one at the guard page.
  std::vector<int8_t> weights = rng.int8s(nc * ks * kc);
  const size_t slots = ks * mr;
  GuardedBuffer act(a_offset + slots * kc);
  ASSERT_TRUE(act.ok());
  int8_t* abase = act.data<int8_t>();
  for (size_t i = 0; i < a_offset + slots * kc; ++i) abase[i] = static_cast<int8_t>(rng.uniform_int(-128, 127));
  if (extreme) {
    for (auto& x : weights) x = rng.coin() ? int8_t{-128} : int8_t{127};
    for (size_t i = 0; i < a_offset + slots * kc; ++i) abase[i] = rng.coin() ? -128 : 127;
  }
  std::vector<int32_t> bias = rng.int32s(nc, -40000, 40000);
  std::vector<float> scale;
  for (size_t n = 0; n < nc; ++n) scale.push_back(rng.scale(1e-5f, 3e-2f) * (extreme ? 0.01f : 1.0f));

  // Indirection: a[t * MR + m] + a_offset = slot (t, m); rows past mr repeat
  // row 0 (the contract allows any valid pointer).
  std::vector<const void*> a(ks * u.mr);
  for (size_t t = 0; t < ks; ++t) {
    for (size_t m = 0; m < u.mr; ++m) {
      const size_t slot = t * mr + (m < mr ? m : 0);
      a[t * u.mr + m] = abase + slot * kc;  // + a_offset inside the kernel
    }
  }

  // Oracle: row m's K is the concatenation of its taps.
  std::vector<int8_t> rows(mr * ks * kc);
  for (size_t m = 0; m < mr; ++m)
    for (size_t t = 0; t < ks; ++t)
      std::memcpy(&rows[(m * ks + t) * kc], abase + a_offset + (t * mr + m) * kc, kc);
  ref::FullyConnectedGeometry fg;
  fg.batch = static_cast<int>(mr);
  fg.in_features = static_cast<int>(ks * kc);
  fg.out_features = static_cast<int>(nc);
  std::vector<int8_t> want(mr * nc);
  ref::fully_connected_s8(fg, rows.data(), in_zp, weights.data(), bias.data(), scale.data(), out,
                          want.data());

  const PackLayout layout{kNr, kKr, 1, 0};
  std::vector<uint8_t> packed(PackedBytes(layout, static_cast<int>(nc), static_cast<int>(ks),
                                          static_cast<int>(kc)));
  PackQs8Weights(layout, static_cast<int>(nc), static_cast<int>(ks), static_cast<int>(kc),
                 weights.data(), bias.data(), scale.data(), in_zp, packed.data());

  const size_t out_bytes = (mr - 1) * c_stride + nc;
  GuardedBuffer cbuf(out_bytes);
  ASSERT_TRUE(cbuf.ok());
  int8_t* c = cbuf.data<int8_t>();
  std::memset(c, 0x5A, out_bytes);
  const arm::Qs8Requant p{static_cast<float>(out.qmin - out.zero_point),
                          static_cast<float>(out.qmax - out.zero_point), out.zero_point};
  u.fn(mr, nc, kc, ks, a.data(), a_offset, packed.data(), c, c_stride, p);

  for (size_t m = 0; m < mr; ++m) {
    for (size_t n = 0; n < c_stride && m * c_stride + n < out_bytes; ++n) {
      const int8_t got = c[m * c_stride + n];
      const int8_t exp = n < nc ? want[m * nc + n] : int8_t{0x5A};
      ASSERT_EQ(got, exp) << u.name << " mr=" << mr << " nc=" << nc << " kc=" << kc
                          << " ks=" << ks << " a_offset=" << a_offset << " c_stride=" << c_stride
                          << " at row " << m << " col " << n << (n >= nc ? " (past nc)" : "");
    }
  }
}

const Ukernel kUkernels[] = {
    {arm::qs8_igemm_2x16c8__neoni8mm, 2, "qs8_igemm_2x16c8__neoni8mm"},
    {arm::qs8_igemm_4x16c8__neoni8mm, 4, "qs8_igemm_4x16c8__neoni8mm"},
};

// Every mr, nc and K from 1 to 40 (the 8/16-byte blocks and their tails).
TEST_F(ArmI8mmTest, UkernelEdgesBitExact) {
  Rng rng(0x8A3);
  for (const Ukernel& u : kUkernels) {
    for (size_t kc = 1; kc <= 40; ++kc) {
      for (size_t mr = 1; mr <= u.mr; ++mr) {
        const size_t nc = static_cast<size_t>(rng.uniform_int(1, kNr));
        const size_t ks = static_cast<size_t>(rng.uniform_int(1, 3));
        CheckCall(u, rng, mr, nc, kc, ks, false);
        if (HasFatalFailure()) return;
      }
    }
    for (size_t nc = 1; nc <= kNr; ++nc) {
      CheckCall(u, rng, u.mr, nc, static_cast<size_t>(rng.uniform_int(1, 70)), 1, false);
      if (HasFatalFailure()) return;
    }
  }
}

// Random shapes with many taps, and saturated operands (weights and
// activations at -128 / 127, zero points at the extremes, long K).
TEST_F(ArmI8mmTest, UkernelRandomAndExtremeBitExact) {
  Rng rng(0x5A11);
  for (const Ukernel& u : kUkernels) {
    for (int i = 0; i < 60; ++i) {
      const bool extreme = i % 3 == 0;
      const size_t mr = static_cast<size_t>(rng.uniform_int(1, static_cast<int>(u.mr)));
      const size_t nc = static_cast<size_t>(rng.uniform_int(1, kNr));
      const size_t kc = static_cast<size_t>(extreme ? rng.uniform_int(100, 600) : rng.uniform_int(1, 200));
      const size_t ks = static_cast<size_t>(rng.uniform_int(1, 9));
      CheckCall(u, rng, mr, nc, kc, ks, extreme);
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace qrun::kernels

#endif  // __aarch64__

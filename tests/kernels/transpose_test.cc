// Reference Transpose against an oracle that computes, for every output
// element, its input coordinate one element at a time.
#include "kernels/reference/transpose.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "kernel_test_util.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::Rng;

std::vector<uint8_t> oracle(const TransposeGeometry& g, size_t es, const std::vector<uint8_t>& in) {
  int64_t n = 1;
  for (int d = 0; d < g.rank; ++d) n *= g.in_dims[d];
  std::vector<uint8_t> out(static_cast<size_t>(n) * es);
  std::vector<int64_t> out_dims(g.rank), idx(g.rank, 0);
  for (int d = 0; d < g.rank; ++d) out_dims[d] = g.in_dims[g.perm[d]];
  for (int64_t o = 0; o < n; ++o) {
    std::vector<int64_t> in_idx(g.rank);
    for (int d = 0; d < g.rank; ++d) in_idx[g.perm[d]] = idx[d];
    int64_t flat = 0;
    for (int d = 0; d < g.rank; ++d) flat = flat * g.in_dims[d] + in_idx[d];
    std::memcpy(&out[o * es], &in[flat * es], es);
    for (int d = g.rank - 1; d >= 0; --d) {
      if (++idx[d] < out_dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// NCHW [1, 2, 2, 3] -> NHWC [1, 2, 3, 2].
TEST(Transpose, HandComputedNchwToNhwc) {
  TransposeGeometry g;
  g.rank = 4;
  const int64_t dims[4] = {1, 2, 2, 3};
  const int perm[4] = {0, 2, 3, 1};
  std::copy(dims, dims + 4, g.in_dims);
  std::copy(perm, perm + 4, g.perm);
  std::vector<float> in(12);
  std::iota(in.begin(), in.end(), 0.0f);
  std::vector<float> out(12);
  transpose(g, sizeof(float), in.data(), out.data());
  const std::vector<float> want = {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11};
  EXPECT_EQ(out, want);
}

TEST(Transpose, RandomShapesMatchOracle) {
  Rng rng(1234);
  for (int config = 0; config < 300; ++config) {
    TransposeGeometry g;
    g.rank = rng.uniform_int(0, kMaxRank);
    int64_t n = 1;
    for (int d = 0; d < g.rank; ++d) {
      g.in_dims[d] = rng.uniform_int(1, 5);
      n *= g.in_dims[d];
      g.perm[d] = d;
    }
    std::shuffle(g.perm, g.perm + g.rank, rng.engine());
    const size_t es = rng.coin() ? 1 : (rng.coin() ? 4 : 2);
    std::vector<uint8_t> in(static_cast<size_t>(n) * es);
    for (auto& b : in) b = static_cast<uint8_t>(rng.uniform_int(0, 255));
    std::vector<uint8_t> out(in.size(), 0xAB);
    transpose(g, es, in.data(), out.data());
    ASSERT_EQ(out, oracle(g, es, in)) << "config " << config << " rank " << g.rank;
  }
}

}  // namespace
}  // namespace qrun::kernels::ref

// Reference constant Pad against an oracle that maps every output cell back
// to its input cell (or the pad value) one element at a time.
#include "kernels/reference/pad.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernel_test_util.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::Rng;

constexpr int kConfigs = 300;

int64_t out_dim(const PadGeometry& g, int d) {
  return g.pad_before[d] + g.in_dims[d] + g.pad_after[d];
}

int64_t count(const PadGeometry& g, bool output) {
  int64_t n = 1;
  for (int d = 0; d < g.rank; ++d) n *= output ? out_dim(g, d) : g.in_dims[d];
  return n;
}

// Expected bytes: walk output cells in row-major order; a cell is input data
// iff every coordinate minus pad_before lies inside the input.
std::vector<uint8_t> oracle_pad(const PadGeometry& g, size_t es, const std::vector<uint8_t>& in,
                                const std::vector<uint8_t>& value) {
  const int64_t n = count(g, true);
  std::vector<uint8_t> out(n * es);
  std::vector<int64_t> idx(g.rank, 0);
  for (int64_t o = 0; o < n; ++o) {
    bool inside = true;
    int64_t flat = 0;
    for (int d = 0; d < g.rank; ++d) {
      const int64_t i = idx[d] - g.pad_before[d];
      inside = inside && i >= 0 && i < g.in_dims[d];
      flat = flat * g.in_dims[d] + i;
    }
    std::memcpy(&out[o * es], inside ? &in[flat * es] : value.data(), es);
    for (int d = g.rank - 1; d >= 0; --d) {
      if (++idx[d] < out_dim(g, d)) break;
      idx[d] = 0;
    }
  }
  return out;
}

// int8 [[1, 2], [3, 4]], one row of 9s above and two columns on the right:
//   9 9 9 9
//   1 2 9 9
//   3 4 9 9
TEST(Pad, HandComputedInt8) {
  PadGeometry g;
  g.rank = 2;
  g.in_dims[0] = 2;
  g.in_dims[1] = 2;
  g.pad_before[0] = 1;
  g.pad_after[1] = 2;
  const std::vector<int8_t> in = {1, 2, 3, 4};
  const int8_t value = 9;
  std::vector<int8_t> out(12, 0);
  pad(g, 1, in.data(), &value, out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9}));
}

// float [1.5, -2] padded 1 / 1 with 7.25 -> [7.25, 1.5, -2, 7.25].
TEST(Pad, HandComputedFloat) {
  PadGeometry g;
  g.rank = 1;
  g.in_dims[0] = 2;
  g.pad_before[0] = 1;
  g.pad_after[0] = 1;
  const std::vector<float> in = {1.5f, -2.0f};
  const float value = 7.25f;
  std::vector<float> out(4, 0.0f);
  pad(g, sizeof(float), in.data(), &value, out.data());
  EXPECT_EQ(out, (std::vector<float>{7.25f, 1.5f, -2.0f, 7.25f}));
}

// Edge shapes: rank 0 copies the scalar; an empty input padded is all value;
// zero pads are a plain copy.
TEST(Pad, EdgeShapes) {
  PadGeometry scalar;
  const int32_t x = 123456, v = -1;
  int32_t y = 0;
  pad(scalar, sizeof(int32_t), &x, &v, &y);
  EXPECT_EQ(y, 123456);

  PadGeometry empty;
  empty.rank = 2;
  empty.in_dims[0] = 2;
  empty.in_dims[1] = 0;
  empty.pad_before[1] = 2;
  empty.pad_after[1] = 1;
  std::vector<int32_t> out(6, 0);
  pad(empty, sizeof(int32_t), nullptr, &v, out.data());
  EXPECT_EQ(out, (std::vector<int32_t>(6, -1)));

  PadGeometry none;
  none.rank = 3;
  none.in_dims[0] = 2;
  none.in_dims[1] = 1;
  none.in_dims[2] = 3;
  const std::vector<int8_t> in = {1, 2, 3, 4, 5, 6};
  const int8_t zero = 0;
  std::vector<int8_t> copy(6, 0);
  pad(none, 1, in.data(), &zero, copy.data());
  EXPECT_EQ(copy, in);
}

TEST(Pad, RandomVsOracle) {
  Rng rng(21);
  const size_t elem_sizes[] = {1, 4, 1, 4, 2, 3, 8};
  for (int i = 0; i < kConfigs; ++i) {
    PadGeometry g;
    g.rank = rng.uniform_int(1, kMaxRank);
    for (int d = 0; d < g.rank; ++d) {
      g.in_dims[d] = rng.uniform_int(0, 12) == 0 ? 0 : rng.uniform_int(1, 4);
      g.pad_before[d] = rng.uniform_int(0, 2);
      g.pad_after[d] = rng.uniform_int(0, 2);
    }
    const size_t es = elem_sizes[i % 7];
    std::vector<uint8_t> in(count(g, false) * es);
    for (auto& b : in) b = static_cast<uint8_t>(rng.uniform_int(0, 255));
    std::vector<uint8_t> value(es);
    for (auto& b : value) b = static_cast<uint8_t>(rng.uniform_int(0, 255));

    const std::vector<uint8_t> want = oracle_pad(g, es, in, value);
    // One spare byte each side catches writes outside the output.
    std::vector<uint8_t> got(want.size() + 2, 0xA5);
    pad(g, es, in.empty() ? nullptr : in.data(), value.data(), got.data() + 1);
    ASSERT_EQ(got.front(), 0xA5) << "config " << i;
    ASSERT_EQ(got.back(), 0xA5) << "config " << i;
    ASSERT_TRUE(std::equal(want.begin(), want.end(), got.begin() + 1))
        << "config " << i << " rank " << g.rank << " elem_size " << es;
  }
}

}  // namespace
}  // namespace qrun::kernels::ref

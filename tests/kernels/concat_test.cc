// Reference Concat (int8 with per-input requantization, float32) against an
// oracle that locates every output element in its source input itself.
#include "kernels/reference/concat.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "kernel_test_util.h"

namespace qrun::kernels::ref {
namespace {

using qrun::testing::accumulate;
using qrun::testing::compare_q;
using qrun::testing::DiffStats;
using qrun::testing::oracle_quantize;
using qrun::testing::random_zero_point;
using qrun::testing::Rng;

constexpr int kConfigs = 300;

// A concat problem in the kernel's folded form: [outer][axis_k][inner] per input.
struct ConcatCase {
  int64_t outer = 1, inner = 1;
  std::vector<int64_t> axis;  // each input's size along the axis
  int64_t axis_total() const {
    int64_t t = 0;
    for (int64_t a : axis) t += a;
    return t;
  }
};

// Random rank 1-4 shape and axis, 1-5 inputs; sizes along the axis 0-5 (an
// empty input now and then).
ConcatCase random_case(Rng& rng) {
  ConcatCase c;
  const int rank = rng.uniform_int(1, 4);
  const int axis = rng.uniform_int(0, rank - 1);
  for (int d = 0; d < rank; ++d) {
    if (d == axis) continue;
    (d < axis ? c.outer : c.inner) *= rng.uniform_int(1, 5);
  }
  const int num_inputs = rng.uniform_int(1, 5);
  for (int k = 0; k < num_inputs; ++k) {
    c.axis.push_back(rng.uniform_int(0, 9) == 0 ? 0 : rng.uniform_int(1, 5));
  }
  return c;
}

// Calls fn(out_index, input k, index within input k) for every output element.
template <typename Fn>
void for_each_output(const ConcatCase& c, Fn fn) {
  const int64_t total = c.axis_total();
  for (int64_t o = 0; o < c.outer; ++o) {
    for (int64_t pos = 0; pos < total; ++pos) {
      int k = 0;
      int64_t start = 0;
      while (pos >= start + c.axis[k]) start += c.axis[k++];
      for (int64_t i = 0; i < c.inner; ++i) {
        const int64_t out_index = (o * total + pos) * c.inner + i;
        const int64_t in_index = (o * c.axis[k] + (pos - start)) * c.inner + i;
        fn(out_index, k, in_index);
      }
    }
  }
}

// Hand-worked: outer 2, output zero point -1.
// Input A (same quantization) [[1, 2], [3, 4]] is copied.
// Input B: zero point 4, scale s_in/s_out = 0.5, rows [[7, 9], [-6, 127]]:
//   (7-4)*0.5 = 1.5 -> 2 (even) -> 1      (9-4)*0.5 = 2.5 -> 2 (even) -> 1
//  (-6-4)*0.5 = -5          -> -6      (127-4)*0.5 = 61.5 -> 62 (even) -> 61
// Output rows: [1, 2, 1, 1], [3, 4, -6, 61].
TEST(ConcatS8, HandComputed) {
  const std::vector<int8_t> a = {1, 2, 3, 4}, b = {7, 9, -6, 127};
  ConcatInput in[2];
  in[0].data = a.data();
  in[0].axis_inner = 2;
  in[1].data = b.data();
  in[1].axis_inner = 2;
  in[1].zero_point = 4;
  in[1].scale = 0.5f;
  in[1].same_quantization = false;
  QuantizedOutput out;
  out.zero_point = -1;
  std::vector<int8_t> y(8);
  concat_s8(2, in, 2, out, y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{1, 2, 1, 1, 3, 4, -6, 61}));
}

TEST(ConcatS8, RandomVsDoubleOracle) {
  Rng rng(11);
  DiffStats total;
  int requantized_inputs = 0, copied_inputs = 0;
  size_t clamped = 0;  // oracle outputs on qmin / qmax
  for (int i = 0; i < kConfigs; ++i) {
    const ConcatCase c = random_case(rng);
    const int n = static_cast<int>(c.axis.size());
    const float s_out = rng.scale();
    QuantizedOutput out;
    out.zero_point = random_zero_point(rng);

    std::vector<std::vector<int8_t>> data(n);
    std::vector<float> s_in(n);
    std::vector<ConcatInput> inputs(n);
    bool any_copy = false;
    bool exact = true;  // every input's scale is 1 or 0.5: exact arithmetic
    for (int k = 0; k < n; ++k) {
      data[k] = rng.int8s(c.outer * c.axis[k] * c.inner);
      ConcatInput& in = inputs[k];
      in.data = data[k].data();
      in.axis_inner = c.axis[k] * c.inner;
      switch (rng.uniform_int(0, 4)) {
        case 0:  // shares the output's quantization: byte copy
          s_in[k] = s_out;
          in.zero_point = out.zero_point;
          in.same_quantization = true;
          any_copy = true;
          break;
        case 1:  // same parameters through the requantize path: identity
          s_in[k] = s_out;
          in.zero_point = out.zero_point;
          in.same_quantization = false;
          break;
        case 2:  // s_in / s_out exactly 0.5: exact .5 ties for odd q - zp
          s_in[k] = 0.5f * s_out;
          in.zero_point = random_zero_point(rng);
          in.same_quantization = false;
          break;
        default:
          exact = false;
          s_in[k] = s_out * rng.scale(0.3f, 3.0f);
          in.zero_point = random_zero_point(rng);
          in.same_quantization = false;
          break;
      }
      in.scale = s_in[k] / s_out;
      (in.same_quantization ? copied_inputs : requantized_inputs)++;
    }
    // The copy path is unclamped by contract, so a narrowed range is only
    // meaningful when every input goes through requantization.
    if (!any_copy && rng.coin()) {
      out.qmin = rng.uniform_int(-128, 0);
      out.qmax = rng.uniform_int(out.qmin, 127);
    }

    std::vector<int8_t> got(c.outer * c.axis_total() * c.inner);
    concat_s8(c.outer, inputs.data(), n, out, got.data());

    std::vector<int32_t> want(got.size());
    for_each_output(c, [&](int64_t o, int k, int64_t idx) {
      const double real = double{s_in[k]} * (data[k][idx] - inputs[k].zero_point);
      want[o] = oracle_quantize(real, s_out, out.zero_point, out.qmin, out.qmax);
      clamped += want[o] == out.qmin || want[o] == out.qmax;
    });
    const DiffStats s = compare_q(got, want);
    ASSERT_LE(s.max_abs_diff, 1) << "config " << i;
    if (exact) {
      ASSERT_EQ(s.mismatches, 0u) << "exact config " << i;
    }
    accumulate(total, s);
  }
  std::printf(
      "[ stats    ] concat_s8: %d configs (%d copied / %d requantized inputs), %zu elements "
      "(%zu on qmin/qmax), %zu mismatches vs oracle, max |diff| %d\n",
      kConfigs, copied_inputs, requantized_inputs, total.count, clamped, total.mismatches,
      total.max_abs_diff);
  EXPECT_LE(static_cast<double>(total.mismatches), 0.01 * static_cast<double>(total.count));
}

// Output rows of a float concat are the inputs' rows side by side:
// A [[1, 2], [3, 4]] ++ B [[5], [6]] -> [1, 2, 5, 3, 4, 6].
TEST(ConcatF32, HandComputed) {
  const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6};
  ConcatInput in[2];
  in[0].data = a.data();
  in[0].axis_inner = 2;
  in[1].data = b.data();
  in[1].axis_inner = 1;
  std::vector<float> y(6);
  concat_f32(2, in, 2, y.data());
  EXPECT_EQ(y, (std::vector<float>{1, 2, 5, 3, 4, 6}));
}

TEST(ConcatF32, RandomVsOracle) {
  Rng rng(12);
  for (int i = 0; i < kConfigs; ++i) {
    const ConcatCase c = random_case(rng);
    const int n = static_cast<int>(c.axis.size());
    std::vector<std::vector<float>> data(n);
    std::vector<ConcatInput> inputs(n);
    for (int k = 0; k < n; ++k) {
      data[k] = rng.floats(c.outer * c.axis[k] * c.inner, -1e3f, 1e3f);
      inputs[k].data = data[k].data();
      inputs[k].axis_inner = c.axis[k] * c.inner;
    }
    std::vector<float> got(c.outer * c.axis_total() * c.inner);
    concat_f32(c.outer, inputs.data(), n, got.data());
    int bad = 0;
    // A copy: bit-exact is the only sensible tolerance.
    for_each_output(c, [&](int64_t o, int k, int64_t idx) { bad += got[o] != data[k][idx]; });
    ASSERT_EQ(bad, 0) << "config " << i;
  }
}

}  // namespace
}  // namespace qrun::kernels::ref

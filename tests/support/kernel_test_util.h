// Shared helpers for kernel tests: seeded random data and the double-precision
// oracle's final step. The oracle never uses the kernels' own requantize code.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace qrun::testing {

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  int uniform_int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  float uniform_float(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(gen_);
  }
  // Log-uniform positive scale, as real models have scales over decades.
  float scale(float lo = 1e-3f, float hi = 1.0f) {
    return std::exp(uniform_float(std::log(lo), std::log(hi)));
  }
  bool coin() { return uniform_int(0, 1) == 1; }
  std::vector<int8_t> int8s(size_t n, int lo = -128, int hi = 127) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(uniform_int(lo, hi));
    return v;
  }
  std::vector<int32_t> int32s(size_t n, int lo, int hi) {
    std::vector<int32_t> v(n);
    for (auto& x : v) x = uniform_int(lo, hi);
    return v;
  }
  std::vector<float> floats(size_t n, float lo, float hi) {
    std::vector<float> v(n);
    for (auto& x : v) x = uniform_float(lo, hi);
    return v;
  }
  std::mt19937_64& engine() { return gen_; }

 private:
  std::mt19937_64 gen_;
};

// Oracle requantization in double: q = clamp(round_half_even(real / scale) + zp).
inline int32_t oracle_quantize(double real, double scale, int32_t zero_point, int32_t qmin,
                               int32_t qmax) {
  double v = std::nearbyint(real / scale) + zero_point;
  return static_cast<int32_t>(std::clamp<double>(v, qmin, qmax));
}

// Compares kernel output against the oracle: every element within `max_diff`
// LSB, and at most `max_mismatch_fraction` of elements differing at all.
struct DiffStats {
  size_t count = 0;
  size_t mismatches = 0;
  int max_abs_diff = 0;
};

template <typename T>
DiffStats compare_q(const std::vector<T>& got, const std::vector<int32_t>& want) {
  DiffStats s;
  s.count = got.size();
  for (size_t i = 0; i < got.size(); ++i) {
    int d = std::abs(static_cast<int>(got[i]) - static_cast<int>(want[i]));
    if (d != 0) ++s.mismatches;
    s.max_abs_diff = std::max(s.max_abs_diff, d);
  }
  return s;
}

}  // namespace qrun::testing

// --- Generic helpers appended for the element-wise kernel tests. ---
namespace qrun::testing {

// A zero point over the whole int8 range, with the extremes (and 0) drawn
// often enough that every run exercises them.
inline int32_t random_zero_point(Rng& rng) {
  switch (rng.uniform_int(0, 7)) {
    case 0: return -128;
    case 1: return 127;
    case 2: return 0;
    default: return rng.uniform_int(-128, 127);
  }
}

// Sums per-configuration DiffStats into a run total.
inline void accumulate(DiffStats& total, const DiffStats& s) {
  total.count += s.count;
  total.mismatches += s.mismatches;
  total.max_abs_diff = std::max(total.max_abs_diff, s.max_abs_diff);
}

}  // namespace qrun::testing

// ---- Helpers shared by the conv / fully-connected / pooling tests. ----
#include <cstdio>
#include <string>

namespace qrun::testing {

// A fused activation folded into the int8 clamp range of an output with
// (scale, zero_point): none (half the time), ReLU, ReLU6 or a clamp to some
// real interval around 0.
struct FusedClamp {
  int32_t qmin = -128;
  int32_t qmax = 127;
  const char* name = "none";
};

inline FusedClamp random_fused_clamp(Rng& rng, double scale, int32_t zero_point) {
  switch (rng.uniform_int(0, 5)) {
    case 0: return {zero_point, 127, "relu"};
    case 1: {
      const double six = std::nearbyint(6.0 / scale) + zero_point;
      return {zero_point, static_cast<int32_t>(std::clamp<double>(six, zero_point, 127)), "relu6"};
    }
    case 2: {  // some real interval around 0
      const int32_t lo = std::max(-128, zero_point - rng.uniform_int(16, 255));
      return {lo, std::min(127, zero_point + rng.uniform_int(16, 255)), "range"};
    }
    default: return {};
  }
}

// Tolerance for a float32 sum of n_terms terms against its exact (double)
// value: the recursive-summation error bound (n_terms + 1) * 2^-24 * sum|terms|
// (products add one more rounding each), never tighter than 1e-5 relative.
inline double float_sum_tolerance(int64_t n_terms, double abs_sum) {
  const double bound = static_cast<double>(n_terms + 1) * std::ldexp(1.0, -24);
  return std::max(1e-5, bound) * abs_sum;
}

// Output scale for real outputs spanning [lo, hi] with zero point zp, picked
// the way calibration would (the larger of the two sides' needs; a side with
// no room, e.g. zp = 127 for positives, just saturates), then multiplied by a
// random factor in [0.6, 1.3] so some configs saturate and some keep headroom.
inline float calibrated_scale(Rng& rng, double lo, double hi, int32_t zp) {
  double s = 0;
  if (hi > 0 && zp < 127) s = std::max(s, hi / (127 - zp));
  if (lo < 0 && zp > -128) s = std::max(s, -lo / (zp + 128));
  if (!(s > 0)) s = std::max({std::fabs(lo), std::fabs(hi), 1.0}) / 64;  // nothing to cover
  return static_cast<float>(s * rng.uniform_float(0.6f, 1.3f));
}

// Nearest power of two (in log scale). With power-of-two scales every step of
// the int8 requantization is exact in float32 and in double, so a kernel must
// then match the oracle exactly, ties included.
inline float nearest_power_of_two(double v) {
  return static_cast<float>(std::ldexp(1.0, static_cast<int>(std::lround(std::log2(v)))));
}

// Totals of compare_q over many randomized configurations.
struct DiffTally {
  size_t configs = 0;
  size_t count = 0;
  size_t mismatches = 0;
  int max_abs_diff = 0;
  void add(const DiffStats& s) {
    ++configs;
    count += s.count;
    mismatches += s.mismatches;
    max_abs_diff = std::max(max_abs_diff, s.max_abs_diff);
  }
  std::string summary(const char* what) const {
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "%s: %zu configs, %zu elements, %zu differ from the oracle (max |diff| %d)",
                  what, configs, count, mismatches, max_abs_diff);
    return buf;
  }
};

}  // namespace qrun::testing

// Helpers shared by the optimized int8 Conv2D / FullyConnected tests
// (qs8_conv_levels_test.cc, tests/emulated/qs8_conv_avxvnni_test.cc): random
// layers and geometries, and running a prepared Qs8Conv against the
// reference output with 1 and 2 threads into guard-paged buffers.
#pragma once

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "guarded_buffer.h"
#include "kernel_test_util.h"
#include "kernels/dispatch/qs8_conv.h"
#include "kernels/geometry.h"

namespace qrun::kernels::conv_test {

using qrun::testing::GuardedBuffer;
using qrun::testing::Rng;

struct ThreadPoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using ThreadPoolPtr = std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, ThreadPoolDeleter>;

struct Layer {
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;
  bool has_bias = true;
  std::vector<float> scale;
  int32_t in_zp = 0;
  QuantizedOutput out;
};

inline Layer RandomLayer(Rng& rng, int out_c, size_t weight_count) {
  Layer l;
  l.weights = rng.int8s(weight_count, rng.coin() ? -128 : -127, 127);
  l.has_bias = rng.uniform_int(0, 4) != 0;
  l.bias = rng.int32s(static_cast<size_t>(out_c), -40000, 40000);
  const bool per_channel = rng.coin();
  const float base = rng.scale(1e-4f, 3e-2f);
  for (int c = 0; c < out_c; ++c) l.scale.push_back(per_channel ? rng.scale(1e-4f, 3e-2f) : base);
  l.in_zp = qrun::testing::random_zero_point(rng);
  l.out.zero_point = qrun::testing::random_zero_point(rng);
  const auto clamp = qrun::testing::random_fused_clamp(rng, 0.05, l.out.zero_point);
  l.out.qmin = clamp.qmin;
  l.out.qmax = clamp.qmax;
  return l;
}

inline std::string Describe(const Conv2DGeometry& g) {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "n%d %dx%dx%d -> %dx%dx%d k%dx%d s%dx%d d%dx%d p%d,%d g%d", g.batch, g.in_h,
                g.in_w, g.in_c, g.out_h, g.out_w, g.out_c, g.kernel_h, g.kernel_w, g.stride_h,
                g.stride_w, g.dilation_h, g.dilation_w, g.pad_top, g.pad_left, g.groups);
  return buf;
}

// config % 4: 0: 1x1 GEMM, 1: 1x1 strided/padded, 2/3: KxK (strides,
// dilations, asymmetric padding); groups in 1 of 5 layers.
inline Conv2DGeometry RandomGeometry(Rng& rng, int config) {
  Conv2DGeometry g;
  g.batch = rng.uniform_int(0, 5) == 0 ? 2 : 1;
  const int shape = config % 4;
  g.groups = rng.uniform_int(0, 4) == 0 ? rng.uniform_int(2, 4) : 1;
  const int kc = rng.uniform_int(0, 3) == 0 ? rng.uniform_int(1, 8) : rng.uniform_int(1, 70);
  g.in_c = kc * g.groups;
  if (g.groups > 1 && kc < 4) g.in_c = (kc + 4) * g.groups;
  g.out_c = g.groups * (rng.uniform_int(0, 2) == 0 ? rng.uniform_int(1, 20) : rng.uniform_int(1, 80));
  g.in_h = rng.uniform_int(1, 11);
  g.in_w = rng.uniform_int(1, 11);
  int pad_bottom = 0, pad_right = 0;
  if (shape == 0) {
    g.kernel_h = g.kernel_w = 1;
  } else if (shape == 1) {
    g.kernel_h = g.kernel_w = 1;
    g.stride_h = rng.uniform_int(1, 3);
    g.stride_w = rng.uniform_int(1, 3);
    g.pad_top = rng.uniform_int(0, 1);
    g.pad_left = rng.uniform_int(0, 1);
  } else {
    g.kernel_h = rng.uniform_int(1, 5);
    g.kernel_w = rng.uniform_int(1, 5);
    g.stride_h = rng.uniform_int(1, 3);
    g.stride_w = rng.uniform_int(1, 3);
    g.dilation_h = rng.uniform_int(0, 3) == 0 ? 2 : 1;
    g.dilation_w = rng.uniform_int(0, 3) == 0 ? 2 : 1;
    g.pad_top = rng.uniform_int(0, g.kernel_h - 1);
    g.pad_left = rng.uniform_int(0, g.kernel_w - 1);
    pad_bottom = rng.uniform_int(0, g.kernel_h - 1);
    pad_right = rng.uniform_int(0, g.kernel_w - 1);
  }
  const int eff_h = (g.kernel_h - 1) * g.dilation_h + 1;
  const int eff_w = (g.kernel_w - 1) * g.dilation_w + 1;
  g.in_h = std::max(g.in_h, eff_h - g.pad_top - pad_bottom);
  g.in_w = std::max(g.in_w, eff_w - g.pad_left - pad_right);
  g.out_h = (g.in_h + g.pad_top + pad_bottom - eff_h) / g.stride_h + 1;
  g.out_w = (g.in_w + g.pad_left + pad_right - eff_w) / g.stride_w + 1;
  return g;
}

// Runs the optimized kernel with 1 and 2 threads and compares each with `want`.
inline void RunAndCompare(Qs8Conv& conv, const std::vector<int8_t>& input, size_t out_elems,
                          const std::vector<int8_t>& want, pthreadpool_t pool2,
                          const std::string& what) {
  GuardedBuffer in(input.size()), out(out_elems), scratch(conv.scratch_bytes());
  ASSERT_TRUE(in.ok() && out.ok() && scratch.ok());
  std::memcpy(in.data<int8_t>(), input.data(), input.size());
  for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2}) {
    std::memset(out.data<int8_t>(), 0x55, out_elems);
    conv.Run(in.data<int8_t>(), out.data<int8_t>(), scratch.data<void>(), pool);
    const bool same = std::memcmp(out.data<int8_t>(), want.data(), out_elems) == 0;
    if (!same) {
      size_t i = 0;
      while (out.data<int8_t>()[i] == want[i]) ++i;
      FAIL() << what << " threads=" << (pool ? 2 : 1) << " kernel=" << conv.name()
             << ": first mismatch at " << i << " got " << int(out.data<int8_t>()[i]) << " want "
             << int(want[i]);
    }
  }
}

}  // namespace qrun::kernels::conv_test

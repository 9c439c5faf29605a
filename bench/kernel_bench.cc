// Kernel benchmarks over layer shapes of MobileNetV2 and ResNet-18.
// Run: build/bench/qrun_kernel_bench --benchmark_min_time=0.2
// Counter GMACs (shown per second): multiply-accumulates / 1e9.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "kernels/reference/conv2d.h"

namespace {

using qrun::kernels::Conv2DGeometry;

struct ConvShape {
  const char* name;
  int hw, in_c, out_c, k, stride, groups;
};

// A few representative layers (input size, channels, kernel, stride, groups).
const ConvShape kShapes[] = {
    {"resnet18/conv2_3x3", 56, 64, 64, 3, 1, 1},
    {"resnet18/conv4_3x3", 14, 256, 256, 3, 1, 1},
    {"mobilenetv2/expand_1x1", 56, 24, 144, 1, 1, 1},
    {"mobilenetv2/project_1x1", 28, 192, 32, 1, 1, 1},
    {"mobilenetv2/dw_3x3", 56, 144, 144, 3, 1, 144},
    {"mobilenetv2/dw_3x3_s2", 56, 144, 144, 3, 2, 144},
};

Conv2DGeometry MakeGeometry(const ConvShape& s) {
  Conv2DGeometry g;
  g.in_h = g.in_w = s.hw;
  g.in_c = s.in_c;
  g.out_c = s.out_c;
  g.kernel_h = g.kernel_w = s.k;
  g.stride_h = g.stride_w = s.stride;
  g.pad_top = g.pad_left = s.k / 2;
  g.groups = s.groups;
  g.out_h = g.out_w = (s.hw + 2 * (s.k / 2) - s.k) / s.stride + 1;
  return g;
}

void BM_Conv2DS8Reference(benchmark::State& state) {
  const ConvShape& s = kShapes[state.range(0)];
  const Conv2DGeometry g = MakeGeometry(s);
  std::vector<int8_t> input(static_cast<size_t>(g.in_h) * g.in_w * g.in_c, 3);
  std::vector<int8_t> weights(static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * (g.in_c / g.groups), -2);
  std::vector<int32_t> bias(static_cast<size_t>(g.out_c), 7);
  std::vector<float> scale(static_cast<size_t>(g.out_c), 0.01f);
  std::vector<int8_t> output(static_cast<size_t>(g.out_h) * g.out_w * g.out_c);
  qrun::kernels::QuantizedOutput q;
  for (auto _ : state) {
    qrun::kernels::ref::conv2d_s8(g, input.data(), -5, weights.data(), bias.data(), scale.data(), q,
                                  output.data());
    benchmark::DoNotOptimize(output.data());
  }
  const double macs = static_cast<double>(output.size()) * g.kernel_h * g.kernel_w * (g.in_c / g.groups);
  state.counters["GMACs"] = benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(s.name);
}
BENCHMARK(BM_Conv2DS8Reference)->DenseRange(0, sizeof(kShapes) / sizeof(kShapes[0]) - 1)->Unit(benchmark::kMillisecond);

}  // namespace

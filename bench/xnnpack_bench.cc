// XNNPACK int8 operators on the same layer shapes as kernel_bench.cc (conv/,
// fc/) and dwconv_bench.cc (dwconv/), so qrun's kernels and XNNPACK's compare
// side by side (issue #6: native vs xnnpack per kernel shape).
//
// Run: build/bench/qrun_kernel_bench --benchmark_min_time=0.1
//        --benchmark_filter='(xnn/|conv/).*threads:1'
// Names: xnn/<kShapes name>/threads:N (dense and depthwise layers of
// kernel_bench.cc), xnn/dwconv/<kDwShapes name>/threads:N, xnn/<kFcShapes
// name>/threads:N. Per-channel weights use convolution2d_nhwc_qc8 (XNNPACK
// picks its depthwise microkernels itself for groups == channels); fully
// connected layers use fully_connected_nc_qs8 (per-tensor weight scale: the
// only int8 FC this XNNPACK has). Each operator is set up once on fixed
// buffers and only xnn_run_operator is timed. Counters and time bases as in
// kernel_bench.cc: GMACs, GBs for depthwise (input + weights + output) and FC
// (weights); 1-thread rates per CPU second, 2-thread per wall-clock second.
// The shape lists are bench/shapes.h, shared with those files.
// Without QRUN_WITH_XNNPACK this file is empty.
#if defined(QRUN_WITH_XNNPACK)

#include <benchmark/benchmark.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bench/shapes.h"

namespace {

using qrun_bench::ConvShape;
using qrun_bench::DwShape;
using qrun_bench::FcShape;
using qrun_bench::kDwShapes;
using qrun_bench::kFcShapes;
using qrun_bench::kShapes;

// Input zero points as in kernel_bench.cc (conv -5, FC 3).
constexpr int8_t kConvInputZp = -5;
constexpr int8_t kFcInputZp = 3;
constexpr float kInputScale = 1.0f / 64;

// Once per process; benchmark threads may call it concurrently.
bool XnnReady() {
  static const bool ok = xnn_initialize(nullptr) == xnn_status_success;
  return ok;
}

// Random operands; the input carries XNN_EXTRA_BYTES of slack (XNNPACK's
// microkernels may read past the last element).
struct XnnData {
  std::vector<int8_t> input, weights, output;
  std::vector<int32_t> bias;
  std::vector<float> kernel_scale;  // per output channel
  size_t input_elements = 0;
};

XnnData MakeXnnData(size_t in, size_t w, size_t out, size_t channels, size_t reduction) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> i8(-127, 127), b(-1000, 1000);
  std::uniform_real_distribution<float> jitter(0.5f, 1.5f);
  XnnData d;
  d.input_elements = in;
  d.input.resize(in + XNN_EXTRA_BYTES);
  for (auto& v : d.input) v = static_cast<int8_t>(i8(rng));
  d.weights.resize(w);
  for (auto& v : d.weights) v = static_cast<int8_t>(i8(rng));
  d.output.resize(out);
  d.bias.resize(channels);
  for (auto& v : d.bias) v = b(rng);
  // Uniform int8 operands: |acc| ~ 73 * 73 * sqrt(reduction); map that to
  // ~32 output steps (output scale 1) so outputs stay mostly unsaturated.
  const float requant = 32.0f / (73.0f * 73.0f * std::sqrt(static_cast<float>(reduction)));
  d.kernel_scale.resize(channels);
  for (auto& v : d.kernel_scale) v = requant / kInputScale * jitter(rng);
  return d;
}

void SetXnnCounters(benchmark::State& state, double macs, double bytes, const char* label) {
  state.counters["GMACs"] =
      benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  if (bytes > 0) {
    state.counters["GBs"] =
        benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  }
  state.SetLabel(label);
}

// Times a ready operator: set up on `pool` (XNNPACK tiles the work for the
// pool's thread count at setup), then only xnn_run_operator.
void RunOperator(benchmark::State& state, xnn_operator_t op, pthreadpool_t pool, int8_t* output) {
  for (auto _ : state) {
    if (xnn_run_operator(op, pool) != xnn_status_success) {
      state.SkipWithError("xnn_run_operator failed");
      break;
    }
    benchmark::DoNotOptimize(output);
    benchmark::ClobberMemory();
  }
}

// Dense or depthwise (groups == channels) convolution, NHWC, batch 1.
void BM_XnnConv(benchmark::State& state, int hw, int in_c, int out_c, int k, int stride,
                int groups, int threads) {
  if (!XnnReady()) {
    state.SkipWithError("xnn_initialize failed");
    return;
  }
  const int pad = k / 2;
  const int out_hw = (hw + 2 * pad - k) / stride + 1;
  const size_t gic = static_cast<size_t>(in_c / groups), goc = static_cast<size_t>(out_c / groups);
  const size_t taps = static_cast<size_t>(k) * k;
  XnnData d = MakeXnnData(static_cast<size_t>(hw) * hw * in_c,
                          static_cast<size_t>(out_c) * taps * gic,
                          static_cast<size_t>(out_hw) * out_hw * out_c, static_cast<size_t>(out_c),
                          taps * gic);
  // Weights [groups][goc][k][k][gic]: XNNPACK's default layout (= qrun's OHWI).
  xnn_operator_t op = nullptr;
  const uint32_t p = static_cast<uint32_t>(pad), kk = static_cast<uint32_t>(k);
  const uint32_t s = static_cast<uint32_t>(stride);
  if (xnn_create_convolution2d_nhwc_qc8(p, p, p, p, kk, kk, s, s, 1, 1,
                                        static_cast<uint32_t>(groups), gic, goc,
                                        static_cast<size_t>(in_c), static_cast<size_t>(out_c),
                                        kConvInputZp, kInputScale, d.kernel_scale.data(),
                                        d.weights.data(), d.bias.data(), 0, 1.0f, -128, 127, 0,
                                        &op) != xnn_status_success) {
    state.SkipWithError("xnn_create_convolution2d_nhwc_qc8 failed");
    return;
  }
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
  if (xnn_setup_convolution2d_nhwc_qc8(op, 1, static_cast<size_t>(hw), static_cast<size_t>(hw),
                                       d.input.data(), d.output.data(), pool) != xnn_status_success) {
    state.SkipWithError("xnn_setup_convolution2d_nhwc_qc8 failed");
  } else {
    RunOperator(state, op, pool, d.output.data());
  }
  if (pool) pthreadpool_destroy(pool);
  xnn_delete_operator(op);
  const double macs = static_cast<double>(d.output.size()) * static_cast<double>(taps * gic);
  const bool depthwise = groups == in_c && gic == 1;
  const double bytes =
      static_cast<double>(d.input_elements + d.weights.size() + d.output.size());
  SetXnnCounters(state, macs, depthwise ? bytes : 0,
                 depthwise ? "xnnpack convolution2d_nhwc_qc8 (depthwise)"
                           : "xnnpack convolution2d_nhwc_qc8");
}

void BM_XnnFc(benchmark::State& state, FcShape sh, int threads) {
  if (!XnnReady()) {
    state.SkipWithError("xnn_initialize failed");
    return;
  }
  XnnData d = MakeXnnData(static_cast<size_t>(sh.batch) * sh.in,
                          static_cast<size_t>(sh.in) * sh.out,
                          static_cast<size_t>(sh.batch) * sh.out, static_cast<size_t>(sh.out),
                          static_cast<size_t>(sh.in));
  // Weights [out][in]; one scale for the whole tensor.
  xnn_operator_t op = nullptr;
  if (xnn_create_fully_connected_nc_qs8(static_cast<size_t>(sh.in), static_cast<size_t>(sh.out),
                                        static_cast<size_t>(sh.in), static_cast<size_t>(sh.out),
                                        kFcInputZp, kInputScale, d.kernel_scale[0],
                                        d.weights.data(), d.bias.data(), 0, 1.0f, -128, 127, 0,
                                        &op) != xnn_status_success) {
    state.SkipWithError("xnn_create_fully_connected_nc_qs8 failed");
    return;
  }
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
  if (xnn_setup_fully_connected_nc_qs8(op, static_cast<size_t>(sh.batch), d.input.data(),
                                       d.output.data(), pool) != xnn_status_success) {
    state.SkipWithError("xnn_setup_fully_connected_nc_qs8 failed");
  } else {
    RunOperator(state, op, pool, d.output.data());
  }
  if (pool) pthreadpool_destroy(pool);
  xnn_delete_operator(op);
  SetXnnCounters(state, static_cast<double>(sh.batch) * sh.in * sh.out,
                 static_cast<double>(d.weights.size()), "xnnpack fully_connected_nc_qs8");
}

// Registered before main() (kernel_bench.cc owns main).
struct RegisterXnnBenchmarks {
  static void Add(benchmark::internal::Benchmark* b, int threads) {
    b->Unit(benchmark::kMicrosecond);
    if (threads > 1) b->UseRealTime();
  }
  RegisterXnnBenchmarks() {
    for (int threads : {1, 2}) {
      const std::string suffix = "/threads:" + std::to_string(threads);
      for (const ConvShape& s : kShapes) {
        Add(benchmark::RegisterBenchmark((std::string("xnn/") + s.name + suffix).c_str(),
                                         BM_XnnConv, s.hw, s.in_c, s.out_c, s.k, s.stride,
                                         s.groups, threads),
            threads);
      }
      for (const DwShape& s : kDwShapes) {
        Add(benchmark::RegisterBenchmark((std::string("xnn/dwconv/") + s.name + suffix).c_str(),
                                         BM_XnnConv, s.hw, s.c, s.c, s.k, s.stride, s.c, threads),
            threads);
      }
      for (const FcShape& s : kFcShapes) {
        Add(benchmark::RegisterBenchmark((std::string("xnn/") + s.name + suffix).c_str(),
                                         BM_XnnFc, s, threads),
            threads);
      }
    }
  }
} g_register_xnn_benchmarks;

}  // namespace

#endif  // QRUN_WITH_XNNPACK

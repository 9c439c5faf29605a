// Kernel benchmarks over layer shapes of MobileNetV2 and ResNet-18 (224x224
// input), for every ISA level this CPU runs, plus the machine's int8 peak.
//
// Run: build-x86/bench/qrun_kernel_bench --benchmark_min_time=0.2
//      (--benchmark_filter=avx512vnni, --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true for medians)
// Rates of 1-thread runs are per CPU second (the machine is shared: CPU time
// is the time the kernel actually had a core; the peak loop is measured the
// same way), 2-thread runs per wall-clock second.
// Counters: GMACs (per second), pct_peak (share of the measured one-core
// peak of the best MAC instruction: vpdpbusd zmm if present, else AVX2),
// GBs for depthwise (input + weights + output bytes per second).
#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include <algorithm>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/peak.h"
#include "bench/shapes.h"
#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/qs8_conv.h"
#include "kernels/dispatch/qs8_dwconv.h"
#include "kernels/reference/conv2d.h"
#include "kernels/reference/fully_connected.h"

namespace {

using qrun::kernels::Conv2DGeometry;
using qrun::kernels::Isa;

using qrun_bench::ConvShape;
using qrun_bench::FcShape;
using qrun_bench::kFcShapes;
using qrun_bench::kShapes;

double g_peak_gmacs = 0;  // measured at start-up, one core

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

struct LayerData {
  std::vector<int8_t> input, weights, output;
  std::vector<int32_t> bias;
  std::vector<float> scale;
};

LayerData MakeData(size_t in, size_t w, size_t out, int channels) {
  LayerData d;
  d.input.resize(in);
  for (size_t i = 0; i < in; ++i) d.input[i] = static_cast<int8_t>((i * 37 + 11) % 251 - 125);
  d.weights.resize(w);
  for (size_t i = 0; i < w; ++i) d.weights[i] = static_cast<int8_t>((i * 53 + 7) % 241 - 120);
  d.output.resize(out);
  d.bias.assign(static_cast<size_t>(channels), 1234);
  d.scale.assign(static_cast<size_t>(channels), 0.0007f);
  return d;
}

void SetCounters(benchmark::State& state, double macs, double bytes, const std::string& label) {
  state.counters["GMACs"] =
      benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  if (g_peak_gmacs > 0) {
    state.counters["pct_peak"] = benchmark::Counter(macs * 1e-9 / g_peak_gmacs * 100.0,
                                                    benchmark::Counter::kIsIterationInvariantRate);
  }
  if (bytes > 0) {
    state.counters["GBs"] =
        benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  }
  state.SetLabel(label);
}

void BM_Conv(benchmark::State& state, ConvShape s, Isa isa, int threads) {
  const Conv2DGeometry g = MakeGeometry(s);
  const int kc = g.in_c / g.groups;
  LayerData d = MakeData(static_cast<size_t>(g.in_h) * g.in_w * g.in_c,
                         static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w * kc,
                         static_cast<size_t>(g.out_h) * g.out_w * g.out_c, g.out_c);
  qrun::kernels::QuantizedOutput q;
  const double macs = static_cast<double>(d.output.size()) * g.kernel_h * g.kernel_w * kc;
  const double bytes = static_cast<double>(d.input.size() + d.weights.size() + d.output.size());
  std::string label = "reference";
  if (isa == Isa::kReference) {
    for (auto _ : state) {
      qrun::kernels::ref::conv2d_s8(g, d.input.data(), -5, d.weights.data(), d.bias.data(),
                                    d.scale.data(), q, d.output.data());
      benchmark::DoNotOptimize(d.output.data());
    }
  } else if (s.groups == s.in_c) {
    qrun::kernels::Qs8DwConv dw;
    if (!dw.Init(isa, g, -5, d.weights.data(), d.bias.data(), d.scale.data(), q)) {
      state.SkipWithError("no optimized depthwise kernel");
      return;
    }
    label = dw.name();
    pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
    for (auto _ : state) {
      dw.Run(d.input.data(), d.output.data(), pool);
      benchmark::DoNotOptimize(d.output.data());
    }
    if (pool) pthreadpool_destroy(pool);
  } else {
    qrun::kernels::Qs8Conv conv;
    if (!conv.Init(isa, qrun::kernels::Qs8Conv::Kind::kConv2D, g, -5, d.weights.data(),
                   d.bias.data(), d.scale.data(), q)) {
      state.SkipWithError("no optimized kernel for this shape");
      return;
    }
    label = conv.name();
    std::vector<uint8_t> scratch(conv.scratch_bytes());
    pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
    for (auto _ : state) {
      conv.Run(d.input.data(), d.output.data(), scratch.data(), pool);
      benchmark::DoNotOptimize(d.output.data());
    }
    if (pool) pthreadpool_destroy(pool);
  }
  SetCounters(state, macs, s.groups == s.in_c ? bytes : 0, label);
}

void BM_Fc(benchmark::State& state, FcShape s, Isa isa, int threads) {
  LayerData d = MakeData(static_cast<size_t>(s.batch) * s.in, static_cast<size_t>(s.in) * s.out,
                         static_cast<size_t>(s.batch) * s.out, s.out);
  qrun::kernels::QuantizedOutput q;
  const double macs = static_cast<double>(s.batch) * s.in * s.out;
  std::string label = "reference";
  if (isa == Isa::kReference) {
    qrun::kernels::ref::FullyConnectedGeometry fg{s.batch, s.in, s.out};
    for (auto _ : state) {
      qrun::kernels::ref::fully_connected_s8(fg, d.input.data(), 3, d.weights.data(),
                                             d.bias.data(), d.scale.data(), q, d.output.data());
      benchmark::DoNotOptimize(d.output.data());
    }
  } else {
    Conv2DGeometry g;
    g.in_h = g.out_h = 1;
    g.in_w = g.out_w = s.batch;
    g.in_c = s.in;
    g.out_c = s.out;
    qrun::kernels::Qs8Conv fc;
    if (!fc.Init(isa, qrun::kernels::Qs8Conv::Kind::kFullyConnected, g, 3, d.weights.data(),
                 d.bias.data(), d.scale.data(), q)) {
      state.SkipWithError("no optimized kernel");
      return;
    }
    label = fc.name();
    std::vector<uint8_t> scratch(fc.scratch_bytes());
    pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
    for (auto _ : state) {
      fc.Run(d.input.data(), d.output.data(), scratch.data(), pool);
      benchmark::DoNotOptimize(d.output.data());
    }
    if (pool) pthreadpool_destroy(pool);
  }
  SetCounters(state, macs, static_cast<double>(d.weights.size()), label);
}

// Peak of the best MAC instruction, one core.
void BM_Peak(benchmark::State& state, Isa isa) {
  const int64_t iters = 1 << 16;
  int64_t sink = 0;
  for (auto _ : state) {
    sink += isa == Isa::kAvx512Vnni ? qrun::bench::PeakLoopAvx512Vnni(iters)
                                    : qrun::bench::PeakLoopAvx2(iters);
  }
  benchmark::DoNotOptimize(sink);
  const double per_iter =
      isa == Isa::kAvx512Vnni ? qrun::bench::kPeakMacsPerIterAvx512Vnni : qrun::bench::kPeakMacsPerIterAvx2;
  SetCounters(state, per_iter * static_cast<double>(iters), 0,
              isa == Isa::kAvx512Vnni ? "vpdpbusd zmm x12" : "vpmaddubsw+vpmaddwd ymm x6");
}

// Median of a few short runs of the best peak loop, GMAC/s.
double MeasurePeak(Isa isa) {
  std::vector<double> rates;
  const int64_t iters = 1 << 20;
  for (int r = 0; r < 9; ++r) {
    const std::clock_t t0 = std::clock();  // CPU time of this (single-threaded) process
    const int64_t v = isa == Isa::kAvx512Vnni ? qrun::bench::PeakLoopAvx512Vnni(iters)
                                              : qrun::bench::PeakLoopAvx2(iters);
    benchmark::DoNotOptimize(v);
    const double s = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
    const double per_iter = isa == Isa::kAvx512Vnni ? qrun::bench::kPeakMacsPerIterAvx512Vnni
                                                    : qrun::bench::kPeakMacsPerIterAvx2;
    rates.push_back(per_iter * static_cast<double>(iters) / s * 1e-9);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Isa> levels = {Isa::kReference};
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512Vnni})
    if (qrun::kernels::IsaSupported(isa)) levels.push_back(isa);
  const Isa best = levels.back();
  if (best != Isa::kReference) {
    g_peak_gmacs = MeasurePeak(best);
    std::printf("measured one-core int8 peak (%s): %.1f GMAC/s (pct_peak is relative to it)\n",
                qrun::kernels::IsaName(best), g_peak_gmacs);
  }
  for (Isa isa : levels) {
    if (isa == Isa::kReference) continue;
    benchmark::RegisterBenchmark((std::string("peak/") + qrun::kernels::IsaName(isa)).c_str(),
                                 BM_Peak, isa);
  }
  for (const ConvShape& s : kShapes) {
    for (Isa isa : levels) {
      if (isa == Isa::kReference && !s.reference) continue;
      for (int threads : {1, 2}) {
        if (isa == Isa::kReference && threads > 1) continue;
        const std::string name = std::string("conv/") + qrun::kernels::IsaName(isa) + "/" +
                                 s.name + "/threads:" + std::to_string(threads);
        auto* b = benchmark::RegisterBenchmark(name.c_str(), BM_Conv, s, isa, threads)
                      ->Unit(benchmark::kMicrosecond);
        if (threads > 1) b->UseRealTime();
      }
    }
  }
  for (const FcShape& s : kFcShapes) {
    for (Isa isa : levels) {
      for (int threads : {1, 2}) {
        if (isa == Isa::kReference && threads > 1) continue;
        const std::string name = std::string("fc/") + qrun::kernels::IsaName(isa) + "/" + s.name +
                                 "/threads:" + std::to_string(threads);
        auto* b = benchmark::RegisterBenchmark(name.c_str(), BM_Fc, s, isa, threads)
                      ->Unit(benchmark::kMicrosecond);
        if (threads > 1) b->UseRealTime();
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

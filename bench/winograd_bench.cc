// Winograd F(2x2, 3x3) against the direct igemm on the same 3x3 stride-1
// layers (ResNet-18 and the MobileNetV2 shapes of bench/shapes.h), side by
// side in one run: winograd/<shape>/{direct,winograd}-<isa>/threads:N.
// GMACs counts the direct convolution's MACs for both, so the rates compare
// as times do.
#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include <string>
#include <vector>

#include "bench/shapes.h"
#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/qs8_conv.h"
#include "kernels/dispatch/qs8_winograd.h"

namespace {

using qrun::kernels::Conv2DGeometry;
using qrun::kernels::Isa;

// Evicts the caches between timed runs (cold=true): in a model, a layer's
// packed weights and scratch are not in cache when it starts.
void Evict(std::vector<uint8_t>& junk) {
  for (size_t i = 0; i < junk.size(); i += 64) junk[i] = static_cast<uint8_t>(junk[i] + 1);
  benchmark::DoNotOptimize(junk.data());
}

void BM_Winograd(benchmark::State& state, qrun_bench::ConvShape s, Isa isa, bool winograd,
                 int threads, bool cold) {
  Conv2DGeometry g;
  g.in_h = g.in_w = g.out_h = g.out_w = s.hw;
  g.in_c = s.in_c;
  g.out_c = s.out_c;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = 1;
  std::vector<int8_t> input(static_cast<size_t>(s.hw) * s.hw * s.in_c);
  std::vector<int8_t> weights(static_cast<size_t>(s.out_c) * 9 * s.in_c);
  std::vector<int8_t> output(static_cast<size_t>(s.hw) * s.hw * s.out_c);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<int8_t>((i * 37 + 11) % 251 - 125);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<int8_t>((i * 53 + 7) % 241 - 120);
  const std::vector<int32_t> bias(static_cast<size_t>(s.out_c), 1234);
  const std::vector<float> scale(static_cast<size_t>(s.out_c), 0.0007f);
  qrun::kernels::QuantizedOutput q;
  qrun::kernels::Qs8Conv direct;
  qrun::kernels::Qs8WinogradConv wino;
  const bool ok =
      winograd ? wino.Init(isa, g, -5, weights.data(), bias.data(), scale.data(), q, threads)
               : direct.Init(isa, qrun::kernels::Qs8Conv::Kind::kConv2D, g, -5, weights.data(),
                             bias.data(), scale.data(), q);
  if (!ok) {
    state.SkipWithError("kernel not applicable");
    return;
  }
  std::vector<uint8_t> scratch(winograd ? wino.scratch_bytes() : direct.scratch_bytes());
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
  std::vector<uint8_t> junk(cold ? 64u << 20 : 0);
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      Evict(junk);
      state.ResumeTiming();
    }
    if (winograd) wino.Run(input.data(), output.data(), scratch.data(), pool);
    else direct.Run(input.data(), output.data(), scratch.data(), pool);
    benchmark::DoNotOptimize(output.data());
  }
  if (pool) pthreadpool_destroy(pool);
  const double macs = static_cast<double>(output.size()) * 9 * s.in_c;
  state.counters["GMACs"] =
      benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(winograd ? wino.name() : direct.name());
}

// Registered before main() (kernel_bench.cc owns main).
struct RegisterWinogradBenchmarks {
  RegisterWinogradBenchmarks() {
    for (const qrun_bench::ConvShape& s : qrun_bench::kShapes) {
      if (s.k != 3 || s.stride != 1 || s.groups != 1) continue;
      for (Isa isa : {Isa::kAvx2, Isa::kAvxVnni}) {
        if (!qrun::kernels::IsaSupported(isa)) continue;
        for (int threads : {1, 2}) {
          for (bool cold : {false, true}) {
            for (bool winograd : {false, true}) {
              const std::string name = std::string("winograd/") + s.name + "/" +
                                       (winograd ? "winograd-" : "direct-") +
                                       qrun::kernels::IsaName(isa) + (cold ? "-cold" : "") +
                                       "/threads:" + std::to_string(threads);
              auto* b = benchmark::RegisterBenchmark(name.c_str(), BM_Winograd, s, isa,
                                                     winograd, threads, cold)
                            ->Unit(benchmark::kMicrosecond);
              if (threads > 1) b->UseRealTime();
            }
          }
        }
      }
    }
  }
} g_register_winograd;

}  // namespace

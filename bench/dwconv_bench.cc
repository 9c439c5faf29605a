// Depthwise int8 convolution benchmarks: the depthwise layers of MobileNetV2
// (3x3) and MobileNetV3-small (3x3 and 5x5) at 224x224, for every ISA level
// this CPU runs, 1 and 2 threads, next to the depthwise kernel qrun had before
// the specialised ones ("legacy": per pixel and 8 channels, int32 vpmulld,
// branches on padding taps; kept here only as the baseline).
//
// Run: build/bench/qrun_kernel_bench --benchmark_filter='^dwconv/' --benchmark_min_time=0.2
// Counters: GMACs (per second) and GBs: bytes the layer must move (input +
// weights + output) per second, to compare with the memory bandwidth (the
// issue quotes ~112 GB/s for L2 on this machine). Like kernel_bench.cc,
// 1-thread rates are per CPU second, 2-thread rates per wall-clock second.
#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/qs8_dwconv.h"
#include "kernels/geometry.h"
#include "bench/shapes.h"
#include "kernels/reference/conv2d.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define QRUN_DW_BENCH_LEGACY 1
#endif

namespace {

using qrun::kernels::Conv2DGeometry;
using qrun::kernels::Isa;

using qrun_bench::DwShape;
using qrun_bench::kDwShapes;

Conv2DGeometry MakeDwGeometry(const DwShape& s) {
  Conv2DGeometry g;
  g.in_h = g.in_w = s.hw;
  g.in_c = g.out_c = g.groups = s.c;
  g.kernel_h = g.kernel_w = s.k;
  g.stride_h = g.stride_w = s.stride;
  g.pad_top = g.pad_left = s.k / 2;
  g.out_h = g.out_w = (s.hw + 2 * (s.k / 2) - s.k) / s.stride + 1;
  return g;
}

struct DwData {
  std::vector<int8_t> input, weights, output;
  std::vector<int32_t> bias;
  std::vector<float> scale;
};

DwData MakeDwData(const Conv2DGeometry& g) {
  DwData d;
  d.input.resize(static_cast<size_t>(g.in_h) * g.in_w * g.in_c);
  for (size_t i = 0; i < d.input.size(); ++i)
    d.input[i] = static_cast<int8_t>((i * 37 + 11) % 251 - 125);
  d.weights.resize(static_cast<size_t>(g.out_c) * g.kernel_h * g.kernel_w);
  for (size_t i = 0; i < d.weights.size(); ++i)
    d.weights[i] = static_cast<int8_t>((i * 53 + 7) % 241 - 120);
  d.output.resize(static_cast<size_t>(g.out_h) * g.out_w * g.out_c);
  d.bias.assign(static_cast<size_t>(g.out_c), 1234);
  d.scale.assign(static_cast<size_t>(g.out_c), 0.0007f);
  return d;
}

#if QRUN_DW_BENCH_LEGACY
// The pre-specialisation AVX2 kernel (per output pixel, 8 channels widened to
// int32, vpmulld, out-of-image taps skipped with branches), single-threaded.
struct Legacy {
  std::vector<int32_t> w, bias;
  std::vector<float> scale;
  size_t c_pad = 0;
};

Legacy PackLegacy(const Conv2DGeometry& g, const DwData& d) {
  Legacy l;
  const size_t c = static_cast<size_t>(g.in_c), taps = static_cast<size_t>(g.kernel_h) * g.kernel_w;
  l.c_pad = (c + 7) / 8 * 8;
  l.w.assign(taps * l.c_pad, 0);
  l.bias.assign(l.c_pad, 0);
  l.scale.assign(l.c_pad, 0.0f);
  for (size_t ch = 0; ch < c; ++ch) {
    for (size_t t = 0; t < taps; ++t) l.w[t * l.c_pad + ch] = d.weights[ch * taps + t];
    l.bias[ch] = d.bias[ch];
    l.scale[ch] = d.scale[ch];
  }
  return l;
}

__attribute__((target("avx2"))) void LegacyRun(const Conv2DGeometry& g, const Legacy& l, int32_t zp,
                                               const int8_t* input, int8_t* output) {
  const size_t c_total = static_cast<size_t>(g.in_c);
  const __m256i zp_in = _mm256_set1_epi32(zp);
  const __m256 lo = _mm256_set1_ps(-128.0f), hi = _mm256_set1_ps(127.0f);
  for (int oy = 0; oy < g.out_h; ++oy) {
    for (int ox = 0; ox < g.out_w; ++ox) {
      int8_t* out = output + (static_cast<size_t>(oy) * g.out_w + ox) * c_total;
      for (size_t c0 = 0; c0 < c_total; c0 += 8) {  // shapes here are multiples of 8
        __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(l.bias.data() + c0));
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int kx = 0; kx < g.kernel_w; ++kx) {
            const int ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            int64_t v;
            std::memcpy(&v, input + (static_cast<size_t>(iy) * g.in_w + ix) * c_total + c0, 8);
            const __m256i xv = _mm256_sub_epi32(_mm256_cvtepi8_epi32(_mm_cvtsi64_si128(v)), zp_in);
            const int32_t* w =
                l.w.data() + (static_cast<size_t>(ky) * g.kernel_w + kx) * l.c_pad + c0;
            acc = _mm256_add_epi32(
                acc,
                _mm256_mullo_epi32(xv, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w))));
          }
        }
        __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(l.scale.data() + c0));
        f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
        const __m256i q = _mm256_cvtps_epi32(f);
        const __m256i q8 = _mm256_packs_epi16(_mm256_packs_epi32(q, q), _mm256_packs_epi32(q, q));
        _mm_storel_epi64(
            reinterpret_cast<__m128i*>(out + c0),
            _mm_unpacklo_epi32(_mm256_castsi256_si128(q8), _mm256_extracti128_si256(q8, 1)));
      }
    }
  }
}
#endif

void SetDwCounters(benchmark::State& state, const Conv2DGeometry& g, const DwData& d,
                   const std::string& label) {
  const double macs = static_cast<double>(d.output.size()) * g.kernel_h * g.kernel_w;
  const double bytes = static_cast<double>(d.input.size() + d.weights.size() + d.output.size());
  state.counters["GMACs"] =
      benchmark::Counter(macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GBs"] =
      benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(label);
}

// isa kReference with legacy == true: the legacy AVX2 kernel.
void BM_DwConv(benchmark::State& state, DwShape s, Isa isa, bool legacy, int threads) {
  const Conv2DGeometry g = MakeDwGeometry(s);
  DwData d = MakeDwData(g);
  std::string label = "reference";
  if (legacy) {
#if QRUN_DW_BENCH_LEGACY
    const Legacy l = PackLegacy(g, d);
    for (auto _ : state) {
      LegacyRun(g, l, -5, d.input.data(), d.output.data());
      benchmark::DoNotOptimize(d.output.data());
    }
    label = "legacy qs8-dwconv/8c-avx2";
#endif
  } else if (isa == Isa::kReference) {
    const qrun::kernels::QuantizedOutput q;
    for (auto _ : state) {
      qrun::kernels::ref::conv2d_s8(g, d.input.data(), -5, d.weights.data(), d.bias.data(),
                                    d.scale.data(), q, d.output.data());
      benchmark::DoNotOptimize(d.output.data());
    }
  } else {
    qrun::kernels::Qs8DwConv dw;
    if (!dw.Init(isa, g, -5, d.weights.data(), d.bias.data(), d.scale.data(), {})) {
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
  }
  SetDwCounters(state, g, d, label);
}

// Registered before main() (kernel_bench.cc owns main and the peak).
struct RegisterDwBenchmarks {
  RegisterDwBenchmarks() {
    std::vector<Isa> levels;
    for (Isa isa : {Isa::kAvx2, Isa::kAvx512Vnni})
      if (qrun::kernels::IsaSupported(isa)) levels.push_back(isa);
    for (const DwShape& s : kDwShapes) {
      const std::string base = std::string("dwconv/") + s.name;
#if QRUN_DW_BENCH_LEGACY
      if (qrun::kernels::IsaSupported(Isa::kAvx2)) {
        benchmark::RegisterBenchmark((base + "/legacy-avx2/threads:1").c_str(), BM_DwConv, s,
                                     Isa::kReference, true, 1)
            ->Unit(benchmark::kMicrosecond);
      }
#endif
      for (Isa isa : levels) {
        for (int threads : {1, 2}) {
          auto* b = benchmark::RegisterBenchmark((base + "/" + qrun::kernels::IsaName(isa) +
                                                  "/threads:" + std::to_string(threads))
                                                     .c_str(),
                                                 BM_DwConv, s, isa, false, threads)
                        ->Unit(benchmark::kMicrosecond);
          if (threads > 1) b->UseRealTime();
        }
      }
    }
  }
} g_register_dw_benchmarks;

}  // namespace

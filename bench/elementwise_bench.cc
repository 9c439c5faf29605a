// Non-GEMM int8 op benchmarks at the shapes of MobileNetV2, MobileNetV3-small
// and ResNet-18 (224x224): Add, Mul (squeeze-excite, per-channel operand),
// the activation table lookup, Quantize / Dequantize, the NCHW -> NHWC input
// transpose, max / global-average pooling. Reference kernel vs the optimized
// kernel of each level this CPU runs, 1 and 2 threads.
//
// Run: build/bench/qrun_kernel_bench --benchmark_filter='^ew/' --benchmark_min_time=0.2
// Counter GBs: bytes read + written per second (1 thread: per CPU second,
// 2 threads: per wall-clock second, like kernel_bench.cc).
#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kernels/dispatch/elementwise.h"
#include "kernels/dispatch/isa.h"
#include "kernels/dispatch/pooling.h"
#include "kernels/reference/binary.h"
#include "kernels/reference/pooling.h"
#include "kernels/reference/quantize.h"
#include "kernels/reference/transpose.h"
#include "kernels/reference/unary.h"

namespace {

using qrun::kernels::Isa;
namespace k = qrun::kernels;

std::vector<int8_t> Pattern(size_t n, int seed) {
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int8_t>((i * 37 + static_cast<size_t>(seed)) % 251 - 125);
  return v;
}

// One benchmark case: prepares buffers and a kernel for (isa), returns the
// call to time and the bytes it moves.
struct Case {
  std::string name;
  std::function<std::function<void(pthreadpool_t)>(Isa, double* bytes)> make;
};

void Run(benchmark::State& state, const Case& c, Isa isa, int threads) {
  double bytes = 0;
  const auto fn = c.make(isa, &bytes);
  if (!fn) {
    state.SkipWithError("no optimized kernel");
    return;
  }
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(static_cast<size_t>(threads)) : nullptr;
  for (auto _ : state) fn(pool);
  if (pool) pthreadpool_destroy(pool);
  state.counters["GBs"] = benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

Case BinaryCase(const char* name, bool mul, std::vector<int64_t> a_shape, std::vector<int64_t> b_shape) {
  return {name, [=](Isa isa, double* bytes) -> std::function<void(pthreadpool_t)> {
    k::BroadcastGeometry g;
    k::ref::make_broadcast_geometry(a_shape.data(), static_cast<int>(a_shape.size()), b_shape.data(),
                                    static_cast<int>(b_shape.size()), &g);
    size_t na = 1, nb = 1, ny = 1;
    for (int64_t d : a_shape) na *= static_cast<size_t>(d);
    for (int64_t d : b_shape) nb *= static_cast<size_t>(d);
    for (int d = 0; d < g.rank; ++d) ny *= static_cast<size_t>(g.out_dims[d]);
    *bytes = static_cast<double>(na + nb + ny);
    auto a = std::make_shared<std::vector<int8_t>>(Pattern(na, 1));
    auto b = std::make_shared<std::vector<int8_t>>(Pattern(nb, 2));
    auto y = std::make_shared<std::vector<int8_t>>(ny);
    const k::QuantizedOutput out{3, -128, 127};
    if (isa == Isa::kReference) {
      return [=](pthreadpool_t) {
        if (mul) k::ref::mul_s8(g, a->data(), 5, b->data(), -7, 0.013f, out, y->data());
        else k::ref::add_s8(g, a->data(), 5, 0.61f, b->data(), -7, 0.83f, out, y->data());
      };
    }
    auto f = std::make_shared<k::Qs8Binary>();
    const bool ok = mul ? f->InitMul(isa, g, 5, -7, 0.013f, out) : f->InitAdd(isa, g, 5, 0.61f, -7, 0.83f, out);
    if (!ok) return {};
    return [=](pthreadpool_t pool) { f->Run(a->data(), b->data(), y->data(), pool); };
  }};
}

Case LutCase(const char* name, size_t n) {
  return {name, [=](Isa isa, double* bytes) -> std::function<void(pthreadpool_t)> {
    *bytes = 2.0 * static_cast<double>(n);
    auto x = std::make_shared<std::vector<int8_t>>(Pattern(n, 3));
    auto y = std::make_shared<std::vector<int8_t>>(n);
    auto table = std::make_shared<std::vector<int8_t>>(256);
    k::ref::UnaryParams p;
    p.kind = k::ref::UnaryKind::kHardSwish;
    k::ref::build_unary_table_s8(p, 0.05f, -10, 0.04f, -100, -128, 127, table->data());
    if (isa == Isa::kReference) {
      return [=](pthreadpool_t) { k::ref::lookup_s8(n, x->data(), table->data(), y->data()); };
    }
    auto f = std::make_shared<k::Qs8Lut>();
    if (!f->Init(isa, table->data(), n)) return {};
    return [=](pthreadpool_t pool) { f->Run(x->data(), y->data(), pool); };
  }};
}

Case ConvertCase(const char* name, bool quantize, size_t n) {
  return {name, [=](Isa isa, double* bytes) -> std::function<void(pthreadpool_t)> {
    *bytes = 5.0 * static_cast<double>(n);
    auto f32 = std::make_shared<std::vector<float>>(n);
    for (size_t i = 0; i < n; ++i) (*f32)[i] = static_cast<float>(static_cast<int>(i % 97) - 48) * 0.05f;
    auto q = std::make_shared<std::vector<int8_t>>(Pattern(n, 4));
    if (isa == Isa::kReference) {
      return [=](pthreadpool_t) {
        if (quantize) k::ref::quantize_f32_s8(n, f32->data(), 0.0187f, -14, q->data());
        else k::ref::dequantize_s8_f32(n, q->data(), 0.0187f, -14, f32->data());
      };
    }
    auto f = std::make_shared<k::Qs8Convert>();
    if (!(quantize ? f->InitQuantize(isa, 0.0187f, -14, n) : f->InitDequantize(isa, 0.0187f, -14, n))) return {};
    return [=](pthreadpool_t pool) {
      if (quantize) f->Run(f32->data(), q->data(), pool);
      else f->Run(q->data(), f32->data(), pool);
    };
  }};
}

Case TransposeCase(const char* name, std::vector<int64_t> dims, std::vector<int> perm, size_t elem) {
  return {name, [=](Isa isa, double* bytes) -> std::function<void(pthreadpool_t)> {
    k::ref::TransposeGeometry g;
    g.rank = static_cast<int>(dims.size());
    size_t n = 1;
    for (int d = 0; d < g.rank; ++d) {
      g.in_dims[d] = dims[static_cast<size_t>(d)];
      g.perm[d] = perm[static_cast<size_t>(d)];
      n *= static_cast<size_t>(dims[static_cast<size_t>(d)]);
    }
    *bytes = 2.0 * static_cast<double>(n * elem);
    auto x = std::make_shared<std::vector<int8_t>>(Pattern(n * elem, 5));
    auto y = std::make_shared<std::vector<int8_t>>(n * elem);
    if (isa == Isa::kReference) {
      return [=](pthreadpool_t) { k::ref::transpose(g, elem, x->data(), y->data()); };
    }
    auto f = std::make_shared<k::X8Transpose>();
    if (!f->Init(isa, g, elem)) return {};
    return [=](pthreadpool_t pool) { f->Run(x->data(), y->data(), pool); };
  }};
}

Case MaxPoolCase(const char* name, int hw, int c, int kernel, int stride, int pad) {
  return {name, [=](Isa isa, double* bytes) -> std::function<void(pthreadpool_t)> {
    k::Pool2DGeometry g;
    g.in_h = g.in_w = hw;
    g.channels = c;
    g.kernel_h = g.kernel_w = kernel;
    g.stride_h = g.stride_w = stride;
    g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = pad;
    g.out_h = g.out_w = (hw + 2 * pad - kernel) / stride + 1;
    const size_t in_n = static_cast<size_t>(hw) * hw * c, out_n = static_cast<size_t>(g.out_h) * g.out_w * c;
    *bytes = static_cast<double>(in_n + out_n);
    auto x = std::make_shared<std::vector<int8_t>>(Pattern(in_n, 6));
    auto y = std::make_shared<std::vector<int8_t>>(out_n);
    const k::QuantizedOutput out{-5, -5, 127};
    if (isa == Isa::kReference) {
      return [=](pthreadpool_t) { k::ref::max_pool_s8(g, x->data(), out, y->data()); };
    }
    auto f = std::make_shared<k::Qs8Pool2D>();
    if (!f->InitMax(isa, g, out)) return {};
    return [=](pthreadpool_t pool) { f->Run(x->data(), y->data(), pool); };
  }};
}

Case GlobalPoolCase(const char* name, int hw, int c) {
  return {name, [=](Isa isa, double* bytes) -> std::function<void(pthreadpool_t)> {
    const size_t in_n = static_cast<size_t>(hw) * c;
    *bytes = static_cast<double>(in_n + static_cast<size_t>(c));
    auto x = std::make_shared<std::vector<int8_t>>(Pattern(in_n, 7));
    auto y = std::make_shared<std::vector<int8_t>>(static_cast<size_t>(c));
    const k::QuantizedOutput out{-20, -128, 127};
    if (isa == Isa::kReference) {
      return [=](pthreadpool_t) { k::ref::global_average_pool_s8(1, hw, c, x->data(), -3, 0.7f, out, y->data()); };
    }
    auto f = std::make_shared<k::Qs8GlobalAveragePool>();
    if (!f->Init(isa, 1, hw, c, -3, 0.7f, out)) return {};
    return [=](pthreadpool_t pool) { f->Run(x->data(), y->data(), pool); };
  }};
}

std::vector<Case> Cases() {
  return {
      BinaryCase("add/mbv2-56x56x24", false, {1, 56, 56, 24}, {1, 56, 56, 24}),
      BinaryCase("add/r18-56x56x64", false, {1, 56, 56, 64}, {1, 56, 56, 64}),
      BinaryCase("add/mbv2-14x14x64", false, {1, 14, 14, 64}, {1, 14, 14, 64}),
      BinaryCase("mul/se-mbv3-56x56x16", true, {1, 56, 56, 16}, {1, 1, 1, 16}),
      BinaryCase("mul/se-mbv3-14x14x240", true, {1, 14, 14, 240}, {1, 1, 1, 240}),
      LutCase("lut/hswish-112x112x16", 112 * 112 * 16),
      LutCase("lut/hswish-14x14x240", 14 * 14 * 240),
      ConvertCase("quantize/input-3x224x224", true, 3 * 224 * 224),
      ConvertCase("dequantize/logits-1000", false, 1000),
      TransposeCase("transpose/nchw-nhwc-1x3x224x224", {1, 3, 224, 224}, {0, 2, 3, 1}, 1),
      TransposeCase("transpose/nchw-nhwc-f32-1x3x224x224", {1, 3, 224, 224}, {0, 2, 3, 1}, 4),
      MaxPoolCase("maxpool/r18-112x112x64-3x3s2", 112, 64, 3, 2, 1),
      GlobalPoolCase("gavgpool/mbv3-7x7x576", 49, 576),
      GlobalPoolCase("gavgpool/r18-7x7x512", 49, 512),
  };
}

// Registered before main() (kernel_bench.cc owns main).
struct RegisterElementwiseBenchmarks {
  RegisterElementwiseBenchmarks() {
    static const std::vector<Case> cases = Cases();
    std::vector<Isa> levels = {Isa::kReference};
    for (Isa isa : {Isa::kAvx2, Isa::kAvx512Vnni})
      if (k::IsaSupported(isa)) levels.push_back(isa);
    for (const Case& c : cases) {
      for (Isa isa : levels) {
        for (int threads : {1, 2}) {
          if (isa == Isa::kReference && threads > 1) continue;
          const std::string name = "ew/" + c.name + "/" + k::IsaName(isa) + "/threads:" + std::to_string(threads);
          auto* b = benchmark::RegisterBenchmark(name.c_str(), Run, c, isa, threads)->Unit(benchmark::kMicrosecond);
          if (threads > 1) b->UseRealTime();
        }
      }
    }
  }
} g_register_elementwise;

}  // namespace

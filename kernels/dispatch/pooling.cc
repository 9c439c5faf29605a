#include "kernels/dispatch/pooling.h"

#include "kernels/dispatch/parallel.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/qs8-elementwise.h"
#define QRUN_POOL_ANY 1
#elif defined(__aarch64__) || defined(__arm__)
#include "kernels/arm/qs8-elementwise.h"
#define QRUN_POOL_ANY 1
#endif

namespace qrun::kernels {
namespace {

// Output rows per work item at least; pooling rows are cheap.
constexpr size_t kMinRows = 4;

void RowsTrampoline(void* ctx, size_t start, size_t count) {
  static_cast<Qs8Pool2D*>(ctx)->Task(start, count);
}

#if defined(__x86_64__) || defined(_M_X64)
constexpr Isa kPoolIsa = Isa::kAvx2;
constexpr auto kMaxPool = x86::qs8_maxpool__avx2;
constexpr auto kAvgPool = x86::qs8_avgpool__avx2;
#elif QRUN_POOL_ANY
constexpr Isa kPoolIsa = Isa::kNeon;
constexpr auto kMaxPool = arm::qs8_maxpool__neon;
constexpr auto kAvgPool = arm::qs8_avgpool__neon;
#endif

Qs8OutParams OutParams(const QuantizedOutput& out) {
  return {static_cast<float>(out.qmin - out.zero_point),
          static_cast<float>(out.qmax - out.zero_point), out.zero_point};
}

// [begin, end) of [start, start + size) inside [lo, hi); empty as begin == end.
void Clip(int64_t start, int64_t size, int64_t lo, int64_t hi, int64_t* begin, int64_t* end) {
  *begin = start > lo ? start : lo;
  *end = start + size < hi ? start + size : hi;
  if (*end < *begin) *end = *begin;
}

}  // namespace

#if defined(__x86_64__) || defined(_M_X64)
const char* Qs8Pool2D::name() const { return max_ ? "qs8-maxpool-c32-avx2" : "qs8-avgpool-c32-avx2"; }
const char* Qs8GlobalAveragePool::name() const { return "qs8-gavgpool-c32-avx2"; }
#else
const char* Qs8Pool2D::name() const { return max_ ? "qs8-maxpool-c16-neon" : "qs8-avgpool-c16-neon"; }
const char* Qs8GlobalAveragePool::name() const { return "qs8-gavgpool-c16-neon"; }
#endif

bool Qs8Pool2D::InitMax(Isa isa, const Pool2DGeometry& g, const QuantizedOutput& out) {
#if QRUN_POOL_ANY
  if (!IsaAtLeast(isa, kPoolIsa) || g.channels < 1) return false;
  max_ = true;
  g_ = g;
  out_ = out;
  return true;
#else
  (void)isa; (void)g; (void)out;
  return false;
#endif
}

bool Qs8Pool2D::InitAverage(Isa isa, const Pool2DGeometry& g, bool count_include_pad,
                            int32_t input_zero_point, float scale, const QuantizedOutput& out) {
  if (!InitMax(isa, g, out)) return false;
  max_ = false;
  count_include_pad_ = count_include_pad;
  input_zero_point_ = input_zero_point;
  scale_ = scale;
  out_params_ = OutParams(out);
  return true;
}

void Qs8Pool2D::Task(size_t start, size_t count) {
#if QRUN_POOL_ANY
  const Pool2DGeometry& g = g_;
  const size_t c = static_cast<size_t>(g.channels);
  const size_t row_stride = static_cast<size_t>(g.in_w) * c;
  for (size_t t = start; t < start + count; ++t) {
    const int64_t n = static_cast<int64_t>(t) / g.out_h;
    const int64_t oy = static_cast<int64_t>(t) % g.out_h;
    const int64_t y0 = oy * g.stride_h - g.pad_top;
    int64_t r0, r1;
    Clip(y0, g.kernel_h, 0, g.in_h, &r0, &r1);
    int64_t pr0 = 0, pr1 = 0;
    Clip(y0, g.kernel_h, -g.pad_top, int64_t{g.in_h} + g.pad_bottom, &pr0, &pr1);
    const int8_t* image = run_in_ + n * g.in_h * static_cast<int64_t>(row_stride);
    int8_t* out = run_out_ + (n * g.out_h + oy) * g.out_w * static_cast<int64_t>(c);
    for (int64_t ox = 0; ox < g.out_w; ++ox, out += c) {
      const int64_t x0 = ox * g.stride_w - g.pad_left;
      int64_t c0, c1;
      Clip(x0, g.kernel_w, 0, g.in_w, &c0, &c1);
      const int8_t* base = image + (r0 * g.in_w + c0) * static_cast<int64_t>(c);
      const size_t rows = static_cast<size_t>(r1 - r0), cols = static_cast<size_t>(c1 - c0);
      if (max_) {
        kMaxPool(c, rows, cols, base, row_stride, out,
                               static_cast<int8_t>(out_.qmin), static_cast<int8_t>(out_.qmax));
        continue;
      }
      int64_t divisor = static_cast<int64_t>(rows) * static_cast<int64_t>(cols);
      if (count_include_pad_) {
        int64_t pc0 = 0, pc1 = 0;
        Clip(x0, g.kernel_w, -g.pad_left, int64_t{g.in_w} + g.pad_right, &pc0, &pc1);
        divisor = (pr1 - pr0) * (pc1 - pc0);
      }
      // The reference's float32 per-window scale; no divisor: 0 * 0 -> rq(0).
      const float s = divisor > 0 ? scale_ / static_cast<float>(divisor) : 0.0f;
      kAvgPool(c, divisor > 0 ? rows : 0, cols, base, row_stride, out,
                             input_zero_point_, s, out_params_);
    }
  }
#else
  (void)start; (void)count;
#endif
}

void Qs8Pool2D::Run(const int8_t* input, int8_t* output, pthreadpool_t pool) {
  run_in_ = input;
  run_out_ = output;
  if (g_.batch <= 0 || g_.out_h <= 0 || g_.out_w <= 0) return;
  ParallelTiles(pool, static_cast<size_t>(g_.batch) * static_cast<size_t>(g_.out_h), kMinRows,
                RowsTrampoline, this);
}

bool Qs8GlobalAveragePool::Init(Isa isa, int batch, int hw, int channels, int32_t input_zero_point,
                                float scale, const QuantizedOutput& out) {
#if QRUN_POOL_ANY
  if (!IsaAtLeast(isa, kPoolIsa) || batch < 0 || hw < 0 || channels < 1) return false;
  batch_ = batch;
  hw_ = hw;
  channels_ = channels;
  input_zero_point_ = input_zero_point;
  window_scale_ = hw > 0 ? scale / static_cast<float>(static_cast<int64_t>(hw)) : 0.0f;
  out_params_ = OutParams(out);
  return true;
#else
  (void)isa; (void)batch; (void)hw; (void)channels; (void)input_zero_point; (void)scale; (void)out;
  return false;
#endif
}

// Small (at most a few hundred KB in the models): one thread.
void Qs8GlobalAveragePool::Run(const int8_t* input, int8_t* output, pthreadpool_t pool) {
  (void)pool;
#if QRUN_POOL_ANY
  const size_t c = static_cast<size_t>(channels_);
  for (int n = 0; n < batch_; ++n) {
    kAvgPool(c, 1, static_cast<size_t>(hw_),
                           input + static_cast<int64_t>(n) * hw_ * static_cast<int64_t>(c), 0,
                           output + static_cast<int64_t>(n) * static_cast<int64_t>(c),
                           input_zero_point_, window_scale_, out_params_);
  }
#else
  (void)input; (void)output;
#endif
}

}  // namespace qrun::kernels

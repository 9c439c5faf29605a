#include "kernels/dispatch/qs8_dwconv.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/qs8-dwconv.h"
#define QRUN_QS8_DW_X86 1
#endif

namespace qrun::kernels {
namespace {
void RowsTrampoline(void* ctx, size_t start, size_t count) {
  static_cast<Qs8DwConv*>(ctx)->RowsTask(start, count);
}
}  // namespace

bool Qs8DwConv::Init(Isa isa, const Conv2DGeometry& g, int32_t input_zero_point,
                     const int8_t* weights, const int32_t* bias, const float* requant_scale,
                     const QuantizedOutput& out) {
#if QRUN_QS8_DW_X86
  if (!IsaAtLeast(isa, Isa::kAvx2)) return false;
  if (g.groups != g.in_c || g.out_c != g.in_c || g.in_c < 1) return false;
  g_ = g;
  const size_t c = static_cast<size_t>(g.in_c);
  const size_t c_pad = (c + 7) / 8 * 8;
  const size_t taps = static_cast<size_t>(g.kernel_h) * static_cast<size_t>(g.kernel_w);
  weights_.assign(taps * c_pad, 0);
  bias_.assign(c_pad, 0);
  scale_.assign(c_pad, 0.0f);
  // OHWI with I = 1: weights[ch][tap].
  for (size_t ch = 0; ch < c; ++ch) {
    for (size_t t = 0; t < taps; ++t) weights_[t * c_pad + ch] = weights[ch * taps + t];
    bias_[ch] = bias ? bias[ch] : 0;
    scale_[ch] = requant_scale[ch];
  }
  input_zero_point_ = input_zero_point;
  out_lo_ = static_cast<float>(out.qmin - out.zero_point);
  out_hi_ = static_cast<float>(out.qmax - out.zero_point);
  out_zp_ = out.zero_point;
  name_ = "qs8-dwconv-" + std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) +
          "/8c-avx2";
  return true;
#else
  (void)isa; (void)g; (void)input_zero_point; (void)weights; (void)bias; (void)requant_scale;
  (void)out;
  return false;
#endif
}

void Qs8DwConv::RowsTask(size_t start, size_t count) {
#if QRUN_QS8_DW_X86
  const x86::Qs8DwParams p{&g_, weights_.data(), bias_.data(), scale_.data(),
                           input_zero_point_, out_lo_, out_hi_, out_zp_};
  x86::qs8_dwconv_8c__avx2(p, run_in_, run_out_, start, start + count);
#else
  (void)start; (void)count;
#endif
}

void Qs8DwConv::Run(const int8_t* input, int8_t* output, pthreadpool_t pool) {
  run_in_ = input;
  run_out_ = output;
  const size_t rows = static_cast<size_t>(g_.batch) * static_cast<size_t>(g_.out_h);
  pthreadpool_parallelize_1d_tile_1d(pool, RowsTrampoline, this, rows, 1, 0);
}

}  // namespace qrun::kernels

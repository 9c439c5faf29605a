#include "runtime/ops/weights.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "runtime/ops/op_util.h"

namespace qrun {

namespace {
constexpr int kMaxWindowParam = 1 << 16;

// The int8 kernels accumulate bias + sum(w * (x - x_zero_point)) in int32;
// an overflow there is UB (and garbage). The weights and bias are constants,
// so bound every output channel's worst case over all possible inputs and
// reject layers that could overflow (e.g. a conv with tens of thousands of
// large taps, or a huge bias). Padding contributes x = zero point, i.e. 0.
// Every partial sum is within the same bound, whatever the summation order.
// max_dx: the largest |x - x_zp| the input can give (255 when the zero point
// is only known at run time).
Status CheckAccumulatorRange(const PrepareContext& ctx, int64_t zp, int64_t max_dx,
                             const TensorInfo& w, const TensorInfo* bias, int channels) {
  if (!w.is_constant() || channels <= 0 || w.elements % channels != 0) return Status::Ok();
  const int64_t taps = w.elements / channels;  // weights are [channels][taps], axis 0
  const auto* wd = reinterpret_cast<const int8_t*>(w.constant);
  const auto* bd = (bias != nullptr && bias->is_constant())
                       ? reinterpret_cast<const int32_t*>(bias->constant)
                       : nullptr;
  constexpr int64_t kLimit = std::numeric_limits<int32_t>::max();
  for (int c = 0; c < channels; ++c) {
    int64_t sum_abs_w = 0;
    const int8_t* row = wd + static_cast<int64_t>(c) * taps;
    for (int64_t i = 0; i < taps; ++i) sum_abs_w += std::abs(static_cast<int32_t>(row[i]));
    int32_t b = 0;
    if (bd != nullptr) std::memcpy(&b, bd + c, sizeof(b));
    const int64_t bound = sum_abs_w * max_dx + std::abs(static_cast<int64_t>(b));
    if (bound > kLimit) {
      return ctx.Unsupported("output channel ", c, " can overflow the int32 accumulator: ", taps,
                             " taps with sum |w| = ", sum_abs_w, ", input zero point ", zp,
                             ", bias ", b, " give a worst case of ", bound, " > 2^31 - 1");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckQuantizedLayer(const PrepareContext& ctx, const TensorInfo& in, const TensorInfo& w,
                           const TensorInfo* bias, const TensorInfo& out, int channels,
                           std::vector<float>* requant_scale) {
  if (!IsPerTensorInt8(in)) {
    return ctx.Unsupported("input '", in.name, "' must be per-tensor int8 (or all tensors float32), is ",
                           dtype_name(in.dtype));
  }
  if (!IsPerTensorInt8(out)) {
    return ctx.Unsupported("output '", out.name, "' must be per-tensor int8, is ", dtype_name(out.dtype));
  }
  QRUN_RETURN_IF_ERROR(ExpectDType(ctx, w, DType::kInt8, "weights"));
  const size_t n = w.quant.scale.size();
  if (n != 1 && (n != static_cast<size_t>(channels) || w.quant.axis != 0)) {
    return ctx.Invalid("weights '", w.name, "' need one scale or one per output channel on axis 0");
  }
  for (int32_t zp : w.quant.zero_point) {
    if (zp != 0) return ctx.Unsupported("weights '", w.name, "' have zero point ", zp, ": only symmetric int8 weights are supported");
  }
  if (bias != nullptr) {
    QRUN_RETURN_IF_ERROR(ExpectDType(ctx, *bias, DType::kInt32, "bias"));
    if (!bias->is_constant()) return ctx.Unsupported("bias '", bias->name, "' must be a constant");
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, *bias, {channels}, "bias"));
  }
  const int64_t zp = in.zero_point();
  QRUN_RETURN_IF_ERROR(
      CheckAccumulatorRange(ctx, zp, std::max<int64_t>(127 - zp, zp + 128), w, bias, channels));
  requant_scale->resize(static_cast<size_t>(channels));
  for (int c = 0; c < channels; ++c) {
    const float sw = w.quant.scale[n == 1 ? 0 : static_cast<size_t>(c)];
    (*requant_scale)[static_cast<size_t>(c)] = in.scale() * sw / out.scale();
  }
  return Status::Ok();
}

Status CheckDynamicLayer(const PrepareContext& ctx, const TensorInfo& in, const TensorInfo& w,
                         const TensorInfo* bias, const TensorInfo& out, int channels,
                         std::vector<float>* weight_scale) {
  QRUN_RETURN_IF_ERROR(ExpectDType(ctx, in, DType::kFloat32, "input"));
  QRUN_RETURN_IF_ERROR(ExpectDType(ctx, w, DType::kInt8, "weights"));
  const size_t n = w.quant.scale.size();
  if (n != 1 && (n != static_cast<size_t>(channels) || w.quant.axis != 0)) {
    return ctx.Invalid("weights '", w.name, "' need one scale or one per output channel on axis 0");
  }
  for (int32_t zp : w.quant.zero_point) {
    if (zp != 0) return ctx.Unsupported("weights '", w.name, "' have zero point ", zp, ": only symmetric int8 weights are supported");
  }
  QRUN_RETURN_IF_ERROR(ExpectDType(ctx, out, DType::kFloat32, "output"));
  if (bias != nullptr) {
    QRUN_RETURN_IF_ERROR(ExpectDType(ctx, *bias, DType::kFloat32, "bias"));
    if (!bias->is_constant()) return ctx.Unsupported("bias '", bias->name, "' must be a constant");
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, *bias, {channels}, "bias"));
  }
  // The input zero point is chosen per run: any |x - zp| up to 255.
  QRUN_RETURN_IF_ERROR(CheckAccumulatorRange(ctx, 0, 255, w, nullptr, channels));
  weight_scale->resize(static_cast<size_t>(channels));
  for (int c = 0; c < channels; ++c) {
    (*weight_scale)[static_cast<size_t>(c)] = w.quant.scale[n == 1 ? 0 : static_cast<size_t>(c)];
  }
  return Status::Ok();
}

Status CheckFloatLayer(const PrepareContext& ctx, const TensorInfo& w, const TensorInfo* bias,
                       const TensorInfo& out, int channels) {
  QRUN_RETURN_IF_ERROR(ExpectDType(ctx, w, DType::kFloat32, "weights"));
  QRUN_RETURN_IF_ERROR(ExpectDType(ctx, out, DType::kFloat32, "output"));
  if (bias != nullptr) {
    QRUN_RETURN_IF_ERROR(ExpectDType(ctx, *bias, DType::kFloat32, "bias"));
    if (!bias->is_constant()) return ctx.Unsupported("bias '", bias->name, "' must be a constant");
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, *bias, {channels}, "bias"));
  }
  return Status::Ok();
}

Status CheckWindow(const PrepareContext& ctx, int stride_h, int stride_w, int dilation_h,
                   int dilation_w, int pad_top, int pad_left, int pad_bottom, int pad_right) {
  for (int v : {stride_h, stride_w, dilation_h, dilation_w}) {
    if (v < 1 || v > kMaxWindowParam) return ctx.Invalid("stride/dilation ", v, " out of range [1, 65536]");
  }
  for (int v : {pad_top, pad_left, pad_bottom, pad_right}) {
    if (v < 0 || v > kMaxWindowParam) return ctx.Invalid("padding ", v, " out of range [0, 65536]");
  }
  return Status::Ok();
}

}  // namespace qrun

#include "runtime/ops/weights.h"

#include "runtime/ops/op_util.h"

namespace qrun {

namespace {
constexpr int kMaxWindowParam = 1 << 16;
}

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
  requant_scale->resize(static_cast<size_t>(channels));
  for (int c = 0; c < channels; ++c) {
    const float sw = w.quant.scale[n == 1 ? 0 : static_cast<size_t>(c)];
    (*requant_scale)[static_cast<size_t>(c)] = in.scale() * sw / out.scale();
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

#include "runtime/ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/requantize.h"

namespace qrun {

bool IsPerTensorInt8(const TensorInfo& t) {
  return t.dtype == DType::kInt8 && t.quant.scale.size() == 1;
}

Status QuantizedActivation(const PrepareContext& ctx, const fb::FusedActivation* act,
                           const TensorInfo& output, kernels::QuantizedOutput* out) {
  out->zero_point = output.zero_point();
  out->qmin = -128;
  out->qmax = 127;
  float lo = 0.0f, hi = 0.0f;
  QRUN_RETURN_IF_ERROR(FloatActivation(ctx, act, &lo, &hi));
  const float s = output.scale();
  if (std::isfinite(lo)) {
    out->qmin = std::max(out->qmin, kernels::quantize_value(lo, s, out->zero_point, -128, 127));
  }
  if (std::isfinite(hi)) {
    out->qmax = std::min(out->qmax, kernels::quantize_value(hi, s, out->zero_point, -128, 127));
  }
  if (out->qmin > out->qmax) {
    return ctx.Invalid("fused activation range [", lo, ", ", hi,
                       "] is empty in the output's quantization");
  }
  return Status::Ok();
}

Status FloatActivation(const PrepareContext& ctx, const fb::FusedActivation* act, float* out_min,
                       float* out_max) {
  const float inf = std::numeric_limits<float>::infinity();
  *out_min = -inf;
  *out_max = inf;
  if (act == nullptr) return Status::Ok();
  switch (act->kind()) {
    case fb::Activation::NONE: return Status::Ok();
    case fb::Activation::RELU: *out_min = 0.0f; return Status::Ok();
    case fb::Activation::RELU6: *out_min = 0.0f; *out_max = 6.0f; return Status::Ok();
    case fb::Activation::CLAMP:
      if (std::isnan(act->clamp_min()) || std::isnan(act->clamp_max()) ||
          act->clamp_min() > act->clamp_max()) {
        return ctx.Invalid("fused clamp [", act->clamp_min(), ", ", act->clamp_max(), "] is invalid");
      }
      *out_min = act->clamp_min();
      *out_max = act->clamp_max();
      return Status::Ok();
  }
  return ctx.Invalid("unknown fused activation ", static_cast<int>(act->kind()));
}

Status ExpectDType(const PrepareContext& ctx, const TensorInfo& t, DType dtype, const char* role) {
  if (t.dtype != dtype) {
    return ctx.Unsupported(role, " '", t.name, "' is ", dtype_name(t.dtype), ", expected ",
                           dtype_name(dtype));
  }
  return Status::Ok();
}

Status ExpectRank(const PrepareContext& ctx, const TensorInfo& t, int rank, const char* role) {
  if (t.rank() != rank) {
    return ctx.Invalid(role, " '", t.name, "' has shape ", t.shape_string(), ", expected rank ", rank);
  }
  return Status::Ok();
}

Status ExpectKernelRank(const PrepareContext& ctx, const TensorInfo& t, const char* role) {
  if (t.rank() > kernels::kMaxRank) {
    return ctx.Unsupported(role, " '", t.name, "' has rank ", t.rank(), ", at most ",
                           kernels::kMaxRank, " is supported");
  }
  return Status::Ok();
}

Status ExpectShape(const PrepareContext& ctx, const TensorInfo& t,
                   const std::vector<int64_t>& dims, const char* role) {
  if (t.dims != dims) {
    TensorInfo want;
    want.dims = dims;
    return ctx.Invalid(role, " '", t.name, "' has shape ", t.shape_string(), ", expected ",
                       want.shape_string());
  }
  return Status::Ok();
}

Status ExpectSameQuantization(const PrepareContext& ctx, const TensorInfo& a,
                              const TensorInfo& b) {
  if (a.quant.scale != b.quant.scale || a.quant.zero_point != b.quant.zero_point) {
    return ctx.Invalid("'", a.name, "' and '", b.name,
                       "' must have the same scale and zero point");
  }
  return Status::Ok();
}

int64_t ConvOutputSize(int64_t in, int64_t pad_begin, int64_t pad_end, int64_t kernel,
                       int64_t stride, int64_t dilation) {
  const int64_t span = dilation * (kernel - 1) + 1;
  const int64_t padded = in + pad_begin + pad_end;
  if (padded < span) return 0;
  return (padded - span) / stride + 1;
}

}  // namespace qrun

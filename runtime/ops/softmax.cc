// SOFTMAX over the last axis, same shape in and out. float32, or per-tensor
// int8 in and out (dequantize, float softmax, quantize; the parameters may
// differ). beta must be finite and > 0: the kernels subtract the row max,
// which keeps every exponent <= 0 only for beta > 0.
#include <cmath>

#include "kernels/reference/softmax.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

class Softmax : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const fb::SoftmaxOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    beta_ = o ? o->beta() : fb::SoftmaxOptionsT().beta;
    if (!std::isfinite(beta_) || !(beta_ > 0.0f)) {
      return ctx.Invalid("beta ", beta_, " must be finite and > 0");
    }
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    if (in.rank() < 1) return ctx.Invalid("input '", in.name, "' must have rank >= 1");
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, in.dims, "output"));
    depth_ = static_cast<size_t>(in.dims.back());
    rows_ = static_cast<size_t>(in.elements) / depth_;

    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    if (in.dtype == DType::kFloat32) {
      float_ = true;
      return ExpectDType(ctx, out, DType::kFloat32, "output");
    }
    if (!IsPerTensorInt8(in) || !IsPerTensorInt8(out)) {
      return ctx.Unsupported("input '", in.name, "' (", dtype_name(in.dtype), ") and output '",
                             out.name, "' (", dtype_name(out.dtype),
                             ") must both be float32 or both per-tensor int8");
    }
    input_scale_ = in.scale();
    input_zero_point_ = in.zero_point();
    output_scale_ = out.scale();
    output_zero_point_ = out.zero_point();
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (float_) {
      kernels::ref::softmax_f32(rows_, depth_, beta_, ctx.data<const float>(input_),
                                ctx.data<float>(output_));
    } else {
      kernels::ref::softmax_s8(rows_, depth_, beta_, ctx.data<const int8_t>(input_), input_scale_,
                               input_zero_point_, output_scale_, output_zero_point_,
                               ctx.data<int8_t>(output_));
    }
  }

  const char* kernel_name() const override { return float_ ? "softmax_f32_ref" : "softmax_s8_ref"; }

 private:
  float beta_ = 1.0f;
  size_t rows_ = 0, depth_ = 0;
  bool float_ = false;
  int input_ = -1, output_ = -1;
  float input_scale_ = 1.0f, output_scale_ = 1.0f;
  int32_t input_zero_point_ = 0, output_zero_point_ = 0;
};

}  // namespace

std::unique_ptr<OpKernel> CreateSoftmax() { return std::make_unique<Softmax>(); }

}  // namespace qrun

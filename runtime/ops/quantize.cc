// QUANTIZE (float32 -> per-tensor int8, ONNX QuantizeLinear rounding) and
// DEQUANTIZE (per-tensor int8 -> float32), same shape in and out. The schema
// gives them no options table, so any table is rejected.
#include "kernels/dispatch/elementwise.h"
#include "kernels/reference/quantize.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

class QuantizeOp : public OpKernel {
 public:
  explicit QuantizeOp(bool quantize) : quantize_(quantize) {}

  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    // GetOptions succeeds with a null table only when no table is present.
    const fb::UnaryOptions* o = nullptr;
    if (!ctx.GetOptions(&o).ok() || o != nullptr) return ctx.Invalid("takes no options table");
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, in.dims, "output"));
    const TensorInfo& q = quantize_ ? out : in;
    QRUN_RETURN_IF_ERROR(
        ExpectDType(ctx, quantize_ ? in : out, DType::kFloat32, quantize_ ? "input" : "output"));
    if (!IsPerTensorInt8(q)) {
      return ctx.Unsupported(quantize_ ? "output '" : "input '", q.name,
                             "' must be per-tensor int8, is ", dtype_name(q.dtype),
                             q.quant.per_channel() ? " per-channel" : "");
    }
    scale_ = q.scale();
    zero_point_ = q.zero_point();
    elements_ = static_cast<size_t>(in.elements);
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference) {
      use_fast_ = quantize_ ? fast_.InitQuantize(ctx.isa(), scale_, zero_point_, elements_)
                            : fast_.InitDequantize(ctx.isa(), scale_, zero_point_, elements_);
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (use_fast_) {
      fast_.Run(ctx.data<const void>(input_), ctx.data<void>(output_), ctx.threadpool());
    } else if (quantize_) {
      kernels::ref::quantize_f32_s8(elements_, ctx.data<const float>(input_), scale_, zero_point_,
                                    ctx.data<int8_t>(output_));
    } else {
      kernels::ref::dequantize_s8_f32(elements_, ctx.data<const int8_t>(input_), scale_,
                                      zero_point_, ctx.data<float>(output_));
    }
  }

  const char* kernel_name() const override {
    if (use_fast_) return fast_.name();
    return quantize_ ? "quantize_f32_s8_ref" : "dequantize_s8_f32_ref";
  }

 private:
  const bool quantize_;
  float scale_ = 1.0f;
  int32_t zero_point_ = 0;
  size_t elements_ = 0;
  int input_ = -1, output_ = -1;
  kernels::Qs8Convert fast_;
  bool use_fast_ = false;
};

}  // namespace

std::unique_ptr<OpKernel> CreateQuantize() { return std::make_unique<QuantizeOp>(true); }
std::unique_ptr<OpKernel> CreateDequantize() { return std::make_unique<QuantizeOp>(false); }

}  // namespace qrun

// GLOBAL_AVERAGE_POOL: input [N,H,W,C] -> output [N,1,1,C] or [N,C], int8 or
// float32. The schema gives it no options table, so any table is rejected
// (there is no fused activation to honour). int8: y = requantize(sum (x -
// zp_in), (s_in / s_out) / (H*W)); input and output quantization may differ.
#include <cstdint>
#include <limits>

#include "kernels/dispatch/pooling.h"
#include "kernels/reference/pooling.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

class GlobalAveragePool : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    // GetOptions succeeds with a null table only when no table is present.
    const fb::Pool2DOptions* o = nullptr;
    if (!ctx.GetOptions(&o).ok() || o != nullptr) return ctx.Invalid("takes no options table");
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    QRUN_RETURN_IF_ERROR(ExpectRank(ctx, in, 4, "input"));
    batch_ = static_cast<int>(in.dims[0]);
    channels_ = static_cast<int>(in.dims[3]);
    const int64_t hw = in.dims[1] * in.dims[2];
    if (hw > std::numeric_limits<int>::max()) return ctx.Unsupported("H*W ", hw, " too large");
    hw_ = static_cast<int>(hw);
    if (out.rank() == 2) {
      QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, {batch_, channels_}, "output"));
    } else {
      QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, {batch_, 1, 1, channels_}, "output"));
    }
    macs_ = static_cast<uint64_t>(in.elements);

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
    // The per-channel sum is int32: at most 255 per cell.
    if (hw * 255 > std::numeric_limits<int32_t>::max()) {
      return ctx.Unsupported("H*W ", hw, " can overflow the int32 sum");
    }
    input_zero_point_ = in.zero_point();
    scale_ = in.scale() / out.scale();
    QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, nullptr, out, &q_out_));
    if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference) {
      use_fast_ = fast_.Init(ctx.isa(), batch_, hw_, channels_, input_zero_point_, scale_, q_out_);
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (float_) {
      kernels::ref::global_average_pool_f32(batch_, hw_, channels_, ctx.data<const float>(input_),
                                            -std::numeric_limits<float>::infinity(),
                                            std::numeric_limits<float>::infinity(),
                                            ctx.data<float>(output_));
      return;
    }
    if (use_fast_) {
      fast_.Run(ctx.data<const int8_t>(input_), ctx.data<int8_t>(output_), ctx.threadpool());
      return;
    }
    kernels::ref::global_average_pool_s8(batch_, hw_, channels_, ctx.data<const int8_t>(input_),
                                         input_zero_point_, scale_, q_out_,
                                         ctx.data<int8_t>(output_));
  }

  const char* kernel_name() const override {
    if (use_fast_) return fast_.name();
    return float_ ? "global_average_pool_f32_ref" : "global_average_pool_s8_ref";
  }
  uint64_t macs() const override { return macs_; }

 private:
  int batch_ = 0, hw_ = 0, channels_ = 0;
  bool float_ = false;
  int input_ = -1, output_ = -1;
  int32_t input_zero_point_ = 0;
  float scale_ = 1.0f;
  kernels::QuantizedOutput q_out_;
  uint64_t macs_ = 0;
  kernels::Qs8GlobalAveragePool fast_;
  bool use_fast_ = false;
};

}  // namespace

std::unique_ptr<OpKernel> CreateGlobalAveragePool() {
  return std::make_unique<GlobalAveragePool>();
}

}  // namespace qrun

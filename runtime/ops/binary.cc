// ADD and MUL with numpy broadcasting (either input may broadcast, and either
// may be a constant, e.g. a per-channel vector). The output shape must be the
// broadcast shape. int8: all three tensors per-tensor int8, constants folded
// as documented in kernels/reference/binary.h; float32: all three float32.
#include <vector>

#include "kernels/dispatch/elementwise.h"
#include "kernels/reference/binary.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

class Binary : public OpKernel {
 public:
  explicit Binary(bool mul) : mul_(mul) {}

  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(2, 2, 1));
    const fb::BinaryOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const TensorInfo& a = ctx.input(0);
    const TensorInfo& b = ctx.input(1);
    const TensorInfo& out = ctx.output(0);
    QRUN_RETURN_IF_ERROR(ExpectKernelRank(ctx, a, "input"));
    QRUN_RETURN_IF_ERROR(ExpectKernelRank(ctx, b, "input"));
    QRUN_RETURN_IF_ERROR(ExpectKernelRank(ctx, out, "output"));
    if (!kernels::ref::make_broadcast_geometry(a.dims.data(), a.rank(), b.dims.data(), b.rank(),
                                               &geometry_)) {
      return ctx.Invalid("input shapes ", a.shape_string(), " and ", b.shape_string(),
                         " do not broadcast");
    }
    QRUN_RETURN_IF_ERROR(ExpectShape(
        ctx, out, std::vector<int64_t>(geometry_.out_dims, geometry_.out_dims + geometry_.rank),
        "output"));
    if (mul_) macs_ = static_cast<uint64_t>(out.elements);

    a_ = ctx.input_index(0);
    b_ = ctx.input_index(1);
    output_ = ctx.output_index(0);
    const fb::FusedActivation* act = o ? o->activation() : nullptr;
    if (a.dtype == DType::kFloat32) {
      float_ = true;
      QRUN_RETURN_IF_ERROR(ExpectDType(ctx, b, DType::kFloat32, "input 1"));
      QRUN_RETURN_IF_ERROR(ExpectDType(ctx, out, DType::kFloat32, "output"));
      return FloatActivation(ctx, act, &out_min_, &out_max_);
    }
    for (const TensorInfo* t : {&a, &b, &out}) {
      if (!IsPerTensorInt8(*t)) {
        return ctx.Unsupported("'", t->name, "' is ", dtype_name(t->dtype),
                               (t->quant.per_channel() ? " per-channel" : ""),
                               ": all tensors must be float32 or all per-tensor int8");
      }
    }
    a_zero_point_ = a.zero_point();
    b_zero_point_ = b.zero_point();
    if (mul_) {
      a_scale_ = a.scale() * b.scale() / out.scale();
    } else {
      a_scale_ = a.scale() / out.scale();
      b_scale_ = b.scale() / out.scale();
    }
    QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, act, out, &q_out_));
    if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference) {
      use_fast_ = mul_ ? fast_.InitMul(ctx.isa(), geometry_, a_zero_point_, b_zero_point_,
                                       a_scale_, q_out_)
                       : fast_.InitAdd(ctx.isa(), geometry_, a_zero_point_, a_scale_,
                                       b_zero_point_, b_scale_, q_out_);
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (float_) {
      const auto* a = ctx.data<const float>(a_);
      const auto* b = ctx.data<const float>(b_);
      auto* y = ctx.data<float>(output_);
      if (mul_) {
        kernels::ref::mul_f32(geometry_, a, b, out_min_, out_max_, y);
      } else {
        kernels::ref::add_f32(geometry_, a, b, out_min_, out_max_, y);
      }
      return;
    }
    const auto* a = ctx.data<const int8_t>(a_);
    const auto* b = ctx.data<const int8_t>(b_);
    auto* y = ctx.data<int8_t>(output_);
    if (use_fast_) {
      fast_.Run(a, b, y, ctx.threadpool());
    } else if (mul_) {
      kernels::ref::mul_s8(geometry_, a, a_zero_point_, b, b_zero_point_, a_scale_, q_out_, y);
    } else {
      kernels::ref::add_s8(geometry_, a, a_zero_point_, a_scale_, b, b_zero_point_, b_scale_,
                           q_out_, y);
    }
  }

  const char* kernel_name() const override {
    if (use_fast_) return fast_.name();
    if (mul_) return float_ ? "mul_f32_ref" : "mul_s8_ref";
    return float_ ? "add_f32_ref" : "add_s8_ref";
  }
  // One multiply per output element for MUL; ADD has none.
  uint64_t macs() const override { return macs_; }

 private:
  const bool mul_;
  kernels::BroadcastGeometry geometry_;
  bool float_ = false;
  int a_ = -1, b_ = -1, output_ = -1;
  int32_t a_zero_point_ = 0, b_zero_point_ = 0;
  float a_scale_ = 1.0f;  // MUL: s_a * s_b / s_y
  float b_scale_ = 1.0f;
  kernels::QuantizedOutput q_out_;
  float out_min_ = 0, out_max_ = 0;
  uint64_t macs_ = 0;
  kernels::Qs8Binary fast_;
  bool use_fast_ = false;
};

}  // namespace

std::unique_ptr<OpKernel> CreateAdd() { return std::make_unique<Binary>(false); }
std::unique_ptr<OpKernel> CreateMul() { return std::make_unique<Binary>(true); }

}  // namespace qrun

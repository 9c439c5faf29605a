// CONCAT along one axis (negative counts from the end) of 1..N inputs of the
// output's rank; dims other than the axis must match, and the output's axis
// dim is the sum. int8: every tensor per-tensor int8, each input requantized
// into the output's parameters (bytes copied when they already match);
// float32: all float32. The fused activation is a clamp in the int8 path;
// the float32 kernel only copies, so there it must be NONE.
#include <algorithm>
#include <vector>

#include "kernels/reference/concat.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

class Concat : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, std::max(1, ctx.num_inputs()), 1));
    const fb::ConcatOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const TensorInfo& out = ctx.output(0);
    const int rank = out.rank();
    if (rank < 1) return ctx.Invalid("output '", out.name, "' must have rank >= 1");
    const int64_t axis_option = o ? o->axis() : fb::ConcatOptionsT().axis;
    if (axis_option < -rank || axis_option >= rank) {
      return ctx.Invalid("axis ", axis_option, " out of range for rank ", rank);
    }
    const int axis = static_cast<int>(axis_option < 0 ? axis_option + rank : axis_option);

    outer_ = 1;
    int64_t inner = 1;
    for (int d = 0; d < axis; ++d) outer_ *= out.dims[static_cast<size_t>(d)];
    for (int d = axis + 1; d < rank; ++d) inner *= out.dims[static_cast<size_t>(d)];
    int64_t axis_sum = 0;
    const int n = ctx.num_inputs();
    inputs_.assign(static_cast<size_t>(n), kernels::ref::ConcatInput());
    tensors_.assign(static_cast<size_t>(n), -1);
    for (int k = 0; k < n; ++k) {
      if (!ctx.has_input(k)) return ctx.Invalid("input ", k, " is missing");
      const TensorInfo& in = ctx.input(k);
      bool dims_ok = in.rank() == rank;
      for (int d = 0; dims_ok && d < rank; ++d) {
        dims_ok = d == axis || in.dims[static_cast<size_t>(d)] == out.dims[static_cast<size_t>(d)];
      }
      if (!dims_ok) {
        return ctx.Invalid("input '", in.name, "' ", in.shape_string(), " does not match output ",
                           out.shape_string(), " outside axis ", axis);
      }
      axis_sum += in.dims[static_cast<size_t>(axis)];
      inputs_[static_cast<size_t>(k)].axis_inner = in.dims[static_cast<size_t>(axis)] * inner;
      tensors_[static_cast<size_t>(k)] = ctx.input_index(k);
    }
    if (axis_sum != out.dims[static_cast<size_t>(axis)]) {
      return ctx.Invalid("output '", out.name, "' has ", out.dims[static_cast<size_t>(axis)],
                         " along axis ", axis, ", inputs sum to ", axis_sum);
    }

    output_ = ctx.output_index(0);
    const fb::FusedActivation* act = o ? o->activation() : nullptr;
    if (out.dtype == DType::kFloat32) {
      float_ = true;
      for (int k = 0; k < n; ++k) {
        QRUN_RETURN_IF_ERROR(ExpectDType(ctx, ctx.input(k), DType::kFloat32, "input"));
      }
      float lo = 0, hi = 0;
      QRUN_RETURN_IF_ERROR(FloatActivation(ctx, act, &lo, &hi));
      if (act != nullptr && act->kind() != fb::Activation::NONE) {
        return ctx.Unsupported("fused activation ", fb::EnumNameActivation(act->kind()),
                               " is not supported for float32");
      }
      return Status::Ok();
    }
    if (!IsPerTensorInt8(out)) {
      return ctx.Unsupported("output '", out.name, "' must be float32 or per-tensor int8, is ",
                             dtype_name(out.dtype));
    }
    QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, act, out, &q_out_));
    // A plain copy skips the clamp, so it is only exact without an activation.
    const bool full_range = q_out_.qmin == -128 && q_out_.qmax == 127;
    for (int k = 0; k < n; ++k) {
      const TensorInfo& in = ctx.input(k);
      if (!IsPerTensorInt8(in)) {
        return ctx.Unsupported("input '", in.name, "' must be per-tensor int8 like the output, is ",
                               dtype_name(in.dtype));
      }
      kernels::ref::ConcatInput& c = inputs_[static_cast<size_t>(k)];
      c.zero_point = in.zero_point();
      c.scale = in.scale() / out.scale();
      c.same_quantization =
          full_range && in.scale() == out.scale() && in.zero_point() == out.zero_point();
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    for (size_t k = 0; k < inputs_.size(); ++k) inputs_[k].data = ctx.data<const void>(tensors_[k]);
    const int n = static_cast<int>(inputs_.size());
    if (float_) {
      kernels::ref::concat_f32(outer_, inputs_.data(), n, ctx.data<float>(output_));
    } else {
      kernels::ref::concat_s8(outer_, inputs_.data(), n, q_out_, ctx.data<int8_t>(output_));
    }
  }

  const char* kernel_name() const override { return float_ ? "concat_f32_ref" : "concat_s8_ref"; }

 private:
  std::vector<kernels::ref::ConcatInput> inputs_;  // data pointers filled at invoke
  std::vector<int> tensors_;
  int64_t outer_ = 1;
  bool float_ = false;
  int output_ = -1;
  kernels::QuantizedOutput q_out_;
};

}  // namespace

std::unique_ptr<OpKernel> CreateConcat() { return std::make_unique<Concat>(); }

}  // namespace qrun

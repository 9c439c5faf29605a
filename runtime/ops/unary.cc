// UNARY: element-wise activation, same shape in and out. int8 (per-tensor in
// and out, parameters may differ): a 256-entry table built at prepare, a
// lookup at invoke. float32: the function computed directly.
#include <cmath>

#include "kernels/dispatch/elementwise.h"
#include "kernels/reference/unary.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

bool ToKernelKind(fb::UnaryKind kind, kernels::ref::UnaryKind* out) {
  using K = kernels::ref::UnaryKind;
  switch (kind) {
    case fb::UnaryKind::RELU: *out = K::kRelu; return true;
    case fb::UnaryKind::RELU6: *out = K::kRelu6; return true;
    case fb::UnaryKind::HARD_SWISH: *out = K::kHardSwish; return true;
    case fb::UnaryKind::HARD_SIGMOID: *out = K::kHardSigmoid; return true;
    case fb::UnaryKind::SIGMOID: *out = K::kSigmoid; return true;
    case fb::UnaryKind::TANH: *out = K::kTanh; return true;
    case fb::UnaryKind::LEAKY_RELU: *out = K::kLeakyRelu; return true;
    case fb::UnaryKind::CLAMP: *out = K::kClamp; return true;
  }
  return false;
}

class Unary : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const fb::UnaryOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const fb::UnaryOptionsT defaults;
    const fb::UnaryKind kind = o ? o->kind() : defaults.kind;
    if (!ToKernelKind(kind, &params_.kind)) {
      return ctx.Invalid("unknown unary kind ", static_cast<int>(kind));
    }
    params_.alpha = o ? o->alpha() : defaults.alpha;
    params_.beta = o ? o->beta() : defaults.beta;
    params_.min = o ? o->min() : defaults.min;
    params_.max = o ? o->max() : defaults.max;
    const bool uses_alpha =
        kind == fb::UnaryKind::HARD_SIGMOID || kind == fb::UnaryKind::LEAKY_RELU;
    if (uses_alpha && !std::isfinite(params_.alpha)) {
      return ctx.Invalid("alpha ", params_.alpha, " must be finite");
    }
    if (kind == fb::UnaryKind::HARD_SIGMOID && !std::isfinite(params_.beta)) {
      return ctx.Invalid("beta ", params_.beta, " must be finite");
    }
    if (kind == fb::UnaryKind::CLAMP && !(params_.min <= params_.max)) {
      return ctx.Invalid("clamp range [", params_.min, ", ", params_.max, "] is invalid");
    }
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, in.dims, "output"));

    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    elements_ = static_cast<size_t>(in.elements);
    if (in.dtype == DType::kFloat32) {
      float_ = true;
      return ExpectDType(ctx, out, DType::kFloat32, "output");
    }
    if (!IsPerTensorInt8(in) || !IsPerTensorInt8(out)) {
      return ctx.Unsupported("input '", in.name, "' (", dtype_name(in.dtype), ") and output '",
                             out.name, "' (", dtype_name(out.dtype),
                             ") must both be float32 or both per-tensor int8");
    }
    kernels::ref::build_unary_table_s8(params_, in.scale(), in.zero_point(), out.scale(),
                                       out.zero_point(), -128, 127, table_);
    if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference) {
      use_fast_ = fast_.Init(ctx.isa(), table_, elements_);
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (float_) {
      kernels::ref::unary_f32(params_, elements_, ctx.data<const float>(input_),
                              ctx.data<float>(output_));
    } else if (use_fast_) {
      fast_.Run(ctx.data<const int8_t>(input_), ctx.data<int8_t>(output_), ctx.threadpool());
    } else {
      kernels::ref::lookup_s8(elements_, ctx.data<const int8_t>(input_), table_,
                              ctx.data<int8_t>(output_));
    }
  }

  const char* kernel_name() const override {
    if (use_fast_) return fast_.name();
    return float_ ? "unary_f32_ref" : "unary_s8_lut_ref";
  }

 private:
  kernels::ref::UnaryParams params_;
  bool float_ = false;
  int input_ = -1, output_ = -1;
  size_t elements_ = 0;
  int8_t table_[256] = {};
  kernels::Qs8Lut fast_;
  bool use_fast_ = false;
};

}  // namespace

std::unique_ptr<OpKernel> CreateUnary() { return std::make_unique<Unary>(); }

}  // namespace qrun

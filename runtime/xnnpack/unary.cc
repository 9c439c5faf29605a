// UNARY on XNNPACK's element-wise operators, over the tensor as one row.
// int8: SIGMOID and TANH -> sigmoid/tanh_nc_qs8 (table-based in XNNPACK;
// it only accepts the output quantizations TFLite fixes, 1/256 with zero
// point -128 for sigmoid and 1/128 with 0 for tanh, so other models fall
// back); RELU, RELU6 and CLAMP with the same quantization in and out ->
// clamp_nc_s8 (the native table then is exactly a clamp to the quantized
// bounds). float32: SIGMOID, HARD_SWISH, LEAKY_RELU, and RELU / RELU6 /
// CLAMP as clamp_nc_f32. Anything else (TANH and HARD_SIGMOID in float32,
// HARD_SWISH and LEAKY_RELU in int8) falls back.
#include <limits>

#include "kernels/requantize.h"
#include "runtime/ops/op_util.h"
#include "runtime/xnnpack/registry.h"
#include "runtime/xnnpack/xnn_op.h"

namespace qrun::xnn {
namespace {

class Unary : public XnnOpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const fb::UnaryOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const fb::UnaryOptionsT d;
    const fb::UnaryKind kind = o ? o->kind() : d.kind;
    const float alpha = o ? o->alpha() : d.alpha;
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    elements_ = static_cast<size_t>(in.elements);
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    // The clamp range of RELU / RELU6 / CLAMP, in real values.
    const float inf = std::numeric_limits<float>::infinity();
    float lo = -inf, hi = inf;
    bool is_clamp = true;
    switch (kind) {
      case fb::UnaryKind::RELU: lo = 0.0f; break;
      case fb::UnaryKind::RELU6: lo = 0.0f; hi = 6.0f; break;
      case fb::UnaryKind::CLAMP: lo = o ? o->min() : d.min; hi = o ? o->max() : d.max; break;
      default: is_clamp = false;
    }
    xnn_status s;

    if (in.dtype == DType::kFloat32) {
      if (out.dtype != DType::kFloat32) return ctx.Unsupported("float32 op needs a float32 output");
      if (is_clamp) {
        QRUN_RETURN_IF_ERROR(CheckClamp(ctx, lo, hi));
        kind_ = Kind::kClampF32;
        name_ = "xnn:clamp_nc_f32";
        s = xnn_create_clamp_nc_f32(1, 1, 1, lo, hi, 0, &op_);
        return CreateResult(ctx, s, "xnn_create_clamp_nc_f32");
      }
      switch (kind) {
        case fb::UnaryKind::SIGMOID:
          kind_ = Kind::kSigmoidF32;
          name_ = "xnn:sigmoid_nc_f32";
          return CreateResult(ctx, xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &op_), "xnn_create_sigmoid_nc_f32");
        case fb::UnaryKind::HARD_SWISH:
          kind_ = Kind::kHardSwishF32;
          name_ = "xnn:hardswish_nc_f32";
          return CreateResult(ctx, xnn_create_hardswish_nc_f32(1, 1, 1, 0, &op_),
                              "xnn_create_hardswish_nc_f32");
        case fb::UnaryKind::LEAKY_RELU:
          kind_ = Kind::kLeakyReluF32;
          name_ = "xnn:leaky_relu_nc_f32";
          return CreateResult(ctx, xnn_create_leaky_relu_nc_f32(1, 1, 1, alpha, 0, &op_),
                              "xnn_create_leaky_relu_nc_f32");
        default:
          return ctx.Unsupported("no XNNPACK float32 operator for this unary kind");
      }
    }
    if (!IsPerTensorInt8(in) || !IsPerTensorInt8(out)) {
      return ctx.Unsupported("int8 op needs per-tensor int8 input and output");
    }
    if (is_clamp) {
      if (in.scale() != out.scale() || in.zero_point() != out.zero_point()) {
        return ctx.Unsupported("int8 clamp needs the same quantization in and out");
      }
      const int32_t zp = out.zero_point();
      int32_t qmin = -128, qmax = 127;
      if (lo > -inf) qmin = kernels::quantize_value(lo, out.scale(), zp, -128, 127);
      if (hi < inf) qmax = kernels::quantize_value(hi, out.scale(), zp, -128, 127);
      QRUN_RETURN_IF_ERROR(CheckClamp(ctx, qmin, qmax));
      kind_ = Kind::kClampS8;
      name_ = "xnn:clamp_nc_s8";
      s = xnn_create_clamp_nc_s8(1, 1, 1, S8(qmin), S8(qmax), 0, &op_);
      return CreateResult(ctx, s, "xnn_create_clamp_nc_s8");
    }
    if (kind == fb::UnaryKind::SIGMOID) {
      kind_ = Kind::kSigmoidS8;
      name_ = "xnn:sigmoid_nc_qs8";
      s = xnn_create_sigmoid_nc_qs8(1, 1, 1, S8(in.zero_point()), in.scale(), S8(out.zero_point()),
                                    out.scale(), -128, 127, 0, &op_);
      return CreateResult(ctx, s, "xnn_create_sigmoid_nc_qs8");
    }
    if (kind == fb::UnaryKind::TANH) {
      kind_ = Kind::kTanhS8;
      name_ = "xnn:tanh_nc_qs8";
      s = xnn_create_tanh_nc_qs8(1, 1, 1, S8(in.zero_point()), in.scale(), S8(out.zero_point()),
                                 out.scale(), -128, 127, 0, &op_);
      return CreateResult(ctx, s, "xnn_create_tanh_nc_qs8");
    }
    return ctx.Unsupported("no XNNPACK int8 operator for this unary kind");
  }

  Status Bind(const InvokeContext& ctx) override {
    const size_t n = elements_;
    pthreadpool_t tp = ctx.threadpool();
    const float* xf = ctx.data<const float>(input_);
    float* yf = ctx.data<float>(output_);
    const int8_t* xq = ctx.data<const int8_t>(input_);
    int8_t* yq = ctx.data<int8_t>(output_);
    switch (kind_) {
      case Kind::kClampF32:
        return SetupResult(xnn_setup_clamp_nc_f32(op_, n, xf, yf, tp), "xnn_setup_clamp_nc_f32");
      case Kind::kSigmoidF32:
        return SetupResult(xnn_setup_sigmoid_nc_f32(op_, n, xf, yf, tp), "xnn_setup_sigmoid_nc_f32");
      case Kind::kHardSwishF32:
        return SetupResult(xnn_setup_hardswish_nc_f32(op_, n, xf, yf, tp), "xnn_setup_hardswish_nc_f32");
      case Kind::kLeakyReluF32:
        return SetupResult(xnn_setup_leaky_relu_nc_f32(op_, n, xf, yf, tp), "xnn_setup_leaky_relu_nc_f32");
      case Kind::kClampS8:
        return SetupResult(xnn_setup_clamp_nc_s8(op_, n, xq, yq, tp), "xnn_setup_clamp_nc_s8");
      case Kind::kSigmoidS8:
        return SetupResult(xnn_setup_sigmoid_nc_qs8(op_, n, xq, yq, tp), "xnn_setup_sigmoid_nc_qs8");
      case Kind::kTanhS8:
        return SetupResult(xnn_setup_tanh_nc_qs8(op_, n, xq, yq, tp), "xnn_setup_tanh_nc_qs8");
    }
    return Error(QRUN_ERROR_INTERNAL, "unary: bad kind");
  }

 private:
  enum class Kind { kClampF32, kSigmoidF32, kHardSwishF32, kLeakyReluF32, kClampS8, kSigmoidS8, kTanhS8 };
  Kind kind_ = Kind::kClampF32;
  size_t elements_ = 0;
  int input_ = -1, output_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> CreateUnary() { return std::make_unique<Unary>(); }

}  // namespace qrun::xnn

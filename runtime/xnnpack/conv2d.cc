// CONV_2D on XNNPACK: int8 with per-channel weight scales -> convolution
// qc8, per-tensor -> qs8, float32 -> f32. Depthwise and grouped convolutions
// are the same operator: qrun's OHWI weights, read as
// [groups][out_c / groups][kh][kw][in_c / groups], are XNNPACK's default
// kernel layout, and XNNPACK picks its depthwise microkernels itself.
//
// Semantics kept: explicit pads and floor output size are the same as
// ONNX/qrun; the fused activation becomes XNNPACK's output_min/output_max
// (the same int8 clamp range as the native kernel); XNNPACK requantizes in
// float32 with round-to-nearest-even, as qrun does, from a scale it computes
// itself from the same three scales (it may differ by one ulp: <= 1 LSB).
#include <vector>

#include "runtime/ops/op_util.h"
#include "runtime/xnnpack/registry.h"
#include "runtime/xnnpack/xnn_op.h"

namespace qrun::xnn {
namespace {

class Conv2D : public XnnOpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(2, 3, 1));
    const fb::Conv2DOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const fb::Conv2DOptionsT d;
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& w = ctx.input(1);
    const TensorInfo& out = ctx.output(0);
    const TensorInfo* bias = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (in.rank() != 4 || w.rank() != 4 || out.rank() != 4 || !w.is_constant() ||
        (bias != nullptr && !bias->is_constant())) {
      return ctx.Unsupported("needs 4-D tensors and constant weights and bias");
    }
    const uint32_t stride_h = o ? o->stride_h() : d.stride_h;
    const uint32_t stride_w = o ? o->stride_w() : d.stride_w;
    const uint32_t dilation_h = o ? o->dilation_h() : d.dilation_h;
    const uint32_t dilation_w = o ? o->dilation_w() : d.dilation_w;
    const uint32_t pad_top = o ? o->pad_top() : 0, pad_left = o ? o->pad_left() : 0;
    const uint32_t pad_bottom = o ? o->pad_bottom() : 0, pad_right = o ? o->pad_right() : 0;
    const uint32_t groups = o ? o->groups() : 1;
    const uint32_t kernel_h = static_cast<uint32_t>(w.dims[1]);
    const uint32_t kernel_w = static_cast<uint32_t>(w.dims[2]);
    const size_t in_c = static_cast<size_t>(in.dims[3]);
    const size_t out_c = static_cast<size_t>(out.dims[3]);
    batch_ = static_cast<size_t>(in.dims[0]);
    in_h_ = static_cast<size_t>(in.dims[1]);
    in_w_ = static_cast<size_t>(in.dims[2]);
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    macs_ = static_cast<uint64_t>(out.elements) * kernel_h * kernel_w * static_cast<uint64_t>(w.dims[3]);
    const fb::FusedActivation* act = o ? o->activation() : nullptr;
    xnn_status s;

    if (in.dtype == DType::kFloat32) {
      if (w.dtype != DType::kFloat32 || out.dtype != DType::kFloat32 ||
          (bias != nullptr && bias->dtype != DType::kFloat32)) {
        return ctx.Unsupported("float32 convolution needs float32 weights, bias and output");
      }
      float lo = 0, hi = 0;
      QRUN_RETURN_IF_ERROR(FloatActivation(ctx, act, &lo, &hi));
      QRUN_RETURN_IF_ERROR(CheckClamp(ctx, lo, hi));
      kind_ = Kind::kF32;
      name_ = "xnn:convolution_nhwc_f32";
      s = xnn_create_convolution2d_nhwc_f32(
          pad_top, pad_right, pad_bottom, pad_left, kernel_h, kernel_w, stride_h, stride_w,
          dilation_h, dilation_w, groups, in_c / groups, out_c / groups, in_c, out_c,
          reinterpret_cast<const float*>(w.constant),
          bias ? reinterpret_cast<const float*>(bias->constant) : nullptr, lo, hi, 0, &op_);
      return CreateResult(ctx, s, "xnn_create_convolution2d_nhwc_f32");
    }

    kernels::QuantizedOutput q;
    QRUN_RETURN_IF_ERROR(CheckInt8Layer(ctx, in, w, bias, out, act, &q));
    const auto* kernel = reinterpret_cast<const int8_t*>(w.constant);
    const auto* b = bias ? reinterpret_cast<const int32_t*>(bias->constant) : nullptr;
    if (w.quant.per_channel()) {
      if (w.quant.axis != 0 || w.quant.scale.size() != out_c) {
        return ctx.Unsupported("per-channel weights must be quantized along the output channels");
      }
      kind_ = Kind::kQc8;
      name_ = "xnn:convolution_nhwc_qc8";
      s = xnn_create_convolution2d_nhwc_qc8(
          pad_top, pad_right, pad_bottom, pad_left, kernel_h, kernel_w, stride_h, stride_w,
          dilation_h, dilation_w, groups, in_c / groups, out_c / groups, in_c, out_c,
          S8(in.zero_point()), in.scale(), w.quant.scale.data(), kernel, b, S8(q.zero_point),
          out.scale(), S8(q.qmin), S8(q.qmax), 0, &op_);
      return CreateResult(ctx, s, "xnn_create_convolution2d_nhwc_qc8");
    }
    kind_ = Kind::kQs8;
    name_ = "xnn:convolution_nhwc_qs8";
    s = xnn_create_convolution2d_nhwc_qs8(
        pad_top, pad_right, pad_bottom, pad_left, kernel_h, kernel_w, stride_h, stride_w,
        dilation_h, dilation_w, groups, in_c / groups, out_c / groups, in_c, out_c,
        S8(in.zero_point()), in.scale(), w.scale(), kernel, b, S8(q.zero_point), out.scale(),
        S8(q.qmin), S8(q.qmax), 0, &op_);
    return CreateResult(ctx, s, "xnn_create_convolution2d_nhwc_qs8");
  }

  Status Bind(const InvokeContext& ctx) override {
    switch (kind_) {
      case Kind::kF32:
        return SetupResult(
            xnn_setup_convolution2d_nhwc_f32(op_, batch_, in_h_, in_w_, ctx.data<const float>(input_),
                                             ctx.data<float>(output_), ctx.threadpool()),
            "xnn_setup_convolution2d_nhwc_f32");
      case Kind::kQc8:
        return SetupResult(
            xnn_setup_convolution2d_nhwc_qc8(op_, batch_, in_h_, in_w_, ctx.data<const int8_t>(input_),
                                             ctx.data<int8_t>(output_), ctx.threadpool()),
            "xnn_setup_convolution2d_nhwc_qc8");
      case Kind::kQs8:
        return SetupResult(
            xnn_setup_convolution2d_nhwc_qs8(op_, batch_, in_h_, in_w_, ctx.data<const int8_t>(input_),
                                             ctx.data<int8_t>(output_), ctx.threadpool()),
            "xnn_setup_convolution2d_nhwc_qs8");
    }
    return Error(QRUN_ERROR_INTERNAL, "conv2d: bad kind");
  }

 private:
  enum class Kind { kF32, kQc8, kQs8 };
  Kind kind_ = Kind::kF32;
  size_t batch_ = 0, in_h_ = 0, in_w_ = 0;
  int input_ = -1, output_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> CreateConv2D() { return std::make_unique<Conv2D>(); }

}  // namespace qrun::xnn

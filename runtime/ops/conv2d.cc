// CONV_2D: int8 (asymmetric activations, symmetric per-channel weights,
// int32 bias), float32, or dynamically quantized (float32 input/output/bias,
// int8 weights). Inputs: input NHWC, weights OHWI, bias [O] (optional).
#include <vector>

#include "kernels/dispatch/qs8_conv.h"
#include "kernels/dispatch/qs8_dwconv.h"
#include "kernels/dispatch/qs8_winograd.h"
#include "kernels/reference/conv2d.h"
#include "kernels/reference/dynamic_quant.h"
#include "kernels/reference/quantize.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"
#include "runtime/ops/weights.h"

namespace qrun {
namespace {

class Conv2D : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(2, 3, 1));
    const fb::Conv2DOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    fb::Conv2DOptionsT defaults;
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& w = ctx.input(1);
    const TensorInfo& out = ctx.output(0);
    QRUN_RETURN_IF_ERROR(ExpectRank(ctx, in, 4, "input"));
    QRUN_RETURN_IF_ERROR(ExpectRank(ctx, w, 4, "weights"));
    QRUN_RETURN_IF_ERROR(ExpectRank(ctx, out, 4, "output"));
    if (!w.is_constant()) return ctx.Unsupported("weights '", w.name, "' must be a constant");

    kernels::Conv2DGeometry& g = geometry_;
    g.batch = static_cast<int>(in.dims[0]);
    g.in_h = static_cast<int>(in.dims[1]);
    g.in_w = static_cast<int>(in.dims[2]);
    g.in_c = static_cast<int>(in.dims[3]);
    g.out_c = static_cast<int>(w.dims[0]);
    g.kernel_h = static_cast<int>(w.dims[1]);
    g.kernel_w = static_cast<int>(w.dims[2]);
    g.stride_h = o ? o->stride_h() : defaults.stride_h;
    g.stride_w = o ? o->stride_w() : defaults.stride_w;
    g.dilation_h = o ? o->dilation_h() : defaults.dilation_h;
    g.dilation_w = o ? o->dilation_w() : defaults.dilation_w;
    g.pad_top = o ? o->pad_top() : 0;
    g.pad_left = o ? o->pad_left() : 0;
    const int pad_bottom = o ? o->pad_bottom() : 0;
    const int pad_right = o ? o->pad_right() : 0;
    g.groups = o ? o->groups() : 1;
    QRUN_RETURN_IF_ERROR(CheckWindow(ctx, g.stride_h, g.stride_w, g.dilation_h, g.dilation_w,
                                     g.pad_top, g.pad_left, pad_bottom, pad_right));
    if (g.groups < 1 || g.in_c % g.groups != 0 || g.out_c % g.groups != 0) {
      return ctx.Invalid("groups ", g.groups, " must divide input channels ", g.in_c,
                         " and output channels ", g.out_c);
    }
    if (w.dims[3] * g.groups != g.in_c) {
      return ctx.Invalid("weights ", w.shape_string(), " with groups ", g.groups,
                         " do not match input channels ", g.in_c);
    }
    g.out_h = static_cast<int>(ConvOutputSize(g.in_h, g.pad_top, pad_bottom, g.kernel_h,
                                              g.stride_h, g.dilation_h));
    g.out_w = static_cast<int>(ConvOutputSize(g.in_w, g.pad_left, pad_right, g.kernel_w,
                                              g.stride_w, g.dilation_w));
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, {g.batch, g.out_h, g.out_w, g.out_c}, "output"));
    macs_ = static_cast<uint64_t>(out.elements) * static_cast<uint64_t>(g.kernel_h) *
            static_cast<uint64_t>(g.kernel_w) * static_cast<uint64_t>(w.dims[3]);

    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    weights_ = w.constant;
    const TensorInfo* bias = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (in.dtype == DType::kFloat32 && w.dtype == DType::kInt8) {
      // qconvert --dynamic: the input is quantized per run (scratch), the
      // accumulators are scaled back to float.
      dynamic_ = true;
      QRUN_RETURN_IF_ERROR(CheckDynamicLayer(ctx, in, w, bias, out, g.out_c, &weight_scale_));
      bias_ = bias ? bias->constant : nullptr;
      input_elements_ = static_cast<size_t>(in.elements);
      if (!ctx.validate_only()) scratch_ = ctx.RequestScratch(input_elements_);
      return FloatActivation(ctx, o ? o->activation() : nullptr, &out_min_, &out_max_);
    }
    if (in.dtype == DType::kFloat32) {
      float_ = true;
      QRUN_RETURN_IF_ERROR(CheckFloatLayer(ctx, w, bias, out, g.out_c));
      bias_ = bias ? bias->constant : nullptr;
      return FloatActivation(ctx, o ? o->activation() : nullptr, &out_min_, &out_max_);
    }
    QRUN_RETURN_IF_ERROR(CheckQuantizedLayer(ctx, in, w, bias, out, g.out_c, &requant_scale_));
    input_zero_point_ = in.zero_point();
    bias_ = bias ? bias->constant : nullptr;
    QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, o ? o->activation() : nullptr, out, &q_out_));
    // Optimized kernel for the chosen ISA (packs the weights once); the
    // reference kernel otherwise (reference level, validation, depthwise).
    // 3x3 stride-1 layers: Winograd F(2x2, 3x3) where it is exact and pays off.
    if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference && ctx.winograd() &&
        winograd_.Init(ctx.isa(), g, input_zero_point_, reinterpret_cast<const int8_t*>(weights_),
                       reinterpret_cast<const int32_t*>(bias_), requant_scale_.data(), q_out_,
                       ctx.num_threads())) {
      use_winograd_ = true;
      scratch_ = ctx.RequestScratch(winograd_.scratch_bytes());
    } else if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference &&
        fast_.Init(ctx.isa(), kernels::Qs8Conv::Kind::kConv2D, g, input_zero_point_,
                   reinterpret_cast<const int8_t*>(weights_),
                   reinterpret_cast<const int32_t*>(bias_), requant_scale_.data(), q_out_)) {
      use_fast_ = true;
      scratch_ = ctx.RequestScratch(fast_.scratch_bytes());
    } else if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference &&
               dw_.Init(ctx.isa(), g, input_zero_point_, reinterpret_cast<const int8_t*>(weights_),
                        reinterpret_cast<const int32_t*>(bias_), requant_scale_.data(), q_out_)) {
      use_dw_ = true;
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (dynamic_) {
      const float* x = ctx.data<const float>(input_);
      auto* xq = static_cast<int8_t*>(ctx.scratch(scratch_));
      const kernels::ref::DynamicQuant q = kernels::ref::choose_dynamic_quant(input_elements_, x);
      kernels::ref::quantize_f32_s8(input_elements_, x, q.scale, q.zero_point, xq);
      kernels::ref::conv2d_s8_f32(geometry_, xq, q.scale, q.zero_point,
                                  reinterpret_cast<const int8_t*>(weights_), weight_scale_.data(),
                                  reinterpret_cast<const float*>(bias_), out_min_, out_max_,
                                  ctx.data<float>(output_));
      return;
    }
    if (float_) {
      kernels::ref::conv2d_f32(geometry_, ctx.data<const float>(input_),
                               reinterpret_cast<const float*>(weights_),
                               reinterpret_cast<const float*>(bias_), out_min_, out_max_,
                               ctx.data<float>(output_));
      return;
    }
    if (use_winograd_) {
      winograd_.Run(ctx.data<const int8_t>(input_), ctx.data<int8_t>(output_),
                    ctx.scratch(scratch_), ctx.threadpool());
      return;
    }
    if (use_fast_) {
      fast_.Run(ctx.data<const int8_t>(input_), ctx.data<int8_t>(output_), ctx.scratch(scratch_),
                ctx.threadpool());
      return;
    }
    if (use_dw_) {
      dw_.Run(ctx.data<const int8_t>(input_), ctx.data<int8_t>(output_), ctx.threadpool());
      return;
    }
    kernels::ref::conv2d_s8(geometry_, ctx.data<const int8_t>(input_), input_zero_point_,
                            reinterpret_cast<const int8_t*>(weights_),
                            reinterpret_cast<const int32_t*>(bias_), requant_scale_.data(), q_out_,
                            ctx.data<int8_t>(output_));
  }

  const char* kernel_name() const override {
    if (use_winograd_) return winograd_.name();
    if (use_fast_) return fast_.name();
    if (use_dw_) return dw_.name();
    if (dynamic_) return "conv2d_dq_s8_f32_ref";
    return float_ ? "conv2d_f32_ref" : "conv2d_s8_ref";
  }
  uint64_t macs() const override { return macs_; }
  size_t persistent_bytes() const override {
    return (requant_scale_.capacity() + weight_scale_.capacity()) * sizeof(float) +
           fast_.persistent_bytes() + winograd_.persistent_bytes() +
           dw_.persistent_bytes();
  }

 private:
  kernels::Conv2DGeometry geometry_;
  bool float_ = false;
  bool dynamic_ = false;  // float input quantized per run, int8 weights
  std::vector<float> weight_scale_;
  size_t input_elements_ = 0;
  int input_ = -1, output_ = -1;
  const uint8_t* weights_ = nullptr;
  const uint8_t* bias_ = nullptr;
  int32_t input_zero_point_ = 0;
  std::vector<float> requant_scale_;
  kernels::QuantizedOutput q_out_;
  float out_min_ = 0, out_max_ = 0;
  uint64_t macs_ = 0;
  kernels::Qs8Conv fast_;
  bool use_fast_ = false;
  int scratch_ = -1;
  kernels::Qs8DwConv dw_;
  bool use_dw_ = false;
  kernels::Qs8WinogradConv winograd_;
  bool use_winograd_ = false;
};

}  // namespace

std::unique_ptr<OpKernel> CreateConv2D() { return std::make_unique<Conv2D>(); }

}  // namespace qrun

// MAX_POOL_2D, AVERAGE_POOL_2D and GLOBAL_AVERAGE_POOL on XNNPACK.
//
// Padding: XNNPACK's pools never read padded cells (max pooling ignores them,
// average pooling divides by the in-image cell count), which is qrun's
// max-pool and count_include_pad = false semantics. XNNPACK's output size is
// the floor form, so ONNX ceil_mode is expressed by extending the end
// padding until the floor form gives qrun's output size (the extension is
// padding, so it is never counted either). Average pooling with
// count_include_pad and any padding, int8 average pooling (XNNPACK has only
// qu8) and 1x1 windows (XNNPACK rejects them) fall back to native kernels.
//
// Global average pooling: [N, H, W, C] is XNNPACK's NWC with width H*W.
#include <algorithm>
#include <limits>

#include "runtime/ops/op_util.h"
#include "runtime/xnnpack/registry.h"
#include "runtime/xnnpack/xnn_op.h"

namespace qrun::xnn {
namespace {

// The end padding that makes XNNPACK's floor((in + pads - k) / s) + 1 equal
// `out`, at least the model's `pad_end`; false if none does.
bool EndPadding(int64_t in, int64_t pad_begin, int64_t pad_end, int64_t kernel, int64_t stride,
                int64_t out, uint32_t* result) {
  const int64_t needed = (out - 1) * stride + kernel - in - pad_begin;
  const int64_t pad = std::max(pad_end, needed);
  if (pad < 0 || (in + pad_begin + pad - kernel) / stride + 1 != out) return false;
  *result = static_cast<uint32_t>(pad);
  return true;
}

class Pool2D : public XnnOpKernel {
 public:
  explicit Pool2D(bool max) : max_(max) {}

  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const fb::Pool2DOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const fb::Pool2DOptionsT d;
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    if (in.rank() != 4 || out.rank() != 4) return ctx.Unsupported("needs 4-D tensors");
    const uint32_t kernel_h = o ? o->kernel_h() : d.kernel_h;
    const uint32_t kernel_w = o ? o->kernel_w() : d.kernel_w;
    const uint32_t stride_h = o ? o->stride_h() : d.stride_h;
    const uint32_t stride_w = o ? o->stride_w() : d.stride_w;
    const uint32_t pad_top = o ? o->pad_top() : 0, pad_left = o ? o->pad_left() : 0;
    const int64_t model_pad_bottom = o ? o->pad_bottom() : 0;
    const int64_t model_pad_right = o ? o->pad_right() : 0;
    const bool count_include_pad = o ? o->count_include_pad() : d.count_include_pad;
    batch_ = static_cast<size_t>(in.dims[0]);
    in_h_ = static_cast<size_t>(in.dims[1]);
    in_w_ = static_cast<size_t>(in.dims[2]);
    const size_t channels = static_cast<size_t>(in.dims[3]);
    uint32_t pad_bottom = 0, pad_right = 0;
    if (!EndPadding(in.dims[1], pad_top, model_pad_bottom, kernel_h, stride_h, out.dims[1], &pad_bottom) ||
        !EndPadding(in.dims[2], pad_left, model_pad_right, kernel_w, stride_w, out.dims[2], &pad_right)) {
      return ctx.Unsupported("output size not expressible with XNNPACK's padding");
    }
    const bool any_padding = (pad_top | pad_left | pad_bottom | pad_right) != 0;
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    macs_ = static_cast<uint64_t>(out.elements) * kernel_h * kernel_w;
    const fb::FusedActivation* act = o ? o->activation() : nullptr;
    xnn_status s;

    if (in.dtype == DType::kFloat32) {
      if (out.dtype != DType::kFloat32) return ctx.Unsupported("float32 pool needs a float32 output");
      float lo = 0, hi = 0;
      QRUN_RETURN_IF_ERROR(FloatActivation(ctx, act, &lo, &hi));
      QRUN_RETURN_IF_ERROR(CheckClamp(ctx, lo, hi));
      kind_ = max_ ? Kind::kMaxF32 : Kind::kAvgF32;
      if (max_) {
        name_ = "xnn:max_pooling2d_nhwc_f32";
        s = xnn_create_max_pooling2d_nhwc_f32(pad_top, pad_right, pad_bottom, pad_left, kernel_h,
                                              kernel_w, stride_h, stride_w, 1, 1, channels,
                                              channels, channels, lo, hi, 0, &op_);
        return CreateResult(ctx, s, "xnn_create_max_pooling2d_nhwc_f32");
      }
      if (count_include_pad && any_padding) {
        return ctx.Unsupported("count_include_pad with padding (XNNPACK never counts padding)");
      }
      name_ = "xnn:average_pooling2d_nhwc_f32";
      s = xnn_create_average_pooling2d_nhwc_f32(pad_top, pad_right, pad_bottom, pad_left, kernel_h,
                                                kernel_w, stride_h, stride_w, channels, channels,
                                                channels, lo, hi, 0, &op_);
      return CreateResult(ctx, s, "xnn_create_average_pooling2d_nhwc_f32");
    }
    if (!max_) return ctx.Unsupported("XNNPACK has no int8 (qs8) average pooling");
    if (!IsPerTensorInt8(in) || !IsPerTensorInt8(out) || in.scale() != out.scale() ||
        in.zero_point() != out.zero_point()) {
      return ctx.Unsupported("int8 max pool needs the same per-tensor quantization in and out");
    }
    kernels::QuantizedOutput q;
    QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, act, out, &q));
    QRUN_RETURN_IF_ERROR(CheckClamp(ctx, q.qmin, q.qmax));
    kind_ = Kind::kMaxS8;
    name_ = "xnn:max_pooling2d_nhwc_s8";
    s = xnn_create_max_pooling2d_nhwc_s8(pad_top, pad_right, pad_bottom, pad_left, kernel_h,
                                         kernel_w, stride_h, stride_w, 1, 1, channels, channels,
                                         channels, S8(q.qmin), S8(q.qmax), 0, &op_);
    return CreateResult(ctx, s, "xnn_create_max_pooling2d_nhwc_s8");
  }

  Status Bind(const InvokeContext& ctx) override {
    switch (kind_) {
      case Kind::kMaxF32:
        return SetupResult(
            xnn_setup_max_pooling2d_nhwc_f32(op_, batch_, in_h_, in_w_, ctx.data<const float>(input_),
                                             ctx.data<float>(output_), ctx.threadpool()),
            "xnn_setup_max_pooling2d_nhwc_f32");
      case Kind::kAvgF32:
        return SetupResult(
            xnn_setup_average_pooling2d_nhwc_f32(op_, batch_, in_h_, in_w_,
                                                 ctx.data<const float>(input_),
                                                 ctx.data<float>(output_), ctx.threadpool()),
            "xnn_setup_average_pooling2d_nhwc_f32");
      case Kind::kMaxS8:
        return SetupResult(
            xnn_setup_max_pooling2d_nhwc_s8(op_, batch_, in_h_, in_w_, ctx.data<const int8_t>(input_),
                                            ctx.data<int8_t>(output_), ctx.threadpool()),
            "xnn_setup_max_pooling2d_nhwc_s8");
    }
    return Error(QRUN_ERROR_INTERNAL, "pool2d: bad kind");
  }

 private:
  enum class Kind { kMaxF32, kAvgF32, kMaxS8 };
  const bool max_;
  Kind kind_ = Kind::kMaxF32;
  size_t batch_ = 0, in_h_ = 0, in_w_ = 0;
  int input_ = -1, output_ = -1;
};

class GlobalAveragePool : public XnnOpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    if (in.rank() != 4) return ctx.Unsupported("needs a 4-D input");
    batch_ = static_cast<size_t>(in.dims[0]);
    width_ = static_cast<size_t>(in.dims[1] * in.dims[2]);
    const size_t channels = static_cast<size_t>(in.dims[3]);
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    macs_ = static_cast<uint64_t>(in.elements);
    xnn_status s;
    if (in.dtype == DType::kFloat32) {
      if (out.dtype != DType::kFloat32) return ctx.Unsupported("float32 pool needs a float32 output");
      float_ = true;
      name_ = "xnn:global_average_pooling_nwc_f32";
      const float inf = std::numeric_limits<float>::infinity();
      s = xnn_create_global_average_pooling_nwc_f32(channels, channels, channels, -inf, inf, 0, &op_);
      return CreateResult(ctx, s, "xnn_create_global_average_pooling_nwc_f32");
    }
    if (!IsPerTensorInt8(in) || !IsPerTensorInt8(out)) {
      return ctx.Unsupported("int8 pool needs per-tensor int8 input and output");
    }
    name_ = "xnn:global_average_pooling_nwc_qs8";
    s = xnn_create_global_average_pooling_nwc_qs8(channels, channels, channels, S8(in.zero_point()),
                                                  in.scale(), S8(out.zero_point()), out.scale(),
                                                  -128, 127, 0, &op_);
    return CreateResult(ctx, s, "xnn_create_global_average_pooling_nwc_qs8");
  }

  Status Bind(const InvokeContext& ctx) override {
    if (float_) {
      return SetupResult(xnn_setup_global_average_pooling_nwc_f32(
                             op_, batch_, width_, ctx.data<const float>(input_),
                             ctx.data<float>(output_), ctx.threadpool()),
                         "xnn_setup_global_average_pooling_nwc_f32");
    }
    return SetupResult(xnn_setup_global_average_pooling_nwc_qs8(
                           op_, batch_, width_, ctx.data<const int8_t>(input_),
                           ctx.data<int8_t>(output_), ctx.threadpool()),
                       "xnn_setup_global_average_pooling_nwc_qs8");
  }

 private:
  bool float_ = false;
  size_t batch_ = 0, width_ = 0;
  int input_ = -1, output_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> CreateMaxPool2D() { return std::make_unique<Pool2D>(true); }
std::unique_ptr<OpKernel> CreateAveragePool2D() { return std::make_unique<Pool2D>(false); }
std::unique_ptr<OpKernel> CreateGlobalAveragePool() { return std::make_unique<GlobalAveragePool>(); }

}  // namespace qrun::xnn

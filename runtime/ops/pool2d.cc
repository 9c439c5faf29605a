// MAX_POOL_2D and AVERAGE_POOL_2D, NHWC, int8 or float32, with one shared
// Prepare.
//
// int8 max pool: the format requires input and output to share scale and
// zero point; the max of int8 values is then exact and needs no
// requantization (the kernel only applies the fused clamp).
// int8 average pool: acc = sum (x - zp_in), y = requantize(acc,
// (s_in / s_out) / divisor); input and output quantization may differ.
// Every pad must be smaller than the kernel so that each window holds at
// least one image cell (ONNX requires the same); ceil_mode keeps that by
// never starting a window past the image and the begin padding.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/dispatch/pooling.h"
#include "kernels/reference/pooling.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"
#include "runtime/ops/weights.h"

namespace qrun {
namespace {

constexpr int kMaxKernel = 1 << 16;

// ONNX pooling output size. With ceil_mode the division rounds up, but the
// last window must still start inside the image or the begin padding.
int64_t PoolOutputSize(int64_t in, int64_t pad_begin, int64_t pad_end, int64_t kernel,
                       int64_t stride, bool ceil_mode) {
  if (!ceil_mode) return ConvOutputSize(in, pad_begin, pad_end, kernel, stride, 1);
  const int64_t span = in + pad_begin + pad_end - kernel;
  if (span < 0) return 0;
  int64_t out = (span + stride - 1) / stride + 1;
  if ((out - 1) * stride >= in + pad_begin) --out;
  return out;
}

class Pool2D : public OpKernel {
 public:
  explicit Pool2D(bool max) : max_(max) {}

  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const fb::Pool2DOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    fb::Pool2DOptionsT defaults;
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    QRUN_RETURN_IF_ERROR(ExpectRank(ctx, in, 4, "input"));
    QRUN_RETURN_IF_ERROR(ExpectRank(ctx, out, 4, "output"));

    kernels::Pool2DGeometry& g = geometry_;
    g.batch = static_cast<int>(in.dims[0]);
    g.in_h = static_cast<int>(in.dims[1]);
    g.in_w = static_cast<int>(in.dims[2]);
    g.channels = static_cast<int>(in.dims[3]);
    g.kernel_h = o ? o->kernel_h() : defaults.kernel_h;
    g.kernel_w = o ? o->kernel_w() : defaults.kernel_w;
    g.stride_h = o ? o->stride_h() : defaults.stride_h;
    g.stride_w = o ? o->stride_w() : defaults.stride_w;
    g.pad_top = o ? o->pad_top() : 0;
    g.pad_left = o ? o->pad_left() : 0;
    const int pad_bottom = o ? o->pad_bottom() : 0;
    const int pad_right = o ? o->pad_right() : 0;
    g.pad_bottom = pad_bottom;
    g.pad_right = pad_right;
    const bool ceil_mode = o ? o->ceil_mode() : false;
    count_include_pad_ = o ? o->count_include_pad() : defaults.count_include_pad;
    for (int k : {g.kernel_h, g.kernel_w}) {
      if (k < 1 || k > kMaxKernel) {
        return ctx.Invalid("kernel size ", k, " out of range [1, 65536]");
      }
    }
    QRUN_RETURN_IF_ERROR(CheckWindow(ctx, g.stride_h, g.stride_w, 1, 1, g.pad_top, g.pad_left,
                                     pad_bottom, pad_right));
    if (std::max(g.pad_top, pad_bottom) >= g.kernel_h ||
        std::max(g.pad_left, pad_right) >= g.kernel_w) {
      return ctx.Invalid("padding (", g.pad_top, ", ", g.pad_left, ", ", pad_bottom, ", ",
                         pad_right, ") must be smaller than the kernel ", g.kernel_h, "x",
                         g.kernel_w);
    }
    const int64_t out_h =
        PoolOutputSize(g.in_h, g.pad_top, pad_bottom, g.kernel_h, g.stride_h, ceil_mode);
    const int64_t out_w =
        PoolOutputSize(g.in_w, g.pad_left, pad_right, g.kernel_w, g.stride_w, ceil_mode);
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, {g.batch, out_h, out_w, g.channels}, "output"));
    g.out_h = static_cast<int>(out_h);
    g.out_w = static_cast<int>(out_w);
    macs_ = static_cast<uint64_t>(out.elements) * static_cast<uint64_t>(g.kernel_h) *
            static_cast<uint64_t>(g.kernel_w);

    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    const fb::FusedActivation* act = o ? o->activation() : nullptr;
    if (in.dtype == DType::kFloat32) {
      float_ = true;
      QRUN_RETURN_IF_ERROR(ExpectDType(ctx, out, DType::kFloat32, "output"));
      return FloatActivation(ctx, act, &out_min_, &out_max_);
    }
    if (!IsPerTensorInt8(in) || !IsPerTensorInt8(out)) {
      return ctx.Unsupported("input '", in.name, "' (", dtype_name(in.dtype), ") and output '",
                             out.name, "' (", dtype_name(out.dtype),
                             ") must both be float32 or both per-tensor int8");
    }
    if (max_) {
      QRUN_RETURN_IF_ERROR(ExpectSameQuantization(ctx, in, out));
    } else {
      // The window sum is int32: at most 255 per in-image cell.
      const int64_t cells = int64_t{std::min(g.kernel_h, g.in_h)} * std::min(g.kernel_w, g.in_w);
      if (cells * 255 > std::numeric_limits<int32_t>::max()) {
        return ctx.Unsupported("pooling window of ", cells, " cells can overflow the int32 sum");
      }
      input_zero_point_ = in.zero_point();
      scale_ = in.scale() / out.scale();
    }
    QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, act, out, &q_out_));
    if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference) {
      use_fast_ = max_ ? fast_.InitMax(ctx.isa(), g, q_out_)
                       : fast_.InitAverage(ctx.isa(), g, count_include_pad_, input_zero_point_,
                                           scale_, q_out_);
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (use_fast_) {
      fast_.Run(ctx.data<const int8_t>(input_), ctx.data<int8_t>(output_), ctx.threadpool());
    } else if (max_ && float_) {
      kernels::ref::max_pool_f32(geometry_, ctx.data<const float>(input_), out_min_, out_max_,
                                 ctx.data<float>(output_));
    } else if (max_) {
      kernels::ref::max_pool_s8(geometry_, ctx.data<const int8_t>(input_), q_out_,
                                ctx.data<int8_t>(output_));
    } else if (float_) {
      kernels::ref::average_pool_f32(geometry_, count_include_pad_, ctx.data<const float>(input_),
                                     out_min_, out_max_, ctx.data<float>(output_));
    } else {
      kernels::ref::average_pool_s8(geometry_, count_include_pad_, ctx.data<const int8_t>(input_),
                                    input_zero_point_, scale_, q_out_, ctx.data<int8_t>(output_));
    }
  }

  const char* kernel_name() const override {
    if (use_fast_) return fast_.name();
    if (max_) return float_ ? "max_pool2d_f32_ref" : "max_pool2d_s8_ref";
    return float_ ? "average_pool2d_f32_ref" : "average_pool2d_s8_ref";
  }
  uint64_t macs() const override { return macs_; }

 private:
  const bool max_;
  kernels::Pool2DGeometry geometry_;
  bool count_include_pad_ = false;
  bool float_ = false;
  int input_ = -1, output_ = -1;
  int32_t input_zero_point_ = 0;
  float scale_ = 1.0f;
  kernels::QuantizedOutput q_out_;
  float out_min_ = 0, out_max_ = 0;
  uint64_t macs_ = 0;
  kernels::Qs8Pool2D fast_;
  bool use_fast_ = false;
};

}  // namespace

std::unique_ptr<OpKernel> CreateMaxPool2D() { return std::make_unique<Pool2D>(true); }
std::unique_ptr<OpKernel> CreateAveragePool2D() { return std::make_unique<Pool2D>(false); }

}  // namespace qrun

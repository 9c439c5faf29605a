// FULLY_CONNECTED on XNNPACK. The input is read as [batch][in_features] like
// the native op (any leading dims flatten into batch; both output forms have
// the same bytes). Per-tensor int8 weights -> fully_connected qs8; per-channel
// weights, which XNNPACK's fully-connected operator cannot take, -> the
// equivalent 1x1 convolution qc8 over `batch` pixels ([out][in] weights are
// OHWI with H = W = 1); float32 -> fully_connected f32.
#include <vector>

#include "runtime/ops/op_util.h"
#include "runtime/xnnpack/registry.h"
#include "runtime/xnnpack/xnn_op.h"

namespace qrun::xnn {
namespace {

class FullyConnected : public XnnOpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(2, 3, 1));
    const fb::FullyConnectedOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& w = ctx.input(1);
    const TensorInfo& out = ctx.output(0);
    const TensorInfo* bias = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (w.rank() != 2 || !w.is_constant() || (bias != nullptr && !bias->is_constant())) {
      return ctx.Unsupported("needs 2-D constant weights and a constant bias");
    }
    const size_t out_features = static_cast<size_t>(w.dims[0]);
    const size_t in_features = static_cast<size_t>(w.dims[1]);
    batch_ = static_cast<size_t>(in.elements) / in_features;
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    macs_ = static_cast<uint64_t>(batch_) * in_features * out_features;
    const fb::FusedActivation* act = o ? o->activation() : nullptr;
    xnn_status s;

    if (in.dtype == DType::kFloat32) {
      if (w.dtype != DType::kFloat32 || out.dtype != DType::kFloat32 ||
          (bias != nullptr && bias->dtype != DType::kFloat32)) {
        return ctx.Unsupported("float32 layer needs float32 weights, bias and output");
      }
      float lo = 0, hi = 0;
      QRUN_RETURN_IF_ERROR(FloatActivation(ctx, act, &lo, &hi));
      QRUN_RETURN_IF_ERROR(CheckClamp(ctx, lo, hi));
      kind_ = Kind::kF32;
      name_ = "xnn:fully_connected_nc_f32";
      s = xnn_create_fully_connected_nc_f32(
          in_features, out_features, in_features, out_features,
          reinterpret_cast<const float*>(w.constant),
          bias ? reinterpret_cast<const float*>(bias->constant) : nullptr, lo, hi, 0, &op_);
      return CreateResult(ctx, s, "xnn_create_fully_connected_nc_f32");
    }

    kernels::QuantizedOutput q;
    QRUN_RETURN_IF_ERROR(CheckInt8Layer(ctx, in, w, bias, out, act, &q));
    const auto* kernel = reinterpret_cast<const int8_t*>(w.constant);
    const auto* b = bias ? reinterpret_cast<const int32_t*>(bias->constant) : nullptr;
    if (w.quant.per_channel()) {
      if (w.quant.axis != 0 || w.quant.scale.size() != out_features) {
        return ctx.Unsupported("per-channel weights must be quantized along the output features");
      }
      kind_ = Kind::kQc8Conv;
      name_ = "xnn:convolution_nhwc_qc8";
      s = xnn_create_convolution2d_nhwc_qc8(
          0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, in_features, out_features, in_features, out_features,
          S8(in.zero_point()), in.scale(), w.quant.scale.data(), kernel, b, S8(q.zero_point),
          out.scale(), S8(q.qmin), S8(q.qmax), 0, &op_);
      return CreateResult(ctx, s, "xnn_create_convolution2d_nhwc_qc8");
    }
    kind_ = Kind::kQs8;
    name_ = "xnn:fully_connected_nc_qs8";
    s = xnn_create_fully_connected_nc_qs8(in_features, out_features, in_features, out_features,
                                          S8(in.zero_point()), in.scale(), w.scale(), kernel, b,
                                          S8(q.zero_point), out.scale(), S8(q.qmin), S8(q.qmax), 0,
                                          &op_);
    return CreateResult(ctx, s, "xnn_create_fully_connected_nc_qs8");
  }

  Status Bind(const InvokeContext& ctx) override {
    switch (kind_) {
      case Kind::kF32:
        return SetupResult(
            xnn_setup_fully_connected_nc_f32(op_, batch_, ctx.data<const float>(input_),
                                             ctx.data<float>(output_), ctx.threadpool()),
            "xnn_setup_fully_connected_nc_f32");
      case Kind::kQs8:
        return SetupResult(
            xnn_setup_fully_connected_nc_qs8(op_, batch_, ctx.data<const int8_t>(input_),
                                             ctx.data<int8_t>(output_), ctx.threadpool()),
            "xnn_setup_fully_connected_nc_qs8");
      case Kind::kQc8Conv:
        return SetupResult(
            xnn_setup_convolution2d_nhwc_qc8(op_, batch_, 1, 1, ctx.data<const int8_t>(input_),
                                             ctx.data<int8_t>(output_), ctx.threadpool()),
            "xnn_setup_convolution2d_nhwc_qc8");
    }
    return Error(QRUN_ERROR_INTERNAL, "fully_connected: bad kind");
  }

 private:
  enum class Kind { kF32, kQs8, kQc8Conv };
  Kind kind_ = Kind::kF32;
  size_t batch_ = 0;
  int input_ = -1, output_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> CreateFullyConnected() { return std::make_unique<FullyConnected>(); }

}  // namespace qrun::xnn

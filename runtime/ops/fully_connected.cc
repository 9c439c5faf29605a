// FULLY_CONNECTED: int8 (asymmetric activations, symmetric per-channel
// weights, int32 bias), float32, or dynamically quantized (float32
// input/output/bias, int8 weights). Inputs: input, weights [out][in] constant,
// bias [out] (optional).
//
// The input may have any rank >= 1; its elements are read as
// [batch][in_features] with batch = elements / in_features. The output must
// be [batch, out_features], or, for inputs of rank > 2 whose last dim is
// in_features, the input's leading dims + [out_features] (the keep-dims form
// ONNX MatMul / Gemm-on-sequences produce). Both have the same bytes.
#include <limits>
#include <vector>

#include "kernels/dispatch/qs8_conv.h"
#include "kernels/reference/dynamic_quant.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/reference/quantize.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"
#include "runtime/ops/weights.h"

namespace qrun {
namespace {

class FullyConnected : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(2, 3, 1));
    const fb::FullyConnectedOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& w = ctx.input(1);
    const TensorInfo& out = ctx.output(0);
    QRUN_RETURN_IF_ERROR(ExpectRank(ctx, w, 2, "weights"));
    if (!w.is_constant()) return ctx.Unsupported("weights '", w.name, "' must be a constant");
    if (in.rank() < 1) return ctx.Invalid("input '", in.name, "' must have rank >= 1");

    kernels::ref::FullyConnectedGeometry& g = geometry_;
    g.out_features = static_cast<int>(w.dims[0]);
    g.in_features = static_cast<int>(w.dims[1]);
    if (in.elements % g.in_features != 0) {
      return ctx.Invalid("input '", in.name, "' ", in.shape_string(), " has ", in.elements,
                         " elements, not a multiple of in_features ", g.in_features);
    }
    const int64_t batch = in.elements / g.in_features;
    if (batch > std::numeric_limits<int>::max()) {
      return ctx.Unsupported("batch ", batch, " too large");
    }
    g.batch = static_cast<int>(batch);
    std::vector<int64_t> keep_dims(in.dims.begin(), in.dims.end() - 1);
    keep_dims.push_back(g.out_features);
    const bool keep_dims_ok =
        in.rank() > 2 && in.dims.back() == g.in_features && out.dims == keep_dims;
    if (!keep_dims_ok) {
      QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, {batch, g.out_features}, "output"));
    }
    macs_ = static_cast<uint64_t>(batch) * static_cast<uint64_t>(g.in_features) *
            static_cast<uint64_t>(g.out_features);

    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    weights_ = w.constant;
    const TensorInfo* bias = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    bias_ = bias ? bias->constant : nullptr;
    if (in.dtype == DType::kFloat32 && w.dtype == DType::kInt8) {
      // qconvert --dynamic: the input is quantized per run (scratch).
      dynamic_ = true;
      QRUN_RETURN_IF_ERROR(
          CheckDynamicLayer(ctx, in, w, bias, out, g.out_features, &weight_scale_));
      input_elements_ = static_cast<size_t>(in.elements);
      if (!ctx.validate_only()) scratch_ = ctx.RequestScratch(input_elements_);
      return FloatActivation(ctx, o ? o->activation() : nullptr, &out_min_, &out_max_);
    }
    if (in.dtype == DType::kFloat32) {
      float_ = true;
      QRUN_RETURN_IF_ERROR(CheckFloatLayer(ctx, w, bias, out, g.out_features));
      return FloatActivation(ctx, o ? o->activation() : nullptr, &out_min_, &out_max_);
    }
    QRUN_RETURN_IF_ERROR(
        CheckQuantizedLayer(ctx, in, w, bias, out, g.out_features, &requant_scale_));
    input_zero_point_ = in.zero_point();
    QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, o ? o->activation() : nullptr, out, &q_out_));
    if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference) {
      // A GEMM over [batch][in_features] rows, as a 1x1 convolution.
      kernels::Conv2DGeometry cg;
      cg.in_w = cg.out_w = g.batch;
      cg.in_h = cg.out_h = 1;
      cg.in_c = g.in_features;
      cg.out_c = g.out_features;
      if (fast_.Init(ctx.isa(), kernels::Qs8Conv::Kind::kFullyConnected, cg, input_zero_point_,
                     reinterpret_cast<const int8_t*>(weights_),
                     reinterpret_cast<const int32_t*>(bias_), requant_scale_.data(), q_out_)) {
        use_fast_ = true;
        scratch_ = ctx.RequestScratch(fast_.scratch_bytes());
      }
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (dynamic_) {
      const float* x = ctx.data<const float>(input_);
      auto* xq = static_cast<int8_t*>(ctx.scratch(scratch_));
      const kernels::ref::DynamicQuant q = kernels::ref::choose_dynamic_quant(input_elements_, x);
      kernels::ref::quantize_f32_s8(input_elements_, x, q.scale, q.zero_point, xq);
      kernels::ref::fully_connected_s8_f32(
          geometry_, xq, q.scale, q.zero_point, reinterpret_cast<const int8_t*>(weights_),
          weight_scale_.data(), reinterpret_cast<const float*>(bias_), out_min_, out_max_,
          ctx.data<float>(output_));
      return;
    }
    if (float_) {
      kernels::ref::fully_connected_f32(
          geometry_, ctx.data<const float>(input_), reinterpret_cast<const float*>(weights_),
          reinterpret_cast<const float*>(bias_), out_min_, out_max_, ctx.data<float>(output_));
      return;
    }
    if (use_fast_) {
      fast_.Run(ctx.data<const int8_t>(input_), ctx.data<int8_t>(output_), ctx.scratch(scratch_),
                ctx.threadpool());
      return;
    }
    kernels::ref::fully_connected_s8(geometry_, ctx.data<const int8_t>(input_), input_zero_point_,
                                     reinterpret_cast<const int8_t*>(weights_),
                                     reinterpret_cast<const int32_t*>(bias_), requant_scale_.data(),
                                     q_out_, ctx.data<int8_t>(output_));
  }

  const char* kernel_name() const override {
    if (use_fast_) return fast_.name();
    if (dynamic_) return "fully_connected_dq_s8_f32_ref";
    return float_ ? "fully_connected_f32_ref" : "fully_connected_s8_ref";
  }
  uint64_t macs() const override { return macs_; }
  size_t persistent_bytes() const override {
    return (requant_scale_.capacity() + weight_scale_.capacity()) * sizeof(float) +
           fast_.persistent_bytes();
  }

 private:
  kernels::ref::FullyConnectedGeometry geometry_;
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
};

}  // namespace

std::unique_ptr<OpKernel> CreateFullyConnected() { return std::make_unique<FullyConnected>(); }

}  // namespace qrun

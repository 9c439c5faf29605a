// FULLY_CONNECTED: int8 (asymmetric activations, symmetric per-channel
// weights, int32 bias) or float32. Inputs: input, weights [out][in] constant,
// bias [out] (optional).
//
// The input may have any rank >= 1; its elements are read as
// [batch][in_features] with batch = elements / in_features. The output must
// be [batch, out_features], or, for inputs of rank > 2 whose last dim is
// in_features, the input's leading dims + [out_features] (the keep-dims form
// ONNX MatMul / Gemm-on-sequences produce). Both have the same bytes.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <vector>

#include "kernels/reference/fully_connected.h"
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
    if (in.dtype == DType::kFloat32) {
      float_ = true;
      QRUN_RETURN_IF_ERROR(CheckFloatLayer(ctx, w, bias, out, g.out_features));
      return FloatActivation(ctx, o ? o->activation() : nullptr, &out_min_, &out_max_);
    }
    QRUN_RETURN_IF_ERROR(
        CheckQuantizedLayer(ctx, in, w, bias, out, g.out_features, &requant_scale_));
    input_zero_point_ = in.zero_point();
    QRUN_RETURN_IF_ERROR(CheckAccumulatorRange(ctx));
    return QuantizedActivation(ctx, o ? o->activation() : nullptr, out, &q_out_);
  }

  void Invoke(const InvokeContext& ctx) override {
    if (float_) {
      kernels::ref::fully_connected_f32(
          geometry_, ctx.data<const float>(input_), reinterpret_cast<const float*>(weights_),
          reinterpret_cast<const float*>(bias_), out_min_, out_max_, ctx.data<float>(output_));
      return;
    }
    kernels::ref::fully_connected_s8(geometry_, ctx.data<const int8_t>(input_), input_zero_point_,
                                     reinterpret_cast<const int8_t*>(weights_),
                                     reinterpret_cast<const int32_t*>(bias_), requant_scale_.data(),
                                     q_out_, ctx.data<int8_t>(output_));
  }

  const char* kernel_name() const override {
    return float_ ? "fully_connected_f32_ref" : "fully_connected_s8_ref";
  }
  uint64_t macs() const override { return macs_; }

 private:
  // The int8 kernel accumulates in int32; an overflow there is UB. The
  // weights are constant, so bound every output's worst case over all inputs.
  Status CheckAccumulatorRange(const PrepareContext& ctx) const {
    const int64_t max_dx = std::max(127 - input_zero_point_, input_zero_point_ + 128);
    const auto* w = reinterpret_cast<const int8_t*>(weights_);
    const auto* b = reinterpret_cast<const int32_t*>(bias_);
    for (int o = 0; o < geometry_.out_features; ++o) {
      int64_t sum = 0;
      const int8_t* row = w + static_cast<int64_t>(o) * geometry_.in_features;
      for (int i = 0; i < geometry_.in_features; ++i) sum += std::abs(static_cast<int32_t>(row[i]));
      int64_t bound = sum * max_dx + (b ? std::abs(static_cast<int64_t>(b[o])) : 0);
      if (bound > std::numeric_limits<int32_t>::max()) {
        return ctx.Unsupported("output feature ", o, " can overflow the int32 accumulator");
      }
    }
    return Status::Ok();
  }

  kernels::ref::FullyConnectedGeometry geometry_;
  bool float_ = false;
  int input_ = -1, output_ = -1;
  const uint8_t* weights_ = nullptr;
  const uint8_t* bias_ = nullptr;
  int32_t input_zero_point_ = 0;
  std::vector<float> requant_scale_;
  kernels::QuantizedOutput q_out_;
  float out_min_ = 0, out_max_ = 0;
  uint64_t macs_ = 0;
};

}  // namespace

std::unique_ptr<OpKernel> CreateFullyConnected() { return std::make_unique<FullyConnected>(); }

}  // namespace qrun

// RESHAPE: the output shape comes from the output tensor; a second (shape)
// input, as ONNX has, is ignored. Any dtype; input and output must agree in
// dtype, element count and (int8/uint8) quantization, so the bytes are copied
// unchanged. Per-channel parameters must still describe the same channels.
#include <cstring>

#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

// Elements after the per-channel axis: the channel of flat element e is
// (e / inner) % channels, so equal inner sizes keep every element's channel.
int64_t InnerSize(const TensorInfo& t) {
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(t.quant.axis) + 1; d < t.dims.size(); ++d) inner *= t.dims[d];
  return inner;
}

class Reshape : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 2, 1));
    const fb::ReshapeOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    if (in.dtype != out.dtype) {
      return ctx.Invalid("output '", out.name, "' is ", dtype_name(out.dtype), ", input '", in.name,
                         "' is ", dtype_name(in.dtype));
    }
    if (in.elements != out.elements) {
      return ctx.Invalid("input ", in.shape_string(), " and output ", out.shape_string(),
                         " have different element counts");
    }
    if (is_quantized(in.dtype)) {
      QRUN_RETURN_IF_ERROR(ExpectSameQuantization(ctx, in, out));
      if (in.quant.per_channel() && InnerSize(in) != InnerSize(out)) {
        return ctx.Invalid("per-channel axis ", in.quant.axis, " of '", in.name, "' and axis ",
                           out.quant.axis, " of '", out.name,
                           "' do not describe the same channels");
      }
    }
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    bytes_ = in.bytes;
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    const void* src = ctx.data<const void>(input_);
    void* dst = ctx.data<void>(output_);
    if (src != dst) std::memcpy(dst, src, bytes_);  // the interpreter may alias them
  }

  const char* kernel_name() const override { return "reshape_copy"; }

 private:
  int input_ = -1, output_ = -1;
  size_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<OpKernel> CreateReshape() { return std::make_unique<Reshape>(); }

}  // namespace qrun

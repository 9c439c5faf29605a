// QUANTIZE (float32 -> int8) and DEQUANTIZE (int8 -> float32) on XNNPACK's
// convert operators, over the tensor as one row. XNNPACK quantizes as
// x * (1 / scale) rounded to nearest-even where qrun divides (ONNX): the
// two can differ by 1 LSB on values within an ulp of a rounding tie.
#include "runtime/ops/op_util.h"
#include "runtime/xnnpack/registry.h"
#include "runtime/xnnpack/xnn_op.h"

namespace qrun::xnn {
namespace {

class Convert : public XnnOpKernel {
 public:
  explicit Convert(bool quantize) : quantize_(quantize) {}

  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    const TensorInfo& q = quantize_ ? out : in;
    const TensorInfo& f = quantize_ ? in : out;
    if (!IsPerTensorInt8(q) || f.dtype != DType::kFloat32) {
      return ctx.Unsupported("needs float32 and per-tensor int8");
    }
    elements_ = static_cast<size_t>(in.elements);
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    if (quantize_) {
      name_ = "xnn:convert_nc_f32_qs8";
      return CreateResult(ctx,
                          xnn_create_convert_nc_f32_qs8(1, 1, 1, q.scale(), S8(q.zero_point()),
                                                        -128, 127, 0, &op_),
                          "xnn_create_convert_nc_f32_qs8");
    }
    name_ = "xnn:convert_nc_qs8_f32";
    return CreateResult(
        ctx, xnn_create_convert_nc_qs8_f32(1, 1, 1, q.scale(), S8(q.zero_point()), 0, &op_),
        "xnn_create_convert_nc_qs8_f32");
  }

  Status Bind(const InvokeContext& ctx) override {
    if (quantize_) {
      return SetupResult(xnn_setup_convert_nc_f32_qs8(op_, elements_, ctx.data<const float>(input_),
                                                      ctx.data<int8_t>(output_), ctx.threadpool()),
                         "xnn_setup_convert_nc_f32_qs8");
    }
    return SetupResult(xnn_setup_convert_nc_qs8_f32(op_, elements_, ctx.data<const int8_t>(input_),
                                                    ctx.data<float>(output_), ctx.threadpool()),
                       "xnn_setup_convert_nc_qs8_f32");
  }

 private:
  const bool quantize_;
  size_t elements_ = 0;
  int input_ = -1, output_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> CreateQuantize() { return std::make_unique<Convert>(true); }
std::unique_ptr<OpKernel> CreateDequantize() { return std::make_unique<Convert>(false); }

}  // namespace qrun::xnn

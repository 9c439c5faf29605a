// SOFTMAX on XNNPACK: float32 over the last axis with beta = 1
// (softmax_nc_f32: rows of `depth` channels). int8 softmax (XNNPACK has only
// qu8) and other betas fall back.
#include "runtime/ops/op_util.h"
#include "runtime/xnnpack/registry.h"
#include "runtime/xnnpack/xnn_op.h"

namespace qrun::xnn {
namespace {

class Softmax : public XnnOpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const fb::SoftmaxOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const float beta = o ? o->beta() : fb::SoftmaxOptionsT().beta;
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    if (in.dtype != DType::kFloat32 || out.dtype != DType::kFloat32) {
      return ctx.Unsupported("XNNPACK has no int8 (qs8) softmax");
    }
    if (beta != 1.0f) return ctx.Unsupported("beta ", beta, " (XNNPACK computes beta = 1)");
    if (in.rank() < 1 || in.dims.back() < 1) return ctx.Unsupported("needs a non-empty last axis");
    const size_t depth = static_cast<size_t>(in.dims.back());
    rows_ = static_cast<size_t>(in.elements) / depth;
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    name_ = "xnn:softmax_nc_f32";
    return CreateResult(ctx, xnn_create_softmax_nc_f32(depth, depth, depth, 0, &op_),
                        "xnn_create_softmax_nc_f32");
  }

  Status Bind(const InvokeContext& ctx) override {
    return SetupResult(xnn_setup_softmax_nc_f32(op_, rows_, ctx.data<const float>(input_),
                                                ctx.data<float>(output_), ctx.threadpool()),
                       "xnn_setup_softmax_nc_f32");
  }

 private:
  size_t rows_ = 0;
  int input_ = -1, output_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> CreateSoftmax() { return std::make_unique<Softmax>(); }

}  // namespace qrun::xnn

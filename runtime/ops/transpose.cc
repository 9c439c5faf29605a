// TRANSPOSE: permutes the dims of a tensor, rank <= kernels::kMaxRank (the
// converter's NCHW <-> NHWC changes at the model boundary). Any dtype;
// quantized tensors keep the input's quantization (values pass through).
#include <vector>

#include "kernels/dispatch/elementwise.h"
#include "kernels/reference/transpose.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

class Transpose : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const fb::TransposeOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    const int rank = in.rank();
    QRUN_RETURN_IF_ERROR(ExpectKernelRank(ctx, in, "input"));
    const auto* perm = o ? o->perm() : nullptr;
    const int n = perm ? static_cast<int>(perm->size()) : 0;
    if (n != rank) return ctx.Invalid("perm has ", n, " entries, expected the rank ", rank);
    geometry_.rank = rank;
    std::vector<bool> seen(static_cast<size_t>(rank), false);
    std::vector<int64_t> out_dims(static_cast<size_t>(rank));
    for (int d = 0; d < rank; ++d) {
      const int p = perm->Get(static_cast<uint32_t>(d));
      if (p < 0 || p >= rank || seen[static_cast<size_t>(p)]) {
        return ctx.Invalid("perm is not a permutation of 0..", rank - 1);
      }
      seen[static_cast<size_t>(p)] = true;
      geometry_.perm[d] = p;
      geometry_.in_dims[d] = in.dims[static_cast<size_t>(d)];
      out_dims[static_cast<size_t>(d)] = in.dims[static_cast<size_t>(p)];
    }
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, out_dims, "output"));
    QRUN_RETURN_IF_ERROR(ExpectDType(ctx, out, in.dtype, "output"));
    if (is_quantized(in.dtype)) {
      if (!IsPerTensorInt8(in)) {
        return ctx.Unsupported("input '", in.name, "' must be float32, int32 or per-tensor int8");
      }
      QRUN_RETURN_IF_ERROR(ExpectSameQuantization(ctx, in, out));
    }
    elem_size_ = dtype_size(in.dtype);
    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    if (!ctx.validate_only() && ctx.isa() != kernels::Isa::kReference) {
      use_fast_ = fast_.Init(ctx.isa(), geometry_, elem_size_);
    }
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    if (use_fast_) return fast_.Run(ctx.data<const void>(input_), ctx.data<void>(output_), ctx.threadpool());
    kernels::ref::transpose(geometry_, elem_size_, ctx.data<const void>(input_),
                            ctx.data<void>(output_));
  }

  const char* kernel_name() const override { return use_fast_ ? fast_.name() : "transpose_ref"; }

 private:
  kernels::ref::TransposeGeometry geometry_;
  size_t elem_size_ = 0;
  int input_ = -1, output_ = -1;
  kernels::X8Transpose fast_;
  bool use_fast_ = false;
};

}  // namespace

std::unique_ptr<OpKernel> CreateTranspose() { return std::make_unique<Transpose>(); }

}  // namespace qrun

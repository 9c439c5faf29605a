// PAD: constant padding, rank <= kernels::kMaxRank. pads = [begin_0..,
// end_0..], 2 * rank non-negative entries (negative pads crop, which is not
// supported). float32, or per-tensor int8 with the same quantization in and
// out (values pass through unchanged); the pad value is a real number,
// quantized with the tensor's parameters for int8.
#include <cstring>
#include <vector>

#include "kernels/reference/pad.h"
#include "kernels/requantize.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/registry.h"

namespace qrun {
namespace {

class Pad : public OpKernel {
 public:
  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(1, 1, 1));
    const fb::PadOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const TensorInfo& in = ctx.input(0);
    const TensorInfo& out = ctx.output(0);
    const int rank = in.rank();
    QRUN_RETURN_IF_ERROR(ExpectKernelRank(ctx, in, "input"));
    const auto* pads = o ? o->pads() : nullptr;
    const int num_pads = pads ? static_cast<int>(pads->size()) : 0;
    if (num_pads != 2 * rank) {
      return ctx.Invalid("pads has ", num_pads, " entries, expected 2 * rank = ", 2 * rank);
    }
    geometry_.rank = rank;
    std::vector<int64_t> out_dims(static_cast<size_t>(rank));
    for (int d = 0; d < rank; ++d) {
      const int32_t before = pads->Get(static_cast<uint32_t>(d));
      const int32_t after = pads->Get(static_cast<uint32_t>(d + rank));
      if (before < 0 || after < 0) {
        return ctx.Unsupported("negative pads (cropping) are not supported, dim ", d, " has (",
                               before, ", ", after, ")");
      }
      geometry_.in_dims[d] = in.dims[static_cast<size_t>(d)];
      geometry_.pad_before[d] = before;
      geometry_.pad_after[d] = after;
      out_dims[static_cast<size_t>(d)] = in.dims[static_cast<size_t>(d)] + before + after;
    }
    QRUN_RETURN_IF_ERROR(ExpectShape(ctx, out, out_dims, "output"));

    input_ = ctx.input_index(0);
    output_ = ctx.output_index(0);
    const float value = o ? o->value() : 0.0f;
    if (in.dtype == DType::kFloat32) {
      QRUN_RETURN_IF_ERROR(ExpectDType(ctx, out, DType::kFloat32, "output"));
      elem_size_ = sizeof(float);
      std::memcpy(value_, &value, sizeof(float));
      return Status::Ok();
    }
    if (!IsPerTensorInt8(in)) {
      return ctx.Unsupported("input '", in.name, "' must be float32 or per-tensor int8, is ",
                             dtype_name(in.dtype));
    }
    QRUN_RETURN_IF_ERROR(ExpectDType(ctx, out, DType::kInt8, "output"));
    QRUN_RETURN_IF_ERROR(ExpectSameQuantization(ctx, in, out));
    elem_size_ = 1;
    const auto q =
        static_cast<int8_t>(kernels::quantize_value(value, in.scale(), in.zero_point(), -128, 127));
    std::memcpy(value_, &q, 1);
    return Status::Ok();
  }

  void Invoke(const InvokeContext& ctx) override {
    kernels::ref::pad(geometry_, elem_size_, ctx.data<const void>(input_), value_,
                      ctx.data<void>(output_));
  }

  const char* kernel_name() const override {
    return elem_size_ == 1 ? "pad_s8_ref" : "pad_f32_ref";
  }

 private:
  kernels::ref::PadGeometry geometry_;
  size_t elem_size_ = 0;
  alignas(4) unsigned char value_[4] = {};  // one element of the tensor's dtype
  int input_ = -1, output_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> CreatePad() { return std::make_unique<Pad>(); }

}  // namespace qrun

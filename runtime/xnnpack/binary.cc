// ADD and MUL on XNNPACK's N-d operators, which broadcast numpy-style like
// qrun (up to XNN_MAX_TENSOR_DIMS dims). int8: all three tensors per-tensor
// int8 (add_nd_qs8 / multiply_nd_qs8, XNNPACK checks its own scale-ratio
// limits and the op falls back beyond them); float32: add/multiply_nd_f32.
// The fused activation is XNNPACK's output_min/output_max.
#include <xnnpack.h>

#include <vector>

#include "runtime/ops/op_util.h"
#include "runtime/xnnpack/registry.h"
#include "runtime/xnnpack/xnn_op.h"

namespace qrun::xnn {
namespace {

class Binary : public XnnOpKernel {
 public:
  explicit Binary(bool mul) : mul_(mul) {}

  Status Prepare(PrepareContext& ctx) override {
    QRUN_RETURN_IF_ERROR(ctx.ExpectIo(2, 2, 1));
    const fb::BinaryOptions* o = nullptr;
    QRUN_RETURN_IF_ERROR(ctx.GetOptions(&o));
    const TensorInfo& a = ctx.input(0);
    const TensorInfo& b = ctx.input(1);
    const TensorInfo& out = ctx.output(0);
    if (a.rank() > XNN_MAX_TENSOR_DIMS || b.rank() > XNN_MAX_TENSOR_DIMS) {
      return ctx.Unsupported("rank above XNNPACK's ", XNN_MAX_TENSOR_DIMS);
    }
    a_rank_ = static_cast<size_t>(a.rank());
    b_rank_ = static_cast<size_t>(b.rank());
    for (size_t i = 0; i < a_rank_; ++i) a_shape_[i] = static_cast<size_t>(a.dims[i]);
    for (size_t i = 0; i < b_rank_; ++i) b_shape_[i] = static_cast<size_t>(b.dims[i]);
    a_ = ctx.input_index(0);
    b_ = ctx.input_index(1);
    // XNNPACK may read XNN_EXTRA_BYTES past an operand; a constant in the
    // model's bytes may end at the end of the mapping, so it gets a copy.
    for (int i = 0; i < 2; ++i) {
      const TensorInfo& t = i == 0 ? a : b;
      if (!t.is_constant()) continue;
      constant_copy_[i].assign(t.constant, t.constant + t.bytes);
      constant_copy_[i].resize(t.bytes + XNN_EXTRA_BYTES);
      packed_bytes_ += constant_copy_[i].capacity();
    }
    output_ = ctx.output_index(0);
    if (mul_) macs_ = static_cast<uint64_t>(out.elements);
    const fb::FusedActivation* act = o ? o->activation() : nullptr;
    xnn_status s;

    if (a.dtype == DType::kFloat32) {
      if (b.dtype != DType::kFloat32 || out.dtype != DType::kFloat32) {
        return ctx.Unsupported("float32 op needs float32 inputs and output");
      }
      float_ = true;
      float lo = 0, hi = 0;
      QRUN_RETURN_IF_ERROR(FloatActivation(ctx, act, &lo, &hi));
      QRUN_RETURN_IF_ERROR(CheckClamp(ctx, lo, hi));
      if (mul_) {
        name_ = "xnn:multiply_nd_f32";
        s = xnn_create_multiply_nd_f32(lo, hi, 0, &op_);
        return CreateResult(ctx, s, "xnn_create_multiply_nd_f32");
      }
      name_ = "xnn:add_nd_f32";
      s = xnn_create_add_nd_f32(lo, hi, 0, &op_);
      return CreateResult(ctx, s, "xnn_create_add_nd_f32");
    }
    if (!IsPerTensorInt8(a) || !IsPerTensorInt8(b) || !IsPerTensorInt8(out)) {
      return ctx.Unsupported("int8 op needs per-tensor int8 inputs and output");
    }
    kernels::QuantizedOutput q;
    QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, act, out, &q));
    QRUN_RETURN_IF_ERROR(CheckClamp(ctx, q.qmin, q.qmax));
    if (mul_) {
      name_ = "xnn:multiply_nd_qs8";
      s = xnn_create_multiply_nd_qs8(S8(a.zero_point()), a.scale(), S8(b.zero_point()), b.scale(),
                                     S8(q.zero_point), out.scale(), S8(q.qmin), S8(q.qmax), 0, &op_);
      return CreateResult(ctx, s, "xnn_create_multiply_nd_qs8");
    }
    name_ = "xnn:add_nd_qs8";
    s = xnn_create_add_nd_qs8(S8(a.zero_point()), a.scale(), S8(b.zero_point()), b.scale(),
                              S8(q.zero_point), out.scale(), S8(q.qmin), S8(q.qmax), 0, &op_);
    return CreateResult(ctx, s, "xnn_create_add_nd_qs8");
  }

  Status Bind(const InvokeContext& ctx) override {
    const void* pa = constant_copy_[0].empty() ? ctx.data<const void>(a_) : constant_copy_[0].data();
    const void* pb = constant_copy_[1].empty() ? ctx.data<const void>(b_) : constant_copy_[1].data();
    if (float_) {
      const auto* a = static_cast<const float*>(pa);
      const auto* b = static_cast<const float*>(pb);
      auto* y = ctx.data<float>(output_);
      if (mul_) {
        return SetupResult(xnn_setup_multiply_nd_f32(op_, a_rank_, a_shape_, b_rank_, b_shape_, a,
                                                     b, y, ctx.threadpool()),
                           "xnn_setup_multiply_nd_f32");
      }
      return SetupResult(
          xnn_setup_add_nd_f32(op_, a_rank_, a_shape_, b_rank_, b_shape_, a, b, y, ctx.threadpool()),
          "xnn_setup_add_nd_f32");
    }
    const auto* a = static_cast<const int8_t*>(pa);
    const auto* b = static_cast<const int8_t*>(pb);
    auto* y = ctx.data<int8_t>(output_);
    if (mul_) {
      return SetupResult(xnn_setup_multiply_nd_qs8(op_, a_rank_, a_shape_, b_rank_, b_shape_, a, b,
                                                   y, ctx.threadpool()),
                         "xnn_setup_multiply_nd_qs8");
    }
    return SetupResult(
        xnn_setup_add_nd_qs8(op_, a_rank_, a_shape_, b_rank_, b_shape_, a, b, y, ctx.threadpool()),
        "xnn_setup_add_nd_qs8");
  }

 private:
  const bool mul_;
  bool float_ = false;
  size_t a_rank_ = 0, b_rank_ = 0;
  size_t a_shape_[XNN_MAX_TENSOR_DIMS] = {};
  size_t b_shape_[XNN_MAX_TENSOR_DIMS] = {};
  int a_ = -1, b_ = -1, output_ = -1;
  std::vector<uint8_t> constant_copy_[2];
};

}  // namespace

std::unique_ptr<OpKernel> CreateAdd() { return std::make_unique<Binary>(false); }
std::unique_ptr<OpKernel> CreateMul() { return std::make_unique<Binary>(true); }

}  // namespace qrun::xnn

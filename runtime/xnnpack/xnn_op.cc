#include "runtime/xnnpack/xnn_op.h"

#include "runtime/ops/op_util.h"

#include <mutex>

namespace qrun::xnn {

namespace {
std::once_flag g_init_once;
xnn_status g_init_status = xnn_status_uninitialized;
const xnn_allocator* g_init_allocator = nullptr;
}  // namespace

Status Initialize(const xnn_allocator* allocator) {
  std::call_once(g_init_once, [allocator] {
    g_init_allocator = allocator;
    g_init_status = xnn_initialize(allocator);
  });
  if (g_init_status == xnn_status_success) return Status::Ok();
  if (g_init_status == xnn_status_unsupported_hardware) {
    return Error(QRUN_ERROR_UNSUPPORTED, "XNNPACK does not support this CPU");
  }
  return Error(QRUN_ERROR_INTERNAL, "xnn_initialize failed: ", StatusName(g_init_status));
}

const xnn_allocator* InitializedAllocator() { return g_init_allocator; }

const char* StatusName(xnn_status s) {
  switch (s) {
    case xnn_status_success: return "success";
    case xnn_status_uninitialized: return "uninitialized";
    case xnn_status_invalid_parameter: return "invalid parameter";
    case xnn_status_invalid_state: return "invalid state";
    case xnn_status_unsupported_parameter: return "unsupported parameter";
    case xnn_status_unsupported_hardware: return "unsupported hardware";
    case xnn_status_out_of_memory: return "out of memory";
  }
  return "unknown status";
}

Status CheckInt8Layer(const PrepareContext& ctx, const TensorInfo& in, const TensorInfo& w,
                      const TensorInfo* bias, const TensorInfo& out,
                      const fb::FusedActivation* act, kernels::QuantizedOutput* q) {
  if (!IsPerTensorInt8(in) || !IsPerTensorInt8(out) || w.dtype != DType::kInt8 ||
      (bias != nullptr && bias->dtype != DType::kInt32)) {
    return ctx.Unsupported("int8 layer needs per-tensor int8 input/output, int8 weights, int32 bias");
  }
  for (int32_t zp : w.quant.zero_point) {
    if (zp != 0) return ctx.Unsupported("weights must be symmetric");
  }
  QRUN_RETURN_IF_ERROR(QuantizedActivation(ctx, act, out, q));
  return CheckClamp(ctx, q->qmin, q->qmax);
}

Status CreateResult(const PrepareContext& ctx, xnn_status s, const char* function) {
  switch (s) {
    case xnn_status_success: return Status::Ok();
    case xnn_status_invalid_parameter:
    case xnn_status_unsupported_parameter:
    case xnn_status_unsupported_hardware:
      return ctx.Unsupported(function, " rejects the op's parameters (", StatusName(s), ")");
    case xnn_status_out_of_memory:
      return Error(QRUN_ERROR_OUT_OF_MEMORY, ctx.label(), ": ", function, ": out of memory");
    default:
      return Error(QRUN_ERROR_INTERNAL, ctx.label(), ": ", function, " failed (", StatusName(s), ")");
  }
}

Status XnnOpKernel::SetupResult(xnn_status s, const char* function) const {
  if (s == xnn_status_success) return Status::Ok();
  if (s == xnn_status_out_of_memory) return Error(QRUN_ERROR_OUT_OF_MEMORY, function, ": out of memory");
  return Error(QRUN_ERROR_INTERNAL, function, " failed for ", name_, " (", StatusName(s), ")");
}

}  // namespace qrun::xnn

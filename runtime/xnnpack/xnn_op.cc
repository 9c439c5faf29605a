#include "runtime/xnnpack/xnn_op.h"

#include "runtime/ops/op_util.h"

#include <malloc.h>

#include <cstdlib>
#include <mutex>

namespace qrun::xnn {

namespace {
std::once_flag g_init_once;
xnn_status g_init_status = xnn_status_uninitialized;
const xnn_allocator* g_init_allocator = nullptr;  // the caller's, if any
thread_local int64_t* t_counter = nullptr;        // the innermost AllocationScope's

// The allocator qrun installs: the caller's (or malloc) plus accounting.
int64_t Usable(void* p) {
  return (p != nullptr && g_init_allocator == nullptr) ? static_cast<int64_t>(malloc_usable_size(p)) : 0;
}
void Count(int64_t delta) {
  if (t_counter != nullptr) *t_counter += delta;
}
void* Allocate(void*, size_t size) {
  const xnn_allocator* a = g_init_allocator;
  void* p = a ? a->allocate(a->context, size) : std::malloc(size);
  if (p != nullptr) Count(a ? static_cast<int64_t>(size) : Usable(p));
  return p;
}
void* Reallocate(void*, void* old, size_t size) {
  const xnn_allocator* a = g_init_allocator;
  const int64_t before = Usable(old);
  void* p = a ? a->reallocate(a->context, old, size) : std::realloc(old, size);
  if (p != nullptr) Count(a ? static_cast<int64_t>(size) : Usable(p) - before);
  return p;
}
void Deallocate(void*, void* p) {
  const xnn_allocator* a = g_init_allocator;
  Count(-Usable(p));
  if (a) a->deallocate(a->context, p);
  else std::free(p);
}
void* AlignedAllocate(void*, size_t alignment, size_t size) {
  const xnn_allocator* a = g_init_allocator;
  void* p = nullptr;
  if (a) {
    p = a->aligned_allocate(a->context, alignment, size);
  } else if (posix_memalign(&p, alignment < sizeof(void*) ? sizeof(void*) : alignment, size) != 0) {
    p = nullptr;
  }
  if (p != nullptr) Count(a ? static_cast<int64_t>(size) : Usable(p));
  return p;
}
void AlignedDeallocate(void*, void* p) {
  const xnn_allocator* a = g_init_allocator;
  Count(-Usable(p));
  if (a) a->aligned_deallocate(a->context, p);
  else std::free(p);
}
const xnn_allocator kAccountingAllocator = {nullptr, Allocate, Reallocate, Deallocate,
                                            AlignedAllocate, AlignedDeallocate};
}  // namespace

AllocationScope::AllocationScope(int64_t* bytes) : previous_(t_counter) { t_counter = bytes; }
AllocationScope::~AllocationScope() { t_counter = previous_; }

Status Initialize(const xnn_allocator* allocator) {
  std::call_once(g_init_once, [allocator] {
    g_init_allocator = allocator;
    g_init_status = xnn_initialize(&kAccountingAllocator);
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

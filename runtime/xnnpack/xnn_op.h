// Shared pieces of the XNNPACK backend: one-time library initialisation,
// status mapping, and XnnOpKernel, the base of every XNNPACK-backed kernel.
//
// Life of an XNNPACK kernel: Prepare() decides whether XNNPACK can express
// the op with the model's parameters and creates the operator (XNNPACK packs
// the weights then); a parameter XNNPACK cannot take is an UNSUPPORTED
// status, and the interpreter prepares the native kernel for that op instead.
// Bind() runs xnn_setup_* once on the planned arena buffers (the arena never
// moves), and Invoke() is just xnn_run_operator: no allocation, no failure.
#pragma once

#include <xnnpack.h>

#include <cstdint>

#include "kernels/geometry.h"
#include "runtime/ops/op.h"

namespace qrun::xnn {

// xnn_initialize once per process; thread-safe, later calls return the first
// result. `allocator` (null: XNNPACK's malloc-based default) only counts on
// the first call: tests pass a counting allocator before any interpreter.
Status Initialize(const xnn_allocator* allocator = nullptr);
// The allocator the first Initialize call passed (null: XNNPACK's default,
// or not initialized yet).
const xnn_allocator* InitializedAllocator();

const char* StatusName(xnn_status s);

// While alive, adds to *bytes what XNNPACK allocates (minus what it frees)
// on this thread: the memory its operators keep (packed weights,
// indirection buffers), which is neither the model's nor the arena's. The
// interpreter wraps each XNNPACK op's Prepare and Bind in one, so
// qrun_interpreter_packed_bytes includes it. Exact with qrun's default
// allocator; with a caller's allocator (tests) frees cannot be sized, so only
// allocations count.
class AllocationScope {
 public:
  explicit AllocationScope(int64_t* bytes);
  ~AllocationScope();
  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;

 private:
  int64_t* previous_;
};

// The result of an xnn_create_* call: a parameter XNNPACK rejects becomes
// UNSUPPORTED (the op falls back to the native kernel), out of memory stays
// OUT_OF_MEMORY, anything else is INTERNAL.
Status CreateResult(const PrepareContext& ctx, xnn_status s, const char* function);

// Saturating conversion of an int8 zero point or clamp bound (the loader
// keeps them in [-128, 127]; this only guards the narrowing).
inline int8_t S8(int32_t v) {
  return static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
}

// XNNPACK requires output_min < output_max; a fused activation that leaves a
// single value (e.g. RELU with zero point 127) stays native.
inline Status CheckClamp(const PrepareContext& ctx, int32_t qmin, int32_t qmax) {
  if (qmin < qmax) return Status::Ok();
  return ctx.Unsupported("the output clamp range is a single value (", qmin, ")");
}
inline Status CheckClamp(const PrepareContext& ctx, float lo, float hi) {
  if (lo < hi) return Status::Ok();
  return ctx.Unsupported("the output clamp range is a single value (", lo, ")");
}

// Conv / FC int8 layers: per-tensor int8 input and output, symmetric int8
// weights, optional int32 bias; fills the output clamp of the fused
// activation. Anything else is UNSUPPORTED (the op stays native).
Status CheckInt8Layer(const PrepareContext& ctx, const TensorInfo& in, const TensorInfo& w,
                      const TensorInfo* bias, const TensorInfo& out,
                      const fb::FusedActivation* act, kernels::QuantizedOutput* q);

class XnnOpKernel : public OpKernel {
 public:
  XnnOpKernel() = default;
  XnnOpKernel(const XnnOpKernel&) = delete;
  XnnOpKernel& operator=(const XnnOpKernel&) = delete;
  ~XnnOpKernel() override {
    if (op_ != nullptr) xnn_delete_operator(op_);
  }

  void Invoke(const InvokeContext& ctx) override { xnn_run_operator(op_, ctx.threadpool()); }
  const char* kernel_name() const override { return name_; }
  uint64_t macs() const override { return macs_; }
  size_t persistent_bytes() const override { return packed_bytes_; }
  const char* backend_name() const override { return "xnnpack"; }

 protected:
  // The result of an xnn_setup_* call, for Bind().
  Status SetupResult(xnn_status s, const char* function) const;

  xnn_operator_t op_ = nullptr;
  const char* name_ = "xnn";  // "xnn:<operator>", set with the operator
  uint64_t macs_ = 0;
  // Bytes qrun itself keeps for the op (e.g. padded constant copies); what
  // XNNPACK allocates is measured by the interpreter (AllocationScope).
  size_t packed_bytes_ = 0;
};

}  // namespace qrun::xnn

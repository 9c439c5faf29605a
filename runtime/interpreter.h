// Runs a prepared model. Create() does all the work that can fail or
// allocate (kernel choice, constants, arena); Invoke() only runs kernels.
// Not thread-safe: one interpreter per thread; the Model may be shared.
#pragma once

#include <pthreadpool.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "qrun/qrun.h"
#include "runtime/model.h"
#include "runtime/ops/op.h"
#include "runtime/status.h"

namespace qrun {

struct InterpreterOptions {
  int num_threads = 1;
  int backend = QRUN_BACKEND_NATIVE;  // a qrun_backend; int so any value can be checked
  bool profiling = false;
  size_t max_arena_bytes = 0;  // 0: no limit; else Create fails with OUT_OF_MEMORY above it
  // Kernel instruction-set level: "" or "auto" (the QRUN_ISA environment
  // variable if set, else the CPU's best), or a level name ("reference",
  // "avx2", "avx512vnni", ...; kernels::IsaName). A level this CPU lacks is
  // an UNSUPPORTED error, an unknown name INVALID_ARGUMENT. The reference
  // backend always uses the reference kernels.
  std::string isa;
  // Keep every intermediate tensor until the next invoke (no buffer reuse):
  // a bigger arena, so that tools can read each layer's output (qrun --dump).
  bool preserve_intermediates = false;
  // 3x3 stride-1 convolutions through Winograd F(2x2, 3x3) where the CPU's
  // kernels have it (x86 AVX2): faster, bit-identical results, 16/9 the packed
  // weight memory of those layers. false: direct kernels only.
  bool winograd = true;
};

struct OpProfile {
  uint64_t macs = 0;
  double time_ms = 0.0;
};

class Interpreter {
 public:
  static Status Create(std::shared_ptr<const Model> model, const InterpreterOptions& options,
                       std::unique_ptr<Interpreter>* out);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  Status Invoke();

  const Model& model() const { return *model_; }
  // Data of any tensor: arena memory for activations, the model's bytes for
  // constants (read-only), null for tensors no op uses.
  void* tensor_data(int tensor) const { return tensor_data_[static_cast<size_t>(tensor)]; }
  void* input_data(int i) const { return tensor_data(model_->inputs()[static_cast<size_t>(i)]); }
  void* output_data(int i) const { return tensor_data(model_->outputs()[static_cast<size_t>(i)]); }

  // True if the tensor's contents after Invoke() are its own: constants,
  // graph inputs and outputs, and with preserve_intermediates every tensor.
  bool tensor_readable(int tensor) const;

  size_t arena_bytes() const { return arena_bytes_; }
  size_t arena_lower_bound() const { return arena_lower_bound_; }
  // Sum of the kernels' persistent_bytes(): packed weights and op constants.
  size_t packed_bytes() const;
  const char* kernel_name(int op) const { return kernels_[static_cast<size_t>(op)]->kernel_name(); }
  // The engine that runs the op: "native", "reference" or "xnnpack".
  const char* op_backend(int op) const;
  // With the XNNPACK backend, why the op runs natively instead ("" if it
  // runs on XNNPACK or the backend is another one).
  const std::string& fallback_reason(int op) const { return fallback_reason_[static_cast<size_t>(op)]; }
  const std::vector<OpProfile>& profile() const { return profile_; }
  // The level the kernels were chosen for.
  kernels::Isa isa() const { return isa_; }

 private:
  explicit Interpreter(std::shared_ptr<const Model> model, const InterpreterOptions& options);
  Status PrepareOps(std::vector<std::vector<size_t>>* scratch_requests);
  Status PlanMemory(const std::vector<std::vector<size_t>>& scratch_requests);
  // Picks and prepares op i's kernel for the backend (XNNPACK first, native
  // fallback), appending it to kernels_.
  Status PrepareOp(size_t i, std::vector<size_t>* scratch_request);
  // Kernels' one-time Bind on the final arena and thread pool.
  Status BindOps();

  std::shared_ptr<const Model> model_;
  InterpreterOptions options_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;
  std::vector<void*> tensor_data_;
  std::vector<void*> scratch_data_;        // all ops' scratch pointers, flat
  std::vector<size_t> scratch_begin_;      // op -> first index in scratch_data_
  std::vector<OpProfile> profile_;
  std::vector<std::string> fallback_reason_;  // per op, XNNPACK backend only
  // Per op: bytes a backend library allocated for it and keeps (XNNPACK's
  // packed weights, indirection buffers), counted in packed_bytes().
  std::vector<int64_t> backend_bytes_;
  void* arena_ = nullptr;
  size_t arena_bytes_ = 0;
  size_t arena_lower_bound_ = 0;
  pthreadpool_t threadpool_ = nullptr;
  kernels::Isa isa_ = kernels::Isa::kReference;
};

}  // namespace qrun

// The contract between the interpreter and one operator implementation.
//
// Prepare() runs once per interpreter (and once at model load with
// validate_only, to reject inconsistent models early): it checks dtypes and
// shapes, picks a kernel, computes requantization constants and packs
// weights. Invoke() only runs the chosen kernel on ready pointers: no
// allocation, no validation, no failure.
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "qrun/qrun.h"
#include "runtime/model.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace qrun {

class PrepareContext {
 public:
  PrepareContext(const Model& model, int op_index, bool validate_only, qrun_backend backend,
                 kernels::Isa isa = kernels::Isa::kReference, bool winograd = true,
                 int num_threads = 1)
      : model_(model), op_index_(op_index), op_(model.ops()[static_cast<size_t>(op_index)]),
        validate_only_(validate_only), backend_(backend), isa_(isa), winograd_(winograd),
        num_threads_(num_threads) {}

  int num_inputs() const { return static_cast<int>(op_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(op_.outputs.size()); }
  bool has_input(int i) const { return i < num_inputs() && op_.inputs[static_cast<size_t>(i)] >= 0; }
  int input_index(int i) const { return op_.inputs[static_cast<size_t>(i)]; }
  int output_index(int i) const { return op_.outputs[static_cast<size_t>(i)]; }
  // Callers check has_input / num_outputs first (ExpectIo does).
  const TensorInfo& input(int i) const { return model_.tensor(input_index(i)); }
  const TensorInfo& output(int i) const { return model_.tensor(output_index(i)); }

  // The op's options table. An absent table leaves *out null (callers use
  // the schema defaults); a table of another type is an error.
  template <typename T>
  Status GetOptions(const T** out) const {
    *out = nullptr;
    if (op_.fb == nullptr || op_.fb->options_type() == fb::OpOptions::NONE) return Status::Ok();
    if (op_.fb->options_type() != fb::OpOptionsTraits<T>::enum_value) {
      return Invalid("options table has the wrong type (",
                     fb::EnumNameOpOptions(op_.fb->options_type()), ")");
    }
    *out = static_cast<const T*>(op_.fb->options());
    return Status::Ok();
  }

  // Checks the input count (min..max, optional trailing inputs may be -1 or
  // missing) and the output count; required inputs must be present.
  Status ExpectIo(int min_inputs, int max_inputs, int outputs) const;

  // Errors prefixed with the op's label.
  template <typename... Parts>
  Status Invalid(const Parts&... parts) const {
    return InvalidModel(label(), ": ", parts...);
  }
  template <typename... Parts>
  Status Unsupported(const Parts&... parts) const {
    return Error(QRUN_ERROR_UNSUPPORTED, label(), ": ", parts...);
  }
  std::string label() const { return model_.op_label(op_index_); }

  // Per-op scratch memory, live only while this op runs; planned into the
  // arena. Returns a slot for InvokeContext::scratch.
  int RequestScratch(size_t bytes) {
    scratch_.push_back(bytes);
    return static_cast<int>(scratch_.size()) - 1;
  }
  const std::vector<size_t>& scratch_requests() const { return scratch_; }

  bool validate_only() const { return validate_only_; }
  qrun_backend backend() const { return backend_; }
  // The instruction-set level ops choose kernels for: the CPU's best, a
  // forced level (InterpreterOptions::isa, QRUN_ISA), or kReference for the
  // reference backend and validation. Always supported by this CPU.
  kernels::Isa isa() const { return isa_; }
  // Whether 3x3 convolutions may use Winograd kernels (InterpreterOptions::winograd).
  bool winograd() const { return winograd_; }
  // Threads of the interpreter's pool: at most this many tasks of one op run
  // at once (sizes per-thread scratch).
  int num_threads() const { return num_threads_; }
  const Model& model() const { return model_; }

 private:
  const Model& model_;
  int op_index_;
  const OpInfo& op_;
  bool validate_only_;
  qrun_backend backend_;
  kernels::Isa isa_;
  bool winograd_;
  int num_threads_;
  std::vector<size_t> scratch_;
};

class InvokeContext {
 public:
  InvokeContext(void* const* tensor_data, void* const* scratch, pthreadpool_t threadpool)
      : tensor_data_(tensor_data), scratch_(scratch), threadpool_(threadpool) {}

  template <typename T>
  T* data(int tensor) const {
    return static_cast<T*>(tensor_data_[tensor]);
  }
  void* scratch(int slot) const { return scratch_[slot]; }
  pthreadpool_t threadpool() const { return threadpool_; }

 private:
  void* const* tensor_data_;
  void* const* scratch_;
  pthreadpool_t threadpool_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual Status Prepare(PrepareContext& ctx) = 0;
  virtual void Invoke(const InvokeContext& ctx) = 0;
  // Name of the kernel chosen at prepare, e.g. "conv2d_s8_ref".
  virtual const char* kernel_name() const = 0;
  virtual uint64_t macs() const { return 0; }
  // Bytes this kernel owns after Prepare and keeps for its lifetime: packed
  // weights, requantization tables, other precomputed constants (not the
  // model's own bytes, not arena scratch). Reported by
  // qrun_interpreter_packed_bytes; approximate (container capacity) is fine.
  virtual size_t persistent_bytes() const { return 0; }
  // Runs once after memory planning, with the final arena pointers (the
  // arena never moves): kernels of other engines (XNNPACK) bind their
  // operators to the buffers here. May allocate and fail; Invoke may not.
  virtual Status Bind(const InvokeContext& ctx) { return Status::Ok(); }
  // The engine that runs this kernel, or null for the interpreter's own
  // ("native" or "reference", by its backend option).
  virtual const char* backend_name() const { return nullptr; }
};

}  // namespace qrun

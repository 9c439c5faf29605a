#include "runtime/interpreter.h"

#include <chrono>
#include <cstdlib>
#include <new>

#include "runtime/arena_planner.h"
#include "runtime/ops/registry.h"
#ifdef QRUN_WITH_XNNPACK
#include "runtime/xnnpack/registry.h"
#include "runtime/xnnpack/xnn_op.h"
#endif

namespace qrun {

namespace {
// Cache-line alignment for every arena buffer: good for SIMD loads and keeps
// buffers from sharing lines between threads.
constexpr size_t kArenaAlignment = 64;
constexpr int kMaxThreads = 256;

// Explicit option > QRUN_ISA > the CPU's best. The reference backend always
// runs the reference kernels, but a forced level is still checked.
Status ResolveIsa(const InterpreterOptions& opts, kernels::Isa* isa) {
  std::string name = opts.isa;
  const char* source = "isa option";
  if (name.empty() || name == "auto") {
    const char* env = std::getenv("QRUN_ISA");
    name = env ? env : "";
    source = "QRUN_ISA";
  }
  bool is_auto = false;
  if (!kernels::ParseIsa(name.c_str(), isa, &is_auto)) {
    return Error(QRUN_ERROR_INVALID_ARGUMENT, source, ": unknown instruction set '", name,
                 "' (expected auto, reference, avx2, avxvnni, avx512vnni, neon, neondot or i8mm)");
  }
  if (!kernels::IsaSupported(*isa)) {
    return Error(QRUN_ERROR_UNSUPPORTED, source, ": instruction set '", name,
                 "' is not supported by this CPU (supported: ", kernels::SupportedIsaList(), ")");
  }
  if (opts.backend == QRUN_BACKEND_REFERENCE) *isa = kernels::Isa::kReference;
  return Status::Ok();
}
}  // namespace

Interpreter::Interpreter(std::shared_ptr<const Model> model, const InterpreterOptions& options)
    : model_(std::move(model)), options_(options) {}

Interpreter::~Interpreter() {
  if (threadpool_ != nullptr) pthreadpool_destroy(threadpool_);
  std::free(arena_);
}

Status Interpreter::Create(std::shared_ptr<const Model> model, const InterpreterOptions& options,
                           std::unique_ptr<Interpreter>* out) {
  if (!model) return Error(QRUN_ERROR_INVALID_ARGUMENT, "model is null");
  InterpreterOptions opts = options;
  if (opts.num_threads == 0) opts.num_threads = 1;
  if (opts.num_threads < 1 || opts.num_threads > kMaxThreads) {
    return Error(QRUN_ERROR_INVALID_ARGUMENT, "num_threads ", options.num_threads,
                 " out of range [1, ", kMaxThreads, "]");
  }
  switch (opts.backend) {
    case QRUN_BACKEND_NATIVE:
    case QRUN_BACKEND_REFERENCE:
      break;
    case QRUN_BACKEND_XNNPACK:
#ifdef QRUN_WITH_XNNPACK
      QRUN_RETURN_IF_ERROR(xnn::Initialize());
      break;
#else
      return Error(QRUN_ERROR_UNSUPPORTED, "the XNNPACK backend is not available in this build");
#endif
    default:
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "unknown backend ", opts.backend);
  }
  kernels::Isa isa = kernels::Isa::kReference;
  QRUN_RETURN_IF_ERROR(ResolveIsa(opts, &isa));
  std::unique_ptr<Interpreter> it(new Interpreter(std::move(model), opts));
  it->isa_ = isa;
  std::vector<std::vector<size_t>> scratch_requests;
  QRUN_RETURN_IF_ERROR(it->PrepareOps(&scratch_requests));
  QRUN_RETURN_IF_ERROR(it->PlanMemory(scratch_requests));
  // The pool exists before Bind: XNNPACK sizes its work split on it.
  if (opts.num_threads > 1) {
    it->threadpool_ = pthreadpool_create(static_cast<size_t>(opts.num_threads));
    if (it->threadpool_ == nullptr) return Error(QRUN_ERROR_OUT_OF_MEMORY, "cannot create thread pool");
  }
  QRUN_RETURN_IF_ERROR(it->BindOps());
  *out = std::move(it);
  return Status::Ok();
}

Status Interpreter::PrepareOps(std::vector<std::vector<size_t>>* scratch_requests) {
  const auto& ops = model_->ops();
  kernels_.reserve(ops.size());
  scratch_requests->resize(ops.size());
  fallback_reason_.assign(ops.size(), std::string());
  backend_bytes_.assign(ops.size(), 0);
  for (size_t i = 0; i < ops.size(); ++i) {
    QRUN_RETURN_IF_ERROR(PrepareOp(i, &(*scratch_requests)[i]));
  }
  profile_.resize(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) profile_[i].macs = kernels_[i]->macs();
  return Status::Ok();
}

Status Interpreter::PrepareOp(size_t i, std::vector<size_t>* scratch_request) {
  const OpInfo& op = model_->ops()[i];
  const int index = static_cast<int>(i);
  qrun_backend backend = static_cast<qrun_backend>(options_.backend);
#ifdef QRUN_WITH_XNNPACK
  if (backend == QRUN_BACKEND_XNNPACK) {
    // XNNPACK first; UNSUPPORTED means XNNPACK cannot express the op with
    // these parameters, and the native kernel takes it. Decided here, once.
    std::unique_ptr<OpKernel> kernel = xnn::CreateOpKernel(op.type);
    if (kernel) {
      PrepareContext ctx(*model_, index, /*validate_only=*/false, backend, isa_,
                         options_.winograd, options_.num_threads);
      int64_t xnn_bytes = 0;
      Status s;
      {
        xnn::AllocationScope scope(&xnn_bytes);  // XNNPACK's packed weights
        s = kernel->Prepare(ctx);
      }
      if (s.ok()) {
        backend_bytes_[i] += xnn_bytes;
        *scratch_request = ctx.scratch_requests();
        kernels_.push_back(std::move(kernel));
        return Status::Ok();
      }
      if (s.code() != QRUN_ERROR_UNSUPPORTED) return s;
      fallback_reason_[i] = s.message();
    } else {
      fallback_reason_[i] = model_->op_label(index) + ": no XNNPACK operator for this op type";
    }
    backend = QRUN_BACKEND_NATIVE;
  }
#endif
  std::unique_ptr<OpKernel> kernel = CreateOpKernel(op.type);
  if (!kernel) {
    return Error(QRUN_ERROR_UNSUPPORTED, model_->op_label(index), ": op type not supported");
  }
  PrepareContext ctx(*model_, index, /*validate_only=*/false, backend, isa_,
                         options_.winograd, options_.num_threads);
  QRUN_RETURN_IF_ERROR(kernel->Prepare(ctx));
  *scratch_request = ctx.scratch_requests();
  kernels_.push_back(std::move(kernel));
  return Status::Ok();
}

Status Interpreter::BindOps() {
  for (size_t i = 0; i < kernels_.size(); ++i) {
    InvokeContext ctx(tensor_data_.data(), scratch_data_.data() + scratch_begin_[i], threadpool_);
    Status s;
#ifdef QRUN_WITH_XNNPACK
    {
      xnn::AllocationScope scope(&backend_bytes_[i]);  // e.g. indirection buffers
      s = kernels_[i]->Bind(ctx);
    }
#else
    s = kernels_[i]->Bind(ctx);
#endif
    if (!s.ok()) return Error(s.code(), model_->op_label(static_cast<int>(i)), ": ", s.message());
  }
  return Status::Ok();
}

const char* Interpreter::op_backend(int op) const {
  const char* name = kernels_[static_cast<size_t>(op)]->backend_name();
  if (name != nullptr) return name;
  return options_.backend == QRUN_BACKEND_REFERENCE ? "reference" : "native";
}

Status Interpreter::PlanMemory(const std::vector<std::vector<size_t>>& scratch_requests) {
  const auto& tensors = model_->tensors();
  const auto& ops = model_->ops();
  const int num_ops = static_cast<int>(ops.size());
  // Lifetimes in op steps; graph outputs live until after the last op (step
  // num_ops). Graph inputs live throughout too: callers fill them once and
  // invoke repeatedly (benchmarks, streaming), so no op may overwrite them.
  std::vector<int> first(tensors.size(), -1), last(tensors.size(), -1);
  auto touch = [&](int t, int step) {
    if (t < 0 || tensors[static_cast<size_t>(t)].is_constant()) return;
    if (first[static_cast<size_t>(t)] < 0 || step < first[static_cast<size_t>(t)]) first[static_cast<size_t>(t)] = step;
    if (step > last[static_cast<size_t>(t)]) last[static_cast<size_t>(t)] = step;
  };
  for (int t : model_->inputs()) touch(t, 0);
  for (int i = 0; i < num_ops; ++i) {
    for (int t : ops[static_cast<size_t>(i)].inputs) touch(t, i);
    for (int t : ops[static_cast<size_t>(i)].outputs) touch(t, i);
  }
  for (int t : model_->inputs()) touch(t, num_ops);
  for (int t : model_->outputs()) touch(t, num_ops);
  if (options_.preserve_intermediates) {
    for (size_t t = 0; t < tensors.size(); ++t) {
      if (first[t] >= 0) last[t] = num_ops;
    }
  }

  std::vector<BufferRequest> requests;
  std::vector<int> request_tensor;  // tensor index, or -1 for scratch
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (first[t] < 0) continue;
    requests.push_back({tensors[t].bytes, first[t], last[t]});
    request_tensor.push_back(static_cast<int>(t));
  }
  scratch_begin_.resize(ops.size() + 1);
  size_t num_scratch = 0;
  for (int i = 0; i < num_ops; ++i) {
    scratch_begin_[static_cast<size_t>(i)] = num_scratch;
    for (size_t bytes : scratch_requests[static_cast<size_t>(i)]) {
      requests.push_back({bytes, i, i});
      request_tensor.push_back(-1);
      ++num_scratch;
    }
  }
  scratch_begin_[ops.size()] = num_scratch;

  ArenaPlan plan;
  QRUN_RETURN_IF_ERROR(PlanArena(requests, kArenaAlignment, &plan));
  arena_bytes_ = plan.arena_bytes;
  arena_lower_bound_ = ArenaLowerBound(requests, kArenaAlignment);
  if (options_.max_arena_bytes != 0 && arena_bytes_ > options_.max_arena_bytes) {
    return Error(QRUN_ERROR_OUT_OF_MEMORY, "the model needs a ", arena_bytes_,
                 "-byte arena, more than max_arena_bytes (", options_.max_arena_bytes, ")");
  }
  if (arena_bytes_ > 0) {
    // XNNPACK kernels may read up to XNN_EXTRA_BYTES (16) past an input's
    // end: one more cache line keeps those reads inside the allocation.
    const size_t tail = options_.backend == QRUN_BACKEND_XNNPACK ? kArenaAlignment : 0;
    arena_ = std::aligned_alloc(kArenaAlignment, arena_bytes_ + tail);  // size is a multiple of 64
    if (arena_ == nullptr) {
      return Error(QRUN_ERROR_OUT_OF_MEMORY, "cannot allocate a ", arena_bytes_, "-byte arena");
    }
  }
  auto* base = static_cast<uint8_t*>(arena_);
  tensor_data_.assign(tensors.size(), nullptr);
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (tensors[t].is_constant()) tensor_data_[t] = const_cast<uint8_t*>(tensors[t].constant);
  }
  scratch_data_.assign(num_scratch, nullptr);
  size_t s = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    void* p = base + plan.offsets[r];
    if (request_tensor[r] >= 0) {
      tensor_data_[static_cast<size_t>(request_tensor[r])] = p;
    } else {
      scratch_data_[s++] = p;
    }
  }
  return Status::Ok();
}

bool Interpreter::tensor_readable(int tensor) const {
  if (tensor < 0 || static_cast<size_t>(tensor) >= tensor_data_.size()) return false;
  if (tensor_data_[static_cast<size_t>(tensor)] == nullptr) return false;
  if (options_.preserve_intermediates || model_->tensor(tensor).is_constant()) return true;
  for (int t : model_->inputs()) {
    if (t == tensor) return true;
  }
  for (int t : model_->outputs()) {
    if (t == tensor) return true;
  }
  return false;
}

size_t Interpreter::packed_bytes() const {
  size_t total = 0;
  for (const auto& k : kernels_) total += k->persistent_bytes();
  for (int64_t b : backend_bytes_) total += b > 0 ? static_cast<size_t>(b) : 0;
  return total;
}

Status Interpreter::Invoke() {
  using Clock = std::chrono::steady_clock;
  for (size_t i = 0; i < kernels_.size(); ++i) {
    InvokeContext ctx(tensor_data_.data(), scratch_data_.data() + scratch_begin_[i], threadpool_);
    if (options_.profiling) {
      const auto start = Clock::now();
      kernels_[i]->Invoke(ctx);
      profile_[i].time_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    } else {
      kernels_[i]->Invoke(ctx);
    }
  }
  return Status::Ok();
}

}  // namespace qrun

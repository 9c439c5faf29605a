#include "runtime/interpreter.h"

#include <chrono>
#include <cstdlib>
#include <new>

#include "runtime/arena_planner.h"
#include "runtime/ops/registry.h"

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
      return Error(QRUN_ERROR_UNSUPPORTED, "the XNNPACK backend is not available in this build");
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
  if (opts.num_threads > 1) {
    it->threadpool_ = pthreadpool_create(static_cast<size_t>(opts.num_threads));
    if (it->threadpool_ == nullptr) return Error(QRUN_ERROR_OUT_OF_MEMORY, "cannot create thread pool");
  }
  *out = std::move(it);
  return Status::Ok();
}

Status Interpreter::PrepareOps(std::vector<std::vector<size_t>>* scratch_requests) {
  const auto& ops = model_->ops();
  kernels_.reserve(ops.size());
  scratch_requests->resize(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    std::unique_ptr<OpKernel> kernel = CreateOpKernel(ops[i].type);
    if (!kernel) {
      return Error(QRUN_ERROR_UNSUPPORTED, model_->op_label(static_cast<int>(i)), ": op type not supported");
    }
    PrepareContext ctx(*model_, static_cast<int>(i), /*validate_only=*/false,
                       static_cast<qrun_backend>(options_.backend), isa_);
    QRUN_RETURN_IF_ERROR(kernel->Prepare(ctx));
    (*scratch_requests)[i] = ctx.scratch_requests();
    kernels_.push_back(std::move(kernel));
  }
  profile_.resize(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) profile_[i].macs = kernels_[i]->macs();
  return Status::Ok();
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
    arena_ = std::aligned_alloc(kArenaAlignment, arena_bytes_);  // size is a multiple of 64
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

size_t Interpreter::packed_bytes() const {
  size_t total = 0;
  for (const auto& k : kernels_) total += k->persistent_bytes();
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

// The C API: thin handles over Model and Interpreter, errors as status codes
// plus a thread-local message.
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "qrun/qrun.h"
#include "runtime/interpreter.h"
#include "runtime/model.h"

struct qrun_model {
  std::shared_ptr<const qrun::Model> model;
};

struct qrun_interpreter {
  std::unique_ptr<qrun::Interpreter> interpreter;
};

namespace {

// The C enums are read as int where a C caller may have stored any value.
static_assert(sizeof(qrun_status) == sizeof(int) && sizeof(qrun_dtype) == sizeof(int) &&
                  sizeof(qrun_backend) == sizeof(int),
              "the C API's enums are int-sized");

thread_local std::string g_last_error;

qrun_status Report(const qrun::Status& s) {
  if (!s.ok()) g_last_error = s.message();
  return s.code();
}

qrun_status Fail(qrun_status code, const char* message) {
  g_last_error = message;
  return code;
}

// Library code never lets an exception (e.g. bad_alloc) cross the C boundary.
template <typename Fn>
qrun_status Guard(Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Fail(QRUN_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    g_last_error = std::string("internal error: ") + e.what();
    return QRUN_ERROR_INTERNAL;
  }
}

void FillTensor(const qrun::Interpreter& it, int tensor, qrun_tensor* out) {
  const qrun::TensorInfo& t = it.model().tensor(tensor);
  std::memset(out, 0, sizeof(*out));
  out->name = t.name.c_str();
  out->dtype = static_cast<qrun_dtype>(t.dtype);
  out->rank = t.rank();
  for (int i = 0; i < t.rank(); ++i) out->dims[i] = t.dims[static_cast<size_t>(i)];
  out->scale = t.scale();
  out->zero_point = t.zero_point();
  out->data = it.tensor_data(tensor);
  out->bytes = t.bytes;
}

}  // namespace

extern "C" {

const char* qrun_version(void) { return QRUN_VERSION_STRING; }

const char* qrun_last_error(void) { return g_last_error.c_str(); }

// C callers may pass any int as an enum; read it as int (a C++ enum value
// outside its enumerators' range is undefined behaviour).
const char* qrun_status_string(qrun_status status) {
  int code;
  std::memcpy(&code, &status, sizeof code);
  switch (code) {
    case QRUN_OK: return "ok";
    case QRUN_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case QRUN_ERROR_IO: return "i/o error";
    case QRUN_ERROR_INVALID_MODEL: return "invalid model";
    case QRUN_ERROR_UNSUPPORTED: return "unsupported";
    case QRUN_ERROR_OUT_OF_MEMORY: return "out of memory";
    case QRUN_ERROR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

const char* qrun_dtype_name(qrun_dtype dtype) {
  int code;  // as in qrun_status_string
  std::memcpy(&code, &dtype, sizeof code);
  switch (code) {
    case QRUN_DTYPE_FLOAT32:
    case QRUN_DTYPE_INT8:
    case QRUN_DTYPE_UINT8:
    case QRUN_DTYPE_INT32:
      return qrun::dtype_name(static_cast<qrun::DType>(code));
  }
  return "unknown";
}

qrun_status qrun_model_load_file(const char* path, qrun_model** out_model) {
  if (path == nullptr || out_model == nullptr) return Fail(QRUN_ERROR_INVALID_ARGUMENT, "null argument");
  *out_model = nullptr;
  return Guard([&] {
    std::shared_ptr<const qrun::Model> model;
    qrun::Status s = qrun::Model::LoadFile(path, &model);
    if (!s.ok()) return Report(s);
    *out_model = new qrun_model{std::move(model)};
    return QRUN_OK;
  });
}

qrun_status qrun_model_load_buffer(const void* data, size_t size, qrun_model** out_model) {
  if (out_model == nullptr) return Fail(QRUN_ERROR_INVALID_ARGUMENT, "null argument");
  *out_model = nullptr;
  return Guard([&] {
    std::shared_ptr<const qrun::Model> model;
    qrun::Status s = qrun::Model::LoadBuffer(data, size, &model);
    if (!s.ok()) return Report(s);
    *out_model = new qrun_model{std::move(model)};
    return QRUN_OK;
  });
}

void qrun_model_free(qrun_model* model) { delete model; }

size_t qrun_model_size_bytes(const qrun_model* model) {
  return model ? model->model->size_bytes() : 0;
}

const char* qrun_model_metadata(const qrun_model* model, const char* key) {
  if (model == nullptr || key == nullptr) return nullptr;
  const std::string* v = model->model->metadata(key);
  return v ? v->c_str() : nullptr;
}

qrun_options qrun_options_default(void) {
  qrun_options o;
  o.num_threads = 1;
  o.backend = QRUN_BACKEND_NATIVE;
  o.enable_profiling = 0;
  o.max_arena_bytes = 0;
  o.isa = nullptr;
  o.preserve_intermediates = 0;
  o.winograd = 1;
  return o;
}

qrun_status qrun_interpreter_create(const qrun_model* model, const qrun_options* options,
                                    qrun_interpreter** out_interpreter) {
  if (model == nullptr || out_interpreter == nullptr) return Fail(QRUN_ERROR_INVALID_ARGUMENT, "null argument");
  *out_interpreter = nullptr;
  const qrun_options o = options ? *options : qrun_options_default();
  return Guard([&] {
    qrun::InterpreterOptions io;
    io.num_threads = o.num_threads;
    // Read the enum as its int bits: a C caller may store any value there.
    std::memcpy(&io.backend, &o.backend, sizeof(io.backend));
    io.profiling = o.enable_profiling != 0;
    io.max_arena_bytes = o.max_arena_bytes;
    io.isa = o.isa ? o.isa : "";
    io.preserve_intermediates = o.preserve_intermediates != 0;
    io.winograd = o.winograd != 0;
    std::unique_ptr<qrun::Interpreter> it;
    qrun::Status s = qrun::Interpreter::Create(model->model, io, &it);
    if (!s.ok()) return Report(s);
    *out_interpreter = new qrun_interpreter{std::move(it)};
    return QRUN_OK;
  });
}

void qrun_interpreter_free(qrun_interpreter* interpreter) { delete interpreter; }

int qrun_interpreter_input_count(const qrun_interpreter* interpreter) {
  return interpreter ? static_cast<int>(interpreter->interpreter->model().inputs().size()) : 0;
}

int qrun_interpreter_output_count(const qrun_interpreter* interpreter) {
  return interpreter ? static_cast<int>(interpreter->interpreter->model().outputs().size()) : 0;
}

qrun_status qrun_interpreter_input(const qrun_interpreter* interpreter, int index,
                                   qrun_tensor* out_tensor) {
  if (interpreter == nullptr || out_tensor == nullptr) return Fail(QRUN_ERROR_INVALID_ARGUMENT, "null argument");
  const auto& inputs = interpreter->interpreter->model().inputs();
  if (index < 0 || static_cast<size_t>(index) >= inputs.size()) {
    return Fail(QRUN_ERROR_INVALID_ARGUMENT, "input index out of range");
  }
  FillTensor(*interpreter->interpreter, inputs[static_cast<size_t>(index)], out_tensor);
  return QRUN_OK;
}

qrun_status qrun_interpreter_output(const qrun_interpreter* interpreter, int index,
                                    qrun_tensor* out_tensor) {
  if (interpreter == nullptr || out_tensor == nullptr) return Fail(QRUN_ERROR_INVALID_ARGUMENT, "null argument");
  const auto& outputs = interpreter->interpreter->model().outputs();
  if (index < 0 || static_cast<size_t>(index) >= outputs.size()) {
    return Fail(QRUN_ERROR_INVALID_ARGUMENT, "output index out of range");
  }
  FillTensor(*interpreter->interpreter, outputs[static_cast<size_t>(index)], out_tensor);
  return QRUN_OK;
}

qrun_status qrun_interpreter_invoke(qrun_interpreter* interpreter) {
  if (interpreter == nullptr) return Fail(QRUN_ERROR_INVALID_ARGUMENT, "null argument");
  return Report(interpreter->interpreter->Invoke());
}

size_t qrun_interpreter_arena_bytes(const qrun_interpreter* interpreter) {
  return interpreter ? interpreter->interpreter->arena_bytes() : 0;
}

size_t qrun_interpreter_packed_bytes(const qrun_interpreter* interpreter) {
  return interpreter ? interpreter->interpreter->packed_bytes() : 0;
}

int qrun_interpreter_op_count(const qrun_interpreter* interpreter) {
  return interpreter ? static_cast<int>(interpreter->interpreter->model().ops().size()) : 0;
}

int qrun_interpreter_op_output_count(const qrun_interpreter* interpreter, int op_index) {
  if (interpreter == nullptr) return 0;
  const auto& ops = interpreter->interpreter->model().ops();
  if (op_index < 0 || static_cast<size_t>(op_index) >= ops.size()) return 0;
  return static_cast<int>(ops[static_cast<size_t>(op_index)].outputs.size());
}

qrun_status qrun_interpreter_op_output(const qrun_interpreter* interpreter, int op_index,
                                       int output_index, qrun_tensor* out_tensor) {
  if (interpreter == nullptr || out_tensor == nullptr) return Fail(QRUN_ERROR_INVALID_ARGUMENT, "null argument");
  const qrun::Interpreter& it = *interpreter->interpreter;
  const auto& ops = it.model().ops();
  if (op_index < 0 || static_cast<size_t>(op_index) >= ops.size()) {
    return Fail(QRUN_ERROR_INVALID_ARGUMENT, "op index out of range");
  }
  const auto& outputs = ops[static_cast<size_t>(op_index)].outputs;
  if (output_index < 0 || static_cast<size_t>(output_index) >= outputs.size()) {
    return Fail(QRUN_ERROR_INVALID_ARGUMENT, "output index out of range");
  }
  const int tensor = outputs[static_cast<size_t>(output_index)];
  if (!it.tensor_readable(tensor)) {
    return Fail(QRUN_ERROR_INVALID_ARGUMENT,
                ("output " + std::to_string(output_index) + " of op " + std::to_string(op_index) +
                 " is an intermediate tensor whose buffer is reused; create the interpreter "
                 "with preserve_intermediates to read it").c_str());
  }
  FillTensor(it, tensor, out_tensor);
  return QRUN_OK;
}

qrun_status qrun_interpreter_op_profile(const qrun_interpreter* interpreter, int index,
                                        qrun_op_profile* out_profile) {
  if (interpreter == nullptr || out_profile == nullptr) return Fail(QRUN_ERROR_INVALID_ARGUMENT, "null argument");
  const qrun::Interpreter& it = *interpreter->interpreter;
  const auto& ops = it.model().ops();
  if (index < 0 || static_cast<size_t>(index) >= ops.size()) {
    return Fail(QRUN_ERROR_INVALID_ARGUMENT, "op index out of range");
  }
  const qrun::OpInfo& op = ops[static_cast<size_t>(index)];
  const qrun::TensorInfo& out = it.model().tensor(op.outputs[0]);
  std::memset(out_profile, 0, sizeof(*out_profile));
  out_profile->name = op.name.c_str();
  out_profile->type = qrun::op_type_name(op.type);
  out_profile->kernel = it.kernel_name(index);
  out_profile->dtype = qrun::dtype_name(out.dtype);
  out_profile->rank = out.rank();
  for (int i = 0; i < out.rank(); ++i) out_profile->dims[i] = out.dims[static_cast<size_t>(i)];
  out_profile->macs = it.profile()[static_cast<size_t>(index)].macs;
  out_profile->time_ms = it.profile()[static_cast<size_t>(index)].time_ms;
  out_profile->backend = it.op_backend(index);
  return QRUN_OK;
}

}  // extern "C"

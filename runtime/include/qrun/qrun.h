/* qrun: int8 inference runtime for edge CPUs. Public C API.
 *
 * Typical use:
 *   qrun_model* m; qrun_interpreter* it;
 *   if (qrun_model_load_file("model.qfb", &m) != QRUN_OK) puts(qrun_last_error());
 *   qrun_interpreter_create(m, NULL, &it);             // NULL: default options
 *   qrun_tensor in; qrun_interpreter_input(it, 0, &in); // fill in.data (in.bytes)
 *   qrun_interpreter_invoke(it);
 *   qrun_tensor out; qrun_interpreter_output(it, 0, &out);
 *   qrun_interpreter_free(it); qrun_model_free(m);
 *
 * Errors: every function returning qrun_status sets a message readable with
 * qrun_last_error() on the same thread until the next failing call.
 * Threads: a qrun_model is immutable once loaded and may be shared by any
 * number of interpreters on any threads. One interpreter must be used by one
 * thread at a time.
 */
#ifndef QRUN_QRUN_H_
#define QRUN_QRUN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QRUN_VERSION_MAJOR 0
#define QRUN_VERSION_MINOR 1
#define QRUN_VERSION_PATCH 0
#define QRUN_MAX_RANK 8

typedef enum qrun_status {
  QRUN_OK = 0,
  QRUN_ERROR_INVALID_ARGUMENT = 1, /* bad argument from the caller */
  QRUN_ERROR_IO = 2,               /* file missing or unreadable */
  QRUN_ERROR_INVALID_MODEL = 3,    /* malformed or inconsistent model */
  QRUN_ERROR_UNSUPPORTED = 4,      /* valid model, but an op/dtype/backend is not supported */
  QRUN_ERROR_OUT_OF_MEMORY = 5,
  QRUN_ERROR_INTERNAL = 6
} qrun_status;

typedef enum qrun_dtype {
  QRUN_DTYPE_FLOAT32 = 0,
  QRUN_DTYPE_INT8 = 1,
  QRUN_DTYPE_UINT8 = 2,
  QRUN_DTYPE_INT32 = 3
} qrun_dtype;

typedef enum qrun_backend {
  QRUN_BACKEND_NATIVE = 0,    /* qrun's own kernels, best ISA of this CPU */
  QRUN_BACKEND_REFERENCE = 1, /* portable reference kernels only */
  QRUN_BACKEND_XNNPACK = 2    /* XNNPACK operators where they apply */
} qrun_backend;

typedef struct qrun_model qrun_model;
typedef struct qrun_interpreter qrun_interpreter;

typedef struct qrun_options {
  int num_threads;      /* >= 1; default 1 */
  qrun_backend backend; /* default QRUN_BACKEND_NATIVE */
  int enable_profiling; /* record per-op times during invoke; default 0 */
} qrun_options;

/* A view of one graph input or output. Pointers stay valid for the lifetime
 * of the interpreter (data) or model (name). */
typedef struct qrun_tensor {
  const char* name;
  qrun_dtype dtype;
  int rank;
  int64_t dims[QRUN_MAX_RANK];
  float scale;        /* quantized dtypes: per-tensor scale; float32: 0 */
  int32_t zero_point; /* quantized dtypes: per-tensor zero point */
  void* data;         /* input: write here before invoke; output: read after */
  size_t bytes;
} qrun_tensor;

/* One row of the per-op profile. */
typedef struct qrun_op_profile {
  const char* name;   /* node name from the model (may be "") */
  const char* type;   /* op type, e.g. "CONV_2D" */
  const char* kernel; /* the kernel that ran, e.g. "conv2d_s8_ref" */
  const char* dtype;  /* "int8" or "float32" */
  int rank;
  int64_t dims[QRUN_MAX_RANK]; /* first output's shape */
  uint64_t macs;
  double time_ms;     /* last invoke (profiling only) */
} qrun_op_profile;

const char* qrun_version(void);
const char* qrun_last_error(void);
const char* qrun_status_string(qrun_status status);
const char* qrun_dtype_name(qrun_dtype dtype);

/* Loads and validates a model. _file maps the file read-only; _buffer uses
 * the caller's bytes in place (no copy): they must outlive the model and
 * every interpreter created from it. */
qrun_status qrun_model_load_file(const char* path, qrun_model** out_model);
qrun_status qrun_model_load_buffer(const void* data, size_t size, qrun_model** out_model);
/* Interpreters keep the model alive; freeing it early is safe. */
void qrun_model_free(qrun_model* model);
/* Metadata value for key, or NULL. Also "producer" and "description". */
const char* qrun_model_metadata(const qrun_model* model, const char* key);

qrun_options qrun_options_default(void);

/* Plans memory, checks every op and computes constants. options may be NULL. */
qrun_status qrun_interpreter_create(const qrun_model* model, const qrun_options* options,
                                    qrun_interpreter** out_interpreter);
void qrun_interpreter_free(qrun_interpreter* interpreter);

int qrun_interpreter_input_count(const qrun_interpreter* interpreter);
int qrun_interpreter_output_count(const qrun_interpreter* interpreter);
qrun_status qrun_interpreter_input(const qrun_interpreter* interpreter, int index,
                                   qrun_tensor* out_tensor);
qrun_status qrun_interpreter_output(const qrun_interpreter* interpreter, int index,
                                    qrun_tensor* out_tensor);

/* Runs the graph. Allocates nothing. */
qrun_status qrun_interpreter_invoke(qrun_interpreter* interpreter);

/* Bytes of the activation arena of this interpreter. */
size_t qrun_interpreter_arena_bytes(const qrun_interpreter* interpreter);

/* Per-op rows: type, kernel, shape and MACs are always filled; time_ms is
 * the last invoke's time when enable_profiling was set, else 0. */
int qrun_interpreter_op_count(const qrun_interpreter* interpreter);
qrun_status qrun_interpreter_op_profile(const qrun_interpreter* interpreter, int index,
                                        qrun_op_profile* out_profile);

#ifdef __cplusplus
}
#endif

#endif /* QRUN_QRUN_H_ */

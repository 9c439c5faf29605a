/* qrun: int8 inference runtime for edge CPUs. Public C API.
 *
 * This header is C99 (and C++) compatible and is the whole embedding API;
 * qrun/qrun.hpp wraps it in RAII classes. docs/embedding.md covers building,
 * installing and linking.
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
 * Conventions for every function below:
 *
 * Errors: functions returning qrun_status return QRUN_OK on success; on
 *   failure they store a one-line, human-readable message that
 *   qrun_last_error() returns on the same thread until the next failing call
 *   on that thread. Out-parameters are set to NULL (handles) or left
 *   unspecified (structs) on failure. The library never aborts, exits or
 *   throws across this API on bad input: malformed models, bad arguments and
 *   allocation failures all come back as a status.
 * NULL: a NULL handle or out-pointer passed to a function returning
 *   qrun_status gives QRUN_ERROR_INVALID_ARGUMENT. Query functions (counts,
 *   sizes, metadata) return 0 or NULL for a NULL handle. The _free functions
 *   accept NULL and do nothing.
 * Ownership: handles (qrun_model*, qrun_interpreter*) are created by a
 *   _load/_create function and owned by the caller until passed to the
 *   matching _free. Strings and tensor data pointers returned by the library
 *   are owned by it; their lifetime is stated per function and they must not
 *   be freed by the caller.
 * Threads: a qrun_model is immutable once loaded; it may be used by any
 *   number of threads at once and shared by any number of interpreters
 *   running in parallel on different threads. A qrun_interpreter is
 *   single-threaded for callers: it must not be used by two threads at the
 *   same time (invoke writes its arena and profile); callers that move an
 *   interpreter between threads must synchronize the hand-over themselves.
 *   (With num_threads > 1 an interpreter runs work on its own thread pool
 *   internally; that does not change the rule above.) The functions that
 *   take no handle are thread-safe.
 */
#ifndef QRUN_QRUN_H_
#define QRUN_QRUN_H_

#include <stddef.h>
#include <stdint.h>

/* QRUN_API marks the exported functions. A shared libqrun is built with
 * -fvisibility=hidden, so these are its only exported symbols. */
#ifndef QRUN_API
#if defined(_WIN32) && defined(QRUN_SHARED_LIBRARY)
#ifdef QRUN_BUILDING_LIBRARY
#define QRUN_API __declspec(dllexport)
#else
#define QRUN_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define QRUN_API __attribute__((visibility("default")))
#else
#define QRUN_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Library version. This is the single source of truth: the CMake project
 * version is read from these lines, and qrun_version() returns
 * QRUN_VERSION_STRING of the library actually linked (compare the two to
 * detect a header/library mismatch). Before 1.0, minor versions may change
 * the API and ABI; patch versions do not. */
#define QRUN_VERSION_MAJOR 0
#define QRUN_VERSION_MINOR 1
#define QRUN_VERSION_PATCH 0
#define QRUN_VERSION_STRINGIFY_(x) #x
#define QRUN_VERSION_STRINGIFY(x) QRUN_VERSION_STRINGIFY_(x)
/* "MAJOR.MINOR.PATCH", e.g. "0.1.0". */
#define QRUN_VERSION_STRING                                                          \
  QRUN_VERSION_STRINGIFY(QRUN_VERSION_MAJOR) "." QRUN_VERSION_STRINGIFY(QRUN_VERSION_MINOR) "." \
  QRUN_VERSION_STRINGIFY(QRUN_VERSION_PATCH)
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons. */
#define QRUN_VERSION_NUMBER \
  (QRUN_VERSION_MAJOR * 10000 + QRUN_VERSION_MINOR * 100 + QRUN_VERSION_PATCH)

/* Maximum tensor rank (size of the dims arrays below). */
#define QRUN_MAX_RANK 8

typedef enum qrun_status {
  QRUN_OK = 0,
  QRUN_ERROR_INVALID_ARGUMENT = 1, /* bad argument from the caller */
  QRUN_ERROR_IO = 2,               /* file missing or unreadable */
  QRUN_ERROR_INVALID_MODEL = 3,    /* malformed or inconsistent model */
  QRUN_ERROR_UNSUPPORTED = 4,      /* valid model, but an op/dtype/backend is not supported */
  QRUN_ERROR_OUT_OF_MEMORY = 5,    /* allocation failed, or a configured limit was exceeded */
  QRUN_ERROR_INTERNAL = 6          /* a bug in qrun: please report it */
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

/* Opaque handles. */
typedef struct qrun_model qrun_model;
typedef struct qrun_interpreter qrun_interpreter;

/* Interpreter options. Always start from qrun_options_default() so that
 * fields added in later versions get their defaults. */
typedef struct qrun_options {
  int num_threads;        /* 1..256; default 1 (0 is read as 1) */
  qrun_backend backend;   /* default QRUN_BACKEND_NATIVE */
  int enable_profiling;   /* record per-op times during invoke; default 0 */
  size_t max_arena_bytes; /* refuse models whose activation arena is larger
                             (QRUN_ERROR_OUT_OF_MEMORY); 0 = no limit (default) */
  const char* isa;        /* kernel instruction set: NULL or "auto" (default:
                             the QRUN_ISA environment variable if set, else the
                             best this CPU has), or one of "reference", "avx2",
                             "avxvnni", "avx512vnni" (x86), "neon", "neondot",
                             "i8mm" (ARM). A level the CPU lacks fails with
                             QRUN_ERROR_UNSUPPORTED, an unknown name with
                             QRUN_ERROR_INVALID_ARGUMENT. Copied at create. */
  int preserve_intermediates; /* keep every op's output until the next invoke
                             (no buffer reuse: a larger arena) so that
                             qrun_interpreter_op_output can read each layer,
                             e.g. to compare layer by layer; default 0 */
  int winograd;           /* 1 (default): 3x3 stride-1 int8 convolutions may
                             use Winograd F(2x2, 3x3) kernels where this CPU
                             has them (x86 AVX2): faster, bit-identical
                             results, but 16/9 the packed weight memory of
                             those layers. 0: direct kernels only. */
} qrun_options;

/* A view of one graph input or output. name stays valid for the lifetime of
 * the model, data for the lifetime of the interpreter; neither is owned by
 * the caller. data is never NULL and holds exactly `bytes` bytes. */
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

/* One row of the per-op profile. Strings stay valid for the lifetime of the
 * interpreter. */
typedef struct qrun_op_profile {
  const char* name;   /* node name from the model (may be "") */
  const char* type;   /* op type, e.g. "CONV_2D" */
  const char* kernel; /* the kernel that ran, e.g. "conv2d_s8_ref" */
  const char* dtype;  /* "int8" or "float32" */
  int rank;
  int64_t dims[QRUN_MAX_RANK]; /* first output's shape */
  uint64_t macs;
  double time_ms;     /* last invoke (profiling only) */
  const char* backend; /* the engine that ran the op: "native", "reference"
                          or "xnnpack" (with QRUN_BACKEND_XNNPACK, ops
                          XNNPACK cannot express run "native") */
} qrun_op_profile;

/* ------------------------------------------------------------------ misc */

/* The linked library's version, QRUN_VERSION_STRING at its build time.
 * Static string; never NULL. Thread-safe. */
QRUN_API const char* qrun_version(void);

/* The message of the last failing call on this thread ("" if none yet).
 * The string is owned by the library and valid until the next failing qrun
 * call on this thread; copy it to keep it. Never NULL. Thread-safe (per thread). */
QRUN_API const char* qrun_last_error(void);

/* Short static names ("ok", "invalid model", "float32", ...); "unknown
 * status" / "unknown" for values outside the enums. Never NULL.
 * Thread-safe. */
QRUN_API const char* qrun_status_string(qrun_status status);
QRUN_API const char* qrun_dtype_name(qrun_dtype dtype);

/* ----------------------------------------------------------------- model */

/* Loads and fully validates a model (structure, shapes, quantization, every
 * op's parameters); a model that loads can be prepared by
 * qrun_interpreter_create except for resource limits or an unavailable
 * backend. On success *out_model is a new handle owned by the caller; on
 * failure it is NULL.
 *
 * qrun_model_load_file maps `path` read-only (no copy); the mapping lives as
 * long as the model or any interpreter created from it. Errors: NULL
 * arguments (INVALID_ARGUMENT), a missing or unreadable file (IO), a
 * malformed model (INVALID_MODEL), a valid model using features this build
 * lacks (UNSUPPORTED).
 *
 * qrun_model_load_buffer uses the caller's `size` bytes at `data` in place
 * (no copy): they must stay valid and unchanged until the model and every
 * interpreter created from it are freed. `data` must be at least 16-byte
 * aligned (64 recommended: constants are 64-byte aligned relative to the
 * start). Errors as above; misaligned or NULL data is INVALID_ARGUMENT.
 *
 * Thread-safe: any number of loads may run in parallel. */
QRUN_API qrun_status qrun_model_load_file(const char* path, qrun_model** out_model);
QRUN_API qrun_status qrun_model_load_buffer(const void* data, size_t size,
                                            qrun_model** out_model);

/* Releases the caller's handle. Interpreters created from the model keep
 * their own reference, so freeing the model before them is safe; the model's
 * memory (and file mapping) goes away with the last of them. NULL is a
 * no-op. Must not race with other calls using the same handle. */
QRUN_API void qrun_model_free(qrun_model* model);

/* Metadata value for `key`, or NULL when absent (or model/key NULL). The
 * keys "producer" and "description" return those model fields. The string
 * is owned by the model and valid until qrun_model_free. */
QRUN_API const char* qrun_model_metadata(const qrun_model* model, const char* key);

/* Size in bytes of the model: the mapped file (load_file) or the caller's
 * buffer (load_buffer). The model's constants (weights) live there and are
 * used in place. 0 for NULL. */
QRUN_API size_t qrun_model_size_bytes(const qrun_model* model);

/* ----------------------------------------------------------- interpreter */

/* Defaults: 1 thread, native backend, no profiling, no arena limit. */
QRUN_API qrun_options qrun_options_default(void);

/* Creates an interpreter for `model`: chooses kernels, computes constants,
 * packs weights and allocates the activation arena (all the allocation an
 * interpreter ever does). `options` may be NULL (defaults); it is read only
 * during the call. The interpreter holds a reference to the model.
 * On success *out_interpreter is a new handle owned by the caller; on failure
 * it is NULL. Errors: NULL model/out (INVALID_ARGUMENT), bad options
 * (INVALID_ARGUMENT: num_threads out of range, unknown backend), a backend
 * not built in (UNSUPPORTED), arena above max_arena_bytes or allocation
 * failure (OUT_OF_MEMORY). Thread-safe for distinct interpreters, including
 * many created from one model in parallel. */
QRUN_API qrun_status qrun_interpreter_create(const qrun_model* model, const qrun_options* options,
                                             qrun_interpreter** out_interpreter);

/* Frees the interpreter, its arena and thread pool, and its reference to the
 * model. Invalidates every tensor data pointer and string obtained from it.
 * NULL is a no-op. */
QRUN_API void qrun_interpreter_free(qrun_interpreter* interpreter);

/* Number of graph inputs / outputs (0 for NULL). */
QRUN_API int qrun_interpreter_input_count(const qrun_interpreter* interpreter);
QRUN_API int qrun_interpreter_output_count(const qrun_interpreter* interpreter);

/* Describes graph input / output `index` (0-based) in *out_tensor. The data
 * pointer stays the same for the interpreter's lifetime: fill inputs before
 * invoke, read outputs after it. Inputs keep their contents across invokes.
 * Errors: NULL arguments or index out of range (INVALID_ARGUMENT). */
QRUN_API qrun_status qrun_interpreter_input(const qrun_interpreter* interpreter, int index,
                                            qrun_tensor* out_tensor);
QRUN_API qrun_status qrun_interpreter_output(const qrun_interpreter* interpreter, int index,
                                             qrun_tensor* out_tensor);

/* Runs the graph on the current input contents and writes the outputs.
 * Allocates nothing and cannot fail for a created interpreter (any input
 * values are valid); a NULL interpreter is INVALID_ARGUMENT. Not reentrant:
 * one call per interpreter at a time (see Threads above). */
QRUN_API qrun_status qrun_interpreter_invoke(qrun_interpreter* interpreter);

/* Memory accounting (0 for NULL). The resident memory of a loaded model plus
 * one interpreter is about qrun_model_size_bytes (mapped, paged in as used)
 * + qrun_interpreter_arena_bytes + qrun_interpreter_packed_bytes + small
 * per-op bookkeeping. */
/* Bytes of the activation arena: all intermediate tensors, graph inputs and
 * outputs, and kernel scratch, planned with reuse. */
QRUN_API size_t qrun_interpreter_arena_bytes(const qrun_interpreter* interpreter);
/* Bytes the interpreter's kernels own beyond the model and the arena:
 * repacked weights and precomputed per-op constants (e.g. requantization
 * tables). 0 when every kernel uses the model's weights in place. */
QRUN_API size_t qrun_interpreter_packed_bytes(const qrun_interpreter* interpreter);

/* The outputs of op `op_index` (execution order, as in the profile), e.g.
 * to compare a quantized model layer by layer with its float version.
 * Intermediate tensors can be read only when the interpreter was created
 * with preserve_intermediates (their buffers are reused otherwise; the call
 * then fails with INVALID_ARGUMENT); graph outputs always. The view is valid
 * as for qrun_interpreter_output; its data holds the last invoke's values.
 * op_output_count returns 0 for a NULL handle or an index out of range. */
QRUN_API int qrun_interpreter_op_output_count(const qrun_interpreter* interpreter, int op_index);
QRUN_API qrun_status qrun_interpreter_op_output(const qrun_interpreter* interpreter, int op_index,
                                               int output_index, qrun_tensor* out_tensor);

/* Per-op rows, in execution order: type, kernel, backend, shape and MACs
 * are always filled; time_ms is the last invoke's time when enable_profiling was set,
 * else 0. Errors: NULL arguments or index out of range (INVALID_ARGUMENT). */
QRUN_API int qrun_interpreter_op_count(const qrun_interpreter* interpreter);
QRUN_API qrun_status qrun_interpreter_op_profile(const qrun_interpreter* interpreter, int index,
                                                 qrun_op_profile* out_profile);

#ifdef __cplusplus
}
#endif

#endif /* QRUN_QRUN_H_ */

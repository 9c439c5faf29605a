/* The C API from C99: compiled -std=c99 -pedantic -Werror (tests/CMakeLists.txt)
 * so that qrun.h stays valid C, and run on the bundled example to check
 * every function's contract from a C caller, NULL handling included.
 *
 * Usage: qrun_c99_test examples/tiny_lines.qfb examples/vertical_line.bin */
#include <qrun/qrun.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_failures = 0;

#define CHECK(cond)                                                 \
  do {                                                              \
    if (!(cond)) {                                                  \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                 \
    }                                                               \
  } while (0)

static long ReadFile(const char* path, void* buf, long cap) {
  FILE* f = fopen(path, "rb");
  long n;
  if (f == NULL) return -1;
  n = (long)fread(buf, 1, (size_t)cap, f);
  fclose(f);
  return n;
}

int main(int argc, char** argv) {
  qrun_model* model = NULL;
  qrun_model* model2 = NULL;
  qrun_interpreter* it = NULL;
  qrun_options opt;
  qrun_tensor in, out;
  qrun_op_profile prof;
  static unsigned char file_bytes[1 << 16];
  unsigned char* aligned;
  long model_size;
  const float* probs;
  const char* labels;
  int best = 0, i;

  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL.qfb INPUT.bin\n", argv[0]);
    return 2;
  }

  /* Version: the header's macros and the linked library agree. */
  CHECK(strcmp(qrun_version(), QRUN_VERSION_STRING) == 0);
  CHECK(QRUN_VERSION_NUMBER == QRUN_VERSION_MAJOR * 10000 + QRUN_VERSION_MINOR * 100 + QRUN_VERSION_PATCH);

  /* Static strings. */
  CHECK(strcmp(qrun_status_string(QRUN_OK), "ok") == 0);
  CHECK(strcmp(qrun_status_string((qrun_status)99), "unknown status") == 0);
  CHECK(strcmp(qrun_dtype_name(QRUN_DTYPE_INT8), "int8") == 0);
  CHECK(strcmp(qrun_dtype_name((qrun_dtype)99), "unknown") == 0);
  CHECK(qrun_last_error() != NULL);

  /* NULL handling. */
  CHECK(qrun_model_load_file(NULL, &model) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_model_load_file(argv[1], NULL) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_model_load_buffer(NULL, 16, &model) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(model == NULL);
  CHECK(qrun_interpreter_create(NULL, NULL, &it) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_interpreter_invoke(NULL) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_interpreter_input(NULL, 0, &in) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_interpreter_output(NULL, 0, &out) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_interpreter_op_profile(NULL, 0, &prof) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_interpreter_input_count(NULL) == 0);
  CHECK(qrun_interpreter_output_count(NULL) == 0);
  CHECK(qrun_interpreter_op_count(NULL) == 0);
  CHECK(qrun_interpreter_arena_bytes(NULL) == 0);
  CHECK(qrun_interpreter_packed_bytes(NULL) == 0);
  CHECK(qrun_model_size_bytes(NULL) == 0);
  CHECK(qrun_model_metadata(NULL, "labels") == NULL);
  qrun_model_free(NULL);
  qrun_interpreter_free(NULL);

  /* Errors: code plus a message naming the problem. */
  CHECK(qrun_model_load_file("/nonexistent/x.qfb", &model) == QRUN_ERROR_IO);
  CHECK(model == NULL);
  CHECK(strstr(qrun_last_error(), "/nonexistent/x.qfb") != NULL);

  /* Load from a buffer (used in place) and from the file. */
  model_size = ReadFile(argv[1], file_bytes, (long)sizeof(file_bytes));
  CHECK(model_size > 0);
  if (model_size <= 0) return 1;
  aligned = (unsigned char*)malloc((size_t)model_size + 64);
  CHECK(aligned != NULL);
  if (aligned == NULL) return 1;
  {
    unsigned char* p = aligned + (64 - (size_t)((uintptr_t)aligned % 64)) % 64;
    memcpy(p, file_bytes, (size_t)model_size);
    CHECK(qrun_model_load_buffer(p + 1, (size_t)model_size, &model2) == QRUN_ERROR_INVALID_ARGUMENT);
    CHECK(qrun_model_load_buffer(p, 7, &model2) == QRUN_ERROR_INVALID_MODEL);
    CHECK(qrun_model_load_buffer(p, (size_t)model_size, &model2) == QRUN_OK);
    CHECK(qrun_model_size_bytes(model2) == (size_t)model_size);
    qrun_model_free(model2);
  }
  free(aligned);

  if (qrun_model_load_file(argv[1], &model) != QRUN_OK) {
    fprintf(stderr, "load: %s\n", qrun_last_error());
    return 1;
  }
  CHECK(qrun_model_size_bytes(model) == (size_t)model_size);
  labels = qrun_model_metadata(model, "labels");
  CHECK(labels != NULL);
  CHECK(qrun_model_metadata(model, "no such key") == NULL);
  CHECK(qrun_model_metadata(model, NULL) == NULL);

  /* Options are checked; an arena limit below the need is OUT_OF_MEMORY. */
  opt = qrun_options_default();
  CHECK(opt.num_threads == 1 && opt.backend == QRUN_BACKEND_NATIVE && opt.enable_profiling == 0 &&
        opt.max_arena_bytes == 0);
  opt.num_threads = -1;
  CHECK(qrun_interpreter_create(model, &opt, &it) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(it == NULL);
  opt = qrun_options_default();
  opt.max_arena_bytes = 64;
  CHECK(qrun_interpreter_create(model, &opt, &it) == QRUN_ERROR_OUT_OF_MEMORY);
  CHECK(strstr(qrun_last_error(), "max_arena_bytes") != NULL);

  opt = qrun_options_default();
  opt.enable_profiling = 1;
  opt.max_arena_bytes = 1 << 20;
  if (qrun_interpreter_create(model, &opt, &it) != QRUN_OK) {
    fprintf(stderr, "create: %s\n", qrun_last_error());
    return 1;
  }
  /* Interpreters keep the model alive. */
  qrun_model_free(model);
  model = NULL;

  CHECK(qrun_interpreter_input_count(it) == 1);
  CHECK(qrun_interpreter_output_count(it) == 1);
  CHECK(qrun_interpreter_input(it, 1, &in) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_interpreter_input(it, -1, &in) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_interpreter_input(it, 0, NULL) == QRUN_ERROR_INVALID_ARGUMENT);
  CHECK(qrun_interpreter_input(it, 0, &in) == QRUN_OK);
  CHECK(in.dtype == QRUN_DTYPE_FLOAT32 && in.rank == 4 && in.bytes == 256 && in.data != NULL);
  CHECK(ReadFile(argv[2], in.data, (long)in.bytes) == (long)in.bytes);
  CHECK(qrun_interpreter_arena_bytes(it) > 0);
  CHECK(qrun_interpreter_arena_bytes(it) <= (size_t)1 << 20);
  CHECK(qrun_interpreter_packed_bytes(it) < (size_t)1 << 20);

  CHECK(qrun_interpreter_invoke(it) == QRUN_OK);
  CHECK(qrun_interpreter_output(it, 0, &out) == QRUN_OK);
  CHECK(out.dtype == QRUN_DTYPE_FLOAT32 && out.bytes == 4 * sizeof(float));
  probs = (const float*)out.data;
  for (i = 1; i < 4; ++i) {
    if (probs[i] > probs[best]) best = i;
  }
  CHECK(best == 1); /* "vertical" in the labels */

  CHECK(qrun_interpreter_op_count(it) == 7);
  CHECK(qrun_interpreter_op_profile(it, 7, &prof) == QRUN_ERROR_INVALID_ARGUMENT);
  for (i = 0; i < qrun_interpreter_op_count(it); ++i) {
    CHECK(qrun_interpreter_op_profile(it, i, &prof) == QRUN_OK);
    CHECK(prof.type != NULL && prof.kernel != NULL && prof.dtype != NULL && prof.time_ms >= 0.0);
  }
  qrun_interpreter_free(it);

  if (g_failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("C99 API test passed (qrun %s, labels %s)\n", qrun_version(), labels ? "ok" : "missing");
  return 0;
}

/* Minimal qrun embedding in C: load a model, fill its input from a raw file,
 * invoke, print the top-1 class of the first output.
 *
 *   qrun_example_c examples/tiny_lines.qfb examples/vertical_line.bin
 *   -> top-1: class 1 (vertical) score 0.894992
 *
 * The input file holds the input tensor's raw bytes in its own dtype. Class
 * names come from the model's "labels" metadata (comma-separated) if any. */
#include <qrun/qrun.h>

#include <stdio.h>
#include <string.h>

/* Score of element i of an output, dequantized if needed. */
static float Score(const qrun_tensor* t, size_t i) {
  switch (t->dtype) {
    case QRUN_DTYPE_FLOAT32: return ((const float*)t->data)[i];
    case QRUN_DTYPE_INT8: return t->scale * (float)(((const int8_t*)t->data)[i] - t->zero_point);
    case QRUN_DTYPE_UINT8: return t->scale * (float)(((const uint8_t*)t->data)[i] - t->zero_point);
    case QRUN_DTYPE_INT32: return (float)((const int32_t*)t->data)[i];
  }
  return 0.0f;
}

static size_t ElementSize(qrun_dtype d) {
  return (d == QRUN_DTYPE_FLOAT32 || d == QRUN_DTYPE_INT32) ? 4 : 1;
}

/* Prints the index-th comma-separated label, or nothing. */
static void PrintLabel(const char* labels, size_t index) {
  size_t i = 0;
  const char* p = labels;
  if (labels == NULL) return;
  while (i < index && (p = strchr(p, ',')) != NULL) ++p, ++i;
  if (p == NULL) return;
  printf(" (%.*s)", (int)strcspn(p, ","), p);
}

int main(int argc, char** argv) {
  qrun_model* model = NULL;
  qrun_interpreter* interpreter = NULL;
  qrun_tensor input, output;
  FILE* f;
  size_t n, i, best = 0;
  int status = 1;

  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL.qfb INPUT.bin\n", argv[0]);
    return 2;
  }
  printf("qrun %s\n", qrun_version());
  if (qrun_model_load_file(argv[1], &model) != QRUN_OK) {
    fprintf(stderr, "error: %s\n", qrun_last_error());
    return 1;
  }
  if (qrun_interpreter_create(model, NULL, &interpreter) != QRUN_OK) {
    fprintf(stderr, "error: %s\n", qrun_last_error());
    goto done;
  }
  if (qrun_interpreter_input(interpreter, 0, &input) != QRUN_OK) {
    fprintf(stderr, "error: %s\n", qrun_last_error());
    goto done;
  }
  f = fopen(argv[2], "rb");
  if (f == NULL) {
    fprintf(stderr, "error: cannot open %s\n", argv[2]);
    goto done;
  }
  n = fread(input.data, 1, input.bytes, f);
  fclose(f);
  if (n != input.bytes) {
    fprintf(stderr, "error: %s has %zu bytes, input '%s' needs %zu\n", argv[2], n, input.name,
            input.bytes);
    goto done;
  }
  if (qrun_interpreter_invoke(interpreter) != QRUN_OK ||
      qrun_interpreter_output(interpreter, 0, &output) != QRUN_OK) {
    fprintf(stderr, "error: %s\n", qrun_last_error());
    goto done;
  }
  n = output.bytes / ElementSize(output.dtype);
  for (i = 1; i < n; ++i) {
    if (Score(&output, i) > Score(&output, best)) best = i;
  }
  printf("output '%s': %zu values, arena %zu bytes\n", output.name, n,
         qrun_interpreter_arena_bytes(interpreter));
  printf("top-1: class %zu", best);
  PrintLabel(qrun_model_metadata(model, "labels"), best);
  printf(" score %f\n", (double)Score(&output, best));
  status = 0;

done:
  qrun_interpreter_free(interpreter);
  qrun_model_free(model);
  return status;
}

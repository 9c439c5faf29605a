// Shared by the fuzz target and the deterministic mutation test: runs one
// candidate model through the public C API (load from a 64-byte aligned copy,
// create, fill inputs, invoke, read outputs) and checks the library's
// contract on the way:
//   - load either succeeds or fails with a documented status and a message;
//   - create after a successful load fails only for resource limits or an
//     unavailable backend (OUT_OF_MEMORY / UNSUPPORTED);
//   - invoke of a created interpreter always succeeds;
//   - QRUN_ERROR_INTERNAL never happens.
// Huge models are skipped (arena above kMaxArenaBytes, or more than
// kMaxWork MACs + bytes) to keep every run fast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "qrun/qrun.h"

namespace qrun {
namespace fuzzing {

constexpr size_t kMaxArenaBytes = size_t{16} << 20;
constexpr uint64_t kMaxWork = uint64_t{32} << 20;

enum class Outcome { kRejected, kCreateFailed, kSkippedHuge, kRan };

struct Result {
  Outcome outcome = Outcome::kRejected;
  std::string violation;  // empty unless the contract was broken
};

inline bool ValidStatus(qrun_status s) {
  return s >= QRUN_OK && s <= QRUN_ERROR_INTERNAL;
}

// `fill` provides the bytes written into the inputs (cycled); may be empty.
inline Result RunModelBytes(const uint8_t* data, size_t size, const uint8_t* fill,
                            size_t fill_size, qrun_backend backend) {
  Result r;
  const size_t padded = (size + 63) / 64 * 64 + 64;
  auto* copy = static_cast<uint8_t*>(std::aligned_alloc(64, padded));
  if (copy == nullptr) return r;
  if (size != 0) std::memcpy(copy, data, size);

  qrun_model* model = nullptr;
  qrun_status s = qrun_model_load_buffer(copy, size, &model);
  if (s != QRUN_OK) {
    if (!ValidStatus(s) || s == QRUN_ERROR_INTERNAL) {
      r.violation = std::string("load returned status ") + std::to_string(s) + ": " + qrun_last_error();
    } else if (model != nullptr || qrun_last_error()[0] == '\0') {
      r.violation = "failed load left a model or no message";
    }
    std::free(copy);
    return r;
  }
  // Metadata queries on whatever the model holds.
  (void)qrun_model_metadata(model, "labels");
  (void)qrun_model_metadata(model, "producer");
  if (qrun_model_size_bytes(model) != size) r.violation = "qrun_model_size_bytes differs from the buffer size";

  qrun_options options = qrun_options_default();
  options.backend = backend;
  options.max_arena_bytes = kMaxArenaBytes;
  qrun_interpreter* it = nullptr;
  s = qrun_interpreter_create(model, &options, &it);
  qrun_model_free(model);  // the interpreter keeps it alive
  if (s != QRUN_OK) {
    r.outcome = Outcome::kCreateFailed;
    if (s != QRUN_ERROR_OUT_OF_MEMORY && s != QRUN_ERROR_UNSUPPORTED) {
      r.violation = std::string("create failed on a loaded model with status ") + std::to_string(s) +
                    ": " + qrun_last_error();
    }
    std::free(copy);
    return r;
  }

  uint64_t work = qrun_interpreter_arena_bytes(it);
  const int ops = qrun_interpreter_op_count(it);
  for (int i = 0; i < ops; ++i) {
    qrun_op_profile p;
    if (qrun_interpreter_op_profile(it, i, &p) != QRUN_OK) {
      r.violation = "op_profile failed for a valid index";
      break;
    }
    work += p.macs;
  }
  if (work > kMaxWork) {
    r.outcome = Outcome::kSkippedHuge;
    qrun_interpreter_free(it);
    std::free(copy);
    return r;
  }

  size_t k = 0;
  for (int i = 0; i < qrun_interpreter_input_count(it); ++i) {
    qrun_tensor t;
    if (qrun_interpreter_input(it, i, &t) != QRUN_OK || (t.bytes != 0 && t.data == nullptr)) {
      r.violation = "bad input tensor";
      break;
    }
    auto* p = static_cast<uint8_t*>(t.data);
    for (size_t b = 0; b < t.bytes; ++b, ++k) p[b] = fill_size ? fill[k % fill_size] : static_cast<uint8_t>(k);
  }
  for (int rep = 0; rep < 2 && r.violation.empty(); ++rep) {
    s = qrun_interpreter_invoke(it);
    if (s != QRUN_OK) r.violation = std::string("invoke failed: ") + qrun_last_error();
  }
  unsigned checksum = 0;
  for (int i = 0; i < qrun_interpreter_output_count(it) && r.violation.empty(); ++i) {
    qrun_tensor t;
    if (qrun_interpreter_output(it, i, &t) != QRUN_OK || (t.bytes != 0 && t.data == nullptr)) {
      r.violation = "bad output tensor";
      break;
    }
    const auto* p = static_cast<const uint8_t*>(t.data);
    for (size_t b = 0; b < t.bytes; ++b) checksum += p[b];  // reads every byte (ASan)
  }
  volatile unsigned sink = checksum;
  (void)sink;
  r.outcome = Outcome::kRan;
  qrun_interpreter_free(it);
  std::free(copy);
  return r;
}

}  // namespace fuzzing
}  // namespace qrun

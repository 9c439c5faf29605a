// libFuzzer target: arbitrary bytes as a .qfb model through the public C API
// (load, create, fill inputs, invoke, read outputs). Any crash, sanitizer
// report, timeout or contract violation (see fuzz_target_util.h) is a
// finding. Built with -DQRUN_BUILD_FUZZERS=ON (clang); run by
// scripts/fuzz.sh with the seed corpus from make_seed_corpus.
#include <cstdint>
#include <cstdio>

#include "fuzz/fuzz_target_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The last byte picks the backend, so both get exercised; the inputs are
  // filled with the model's own bytes (cheap variety, deterministic).
  const qrun_backend backend =
      (size != 0 && (data[size - 1] & 1)) ? QRUN_BACKEND_REFERENCE : QRUN_BACKEND_NATIVE;
  qrun::fuzzing::Result r = qrun::fuzzing::RunModelBytes(data, size, data, size, backend);
  if (!r.violation.empty()) {
    std::fprintf(stderr, "qrun contract violation: %s\n", r.violation.c_str());
    __builtin_trap();
  }
  return 0;
}

// Writes the fuzzer's seed corpus: one valid model per op type and variant
// (fuzz/seed_models.h) into OUT_DIR, after checking that each one loads,
// prepares and runs through the C API.
//
// Usage: qrun_make_seed_corpus OUT_DIR
#include <cstdio>
#include <string>

#include "fuzz/fuzz_target_util.h"
#include "fuzz/seed_models.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  int failures = 0, written = 0;
  for (const qrun::seeds::SeedModel& m : qrun::seeds::SeedModels()) {
    qrun::fuzzing::Result r = qrun::fuzzing::RunModelBytes(m.bytes.data(), m.bytes.size(), nullptr, 0,
                                                           QRUN_BACKEND_NATIVE);
    if (r.outcome != qrun::fuzzing::Outcome::kRan || !r.violation.empty()) {
      std::fprintf(stderr, "seed %s does not run: %s %s\n", m.name.c_str(), r.violation.c_str(),
                   qrun_last_error());
      ++failures;
      continue;
    }
    const std::string path = std::string(argv[1]) + "/" + m.name + ".qfb";
    qrun::Status s = qrun::WriteFile(path, m.bytes.data(), m.bytes.size());
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return 1;
    }
    ++written;
  }
  std::printf("%d seed models written to %s\n", written, argv[1]);
  return failures == 0 ? 0 : 1;
}

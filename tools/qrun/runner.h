// Invoking the interpreter: once, or warm-up + timed runs for --bench, and
// collecting the per-op profile (MACs are known even without profiling).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "qrun/qrun.h"

namespace qrun_cli {

struct OpRow {
  int index = 0;
  std::string type, name, kernel, dtype;
  std::string backend;  // "native", "reference" or "xnnpack"
  std::vector<int64_t> shape;  // first output's
  uint64_t macs = 0;
  double time_ms = 0;  // mean over the measured runs (profiling only)
};

struct RunResult {
  int runs = 0;    // measured invokes
  int warmup = 0;  // untimed invokes before them
  double median_ms = 0, min_ms = 0, mean_ms = 0, max_ms = 0;
  std::vector<OpRow> ops;
  bool macs_known = false;  // every op reported its MACs
  uint64_t total_macs = 0;
};

// Runs `warmup` untimed invokes then `runs` timed ones; per-op times are
// averaged over the timed runs when the interpreter profiles. `inputs` must
// already hold the input data.
RunResult Run(qrun_interpreter* interpreter, const std::vector<qrun_tensor>& inputs, int warmup,
              int runs);

}  // namespace qrun_cli

// Everything the text and JSON reports print, gathered after the run so the
// reports never touch the interpreter.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "options.h"
#include "qrun/qrun.h"
#include "runner.h"

namespace qrun_cli {

struct ReportData {
  const Options* options = nullptr;
  size_t arena_bytes = 0;
  std::vector<qrun_tensor> inputs;
  std::vector<qrun_tensor> outputs;
  std::vector<std::vector<float>> output_values;  // dequantized, per output
  // Class names from the model's "labels" metadata (comma-separated), if any.
  std::vector<std::string> labels;
  RunResult run;
};

// How many values the reports show: top-k classes, first values otherwise.
constexpr size_t kTopK = 5;
constexpr size_t kFirstValues = 8;

}  // namespace qrun_cli

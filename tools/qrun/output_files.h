// -o FILE: writing outputs as raw bytes or .npy, one file per output.
#pragma once

#include <string>
#include <vector>

#include "qrun/qrun.h"

namespace qrun_cli {

// Output 0 goes to `path`; output i > 0 to `path` with "_i" inserted before
// the extension ("out.npy" -> "out_1.npy", "out" -> "out_1").
std::string OutputPath(const std::string& path, size_t index);

// Writes every output; `values` are the dequantized values, used instead of
// the tensors' bytes when `dequantize` is set.
void WriteOutputs(const std::string& path, const std::vector<qrun_tensor>& outputs,
                  const std::vector<std::vector<float>>& values, bool dequantize);

}  // namespace qrun_cli

// --dump DIR: every op's output after one invoke, dequantized to float32
// .npy files plus an index, for layer-by-layer comparison (docs/converter.md, "Debug workflow").
#pragma once

#include <string>

#include "qrun/qrun.h"

namespace qrun_cli {

// Writes DIR/index.tsv and one DIR/NNN_<tensor>.npy per op output (and per
// graph input, as input_<tensor>.npy). The interpreter must have been
// created with preserve_intermediates and invoked. Creates DIR if missing.
void WriteDump(const std::string& dir, const qrun_interpreter* interpreter);

}  // namespace qrun_cli

// Filling the model's input tensors from the files given on the command line.
#pragma once

#include <string>

#include "qrun/qrun.h"

namespace qrun_cli {

// How to read an input file (--input-dtype). kAuto picks by file size: the
// tensor's own byte size means its own dtype, 4 bytes per element float32.
enum class InputDtype { kAuto, kRaw, kFloat32, kInt8, kUint8 };

// Loads `path` (raw bytes or .npy) into the input tensor `t` (t.data),
// quantizing float32 data with t's scale and zero point.
void LoadInput(const std::string& path, int index, const qrun_tensor& t, InputDtype forced);

// The error text for an input without a file: what it expects.
std::string MissingInputMessage(int index, const qrun_tensor& t);

}  // namespace qrun_cli

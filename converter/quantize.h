// Decides which ops run in int8 and the quantization of every activation.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "converter/calibrate.h"
#include "converter/lgraph.h"

namespace qrun::conv {

struct QuantizeOptions {
  bool prequantized = false;            // scales come from the file (QDQ / QOperator)
  std::set<std::string> keep_float;     // ONNX node names kept in float32
};

// Static quantization: ranges from calibration (ignored for tensors whose
// quantization the file fixed). Sets LOp::int8 and LTensor::quant.
Status AssignQuantization(LGraph* g, const std::vector<Range>& ranges, const QuantizeOptions& options);

}  // namespace qrun::conv

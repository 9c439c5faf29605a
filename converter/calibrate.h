// Activation ranges from running the float model (the runtime's own float
// kernels) over calibration samples: min/max, percentile, or the MSE-optimal
// clipping range per tensor.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "converter/lgraph.h"

namespace qrun::conv {

enum class CalibMethod { kMinMax, kPercentile, kMse };

struct CalibOptions {
  CalibMethod method = CalibMethod::kMinMax;
  double percentile = 99.99;
  // Called after each sample (done, total, pass name).
  std::function<void(int, int, const char*)> progress;
};

struct Range {
  float lo = 0, hi = 0;
  bool seen = false;
};

// One range per LTensor (activations only; constants left unseen).
Status Calibrate(const LGraph& g, const std::vector<std::vector<std::vector<float>>>& samples,
                 const CalibOptions& options, std::vector<Range>* ranges);

}  // namespace qrun::conv

// Summaries of output values: is it a class-score vector, its top-k, and
// min/max/mean for everything else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qrun_cli {

// One dimension > 1 and all others 1 ([N], [1, N], [1, 1, 1, N]), or a 2-D
// [1, N] (which includes a single score [1, 1]).
bool IsScoreVector(const std::vector<int64_t>& shape);

struct Score {
  int64_t index;
  float value;
};
// The k largest values, largest first; ties keep the lower index first and
// NaN ranks last.
std::vector<Score> TopK(const std::vector<float>& values, size_t k);

struct ValueStats {
  double min = 0, max = 0, mean = 0;
  size_t non_finite = 0;  // NaN and +-inf, left out of min/max/mean
};
ValueStats Stats(const std::vector<float>& values);

// Splits the "labels" metadata value ("cat,dog,...").
std::vector<std::string> ParseLabels(const char* metadata);
// The label of class `index`, or "" when there is none.
std::string LabelOf(const std::vector<std::string>& labels, long long index);

}  // namespace qrun_cli

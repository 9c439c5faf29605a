#include "scores.h"

#include <algorithm>
#include <cmath>

namespace qrun_cli {

bool IsScoreVector(const std::vector<int64_t>& shape) {
  if (shape.size() == 2 && shape[0] == 1) return true;
  int big = 0;
  for (int64_t d : shape) {
    if (d > 1) ++big;
    else if (d != 1) return false;  // an empty dimension
  }
  return big == 1;
}

std::vector<Score> TopK(const std::vector<float>& values, size_t k) {
  std::vector<Score> all(values.size());
  for (size_t i = 0; i < values.size(); ++i) all[i] = {static_cast<int64_t>(i), values[i]};
  auto better = [](const Score& a, const Score& b) {
    const bool a_nan = std::isnan(a.value), b_nan = std::isnan(b.value);
    if (a_nan != b_nan) return b_nan;
    if (!a_nan && a.value != b.value) return a.value > b.value;
    return a.index < b.index;
  };
  k = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(), better);
  all.resize(k);
  return all;
}

ValueStats Stats(const std::vector<float>& values) {
  ValueStats s;
  double sum = 0;
  size_t n = 0;
  for (float v : values) {
    if (!std::isfinite(v)) {
      ++s.non_finite;
      continue;
    }
    if (n == 0 || v < s.min) s.min = v;
    if (n == 0 || v > s.max) s.max = v;
    sum += v;
    ++n;
  }
  if (n > 0) s.mean = sum / static_cast<double>(n);
  return s;
}

std::vector<std::string> ParseLabels(const char* metadata) {
  std::vector<std::string> labels;
  if (metadata == nullptr) return labels;
  std::string current;
  for (const char* p = metadata;; ++p) {
    if (*p == ',' || *p == '\0') {
      labels.push_back(current);
      current.clear();
      if (*p == '\0') break;
    } else {
      current += *p;
    }
  }
  return labels;
}

std::string LabelOf(const std::vector<std::string>& labels, long long index) {
  if (index < 0 || static_cast<unsigned long long>(index) >= labels.size()) return "";
  return labels[static_cast<size_t>(index)];
}

}  // namespace qrun_cli

#include "kernels/reference/dynamic_quant.h"

#include <algorithm>
#include <cmath>

namespace qrun::kernels::ref {

DynamicQuant choose_dynamic_quant(size_t n, const float* x) {
  float lo = 0.0f, hi = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) continue;
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  DynamicQuant q;
  // hi - lo can overflow to inf for values near FLT_MAX: halve first.
  float scale = (hi * 0.5f - lo * 0.5f) / 127.5f;
  if (!(scale > 0.0f) || !std::isnormal(scale)) scale = 1.0f;
  q.scale = scale;
  const double zp = std::nearbyint(-128.0 - static_cast<double>(lo) / scale);
  q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  return q;
}

}  // namespace qrun::kernels::ref

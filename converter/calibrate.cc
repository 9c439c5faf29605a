#include "converter/calibrate.h"

#include <algorithm>
#include <cmath>

#include "converter/qfb_writer.h"
#include "converter/runner.h"

namespace qrun::conv {
namespace {

constexpr int kBins = 2048;

// Expected squared error of int8 affine quantization over [lo, hi] for the
// histogram: rounding error step^2/12 inside, clipping error outside.
double QuantError(const std::vector<double>& hist, float hlo, float hhi, float lo, float hi) {
  const QAnnot q = ActivationParams(lo, hi);
  const double step = q.scale[0];
  const double rlo = step * (-128 - q.zero_point[0]), rhi = step * (127 - q.zero_point[0]);
  const double w = (static_cast<double>(hhi) - hlo) / kBins;
  double err = 0;
  for (int b = 0; b < kBins; ++b) {
    if (hist[static_cast<size_t>(b)] == 0) continue;
    const double c = hlo + (b + 0.5) * w;
    double e;
    if (c < rlo) e = (rlo - c) * (rlo - c);
    else if (c > rhi) e = (c - rhi) * (c - rhi);
    else e = step * step / 12.0;
    err += hist[static_cast<size_t>(b)] * e;
  }
  return err;
}

}  // namespace

Status Calibrate(const LGraph& g, const std::vector<std::vector<std::vector<float>>>& samples,
                 const CalibOptions& options, std::vector<Range>* ranges) {
  WriteOptions wo;
  wo.all_outputs = true;
  wo.force_float = true;
  WriteResult wr;
  QRUN_RETURN_IF_ERROR(WriteQfb(g, wo, &wr));
  Runner runner;
  QRUN_RETURN_IF_ERROR(runner.Load(std::move(wr.bytes)));
  const size_t nt = g.tensors.size();
  ranges->assign(nt, Range());
  const int total = static_cast<int>(samples.size());
  const bool hist = options.method != CalibMethod::kMinMax;
  for (int s = 0; s < total; ++s) {
    QRUN_RETURN_IF_ERROR(runner.Run(samples[static_cast<size_t>(s)]));
    for (size_t t = 0; t < nt; ++t) {
      if (g.tensors[t].is_const() || wr.float_index[t] < 0) continue;
      const std::vector<float> v = runner.Get(wr.float_index[t]);
      Range& r = (*ranges)[t];
      for (float x : v) {
        if (!std::isfinite(x)) continue;
        if (!r.seen) { r.lo = r.hi = x; r.seen = true; }
        r.lo = std::min(r.lo, x);
        r.hi = std::max(r.hi, x);
      }
    }
    if (options.progress) options.progress(s + 1, total * (hist ? 2 : 1), "calibrating");
  }
  if (!hist) return Status::Ok();
  std::vector<std::vector<double>> hists(nt);
  for (size_t t = 0; t < nt; ++t) {
    if ((*ranges)[t].seen) hists[t].assign(kBins, 0.0);
  }
  for (int s = 0; s < total; ++s) {
    QRUN_RETURN_IF_ERROR(runner.Run(samples[static_cast<size_t>(s)]));
    for (size_t t = 0; t < nt; ++t) {
      if (hists[t].empty()) continue;
      const Range& r = (*ranges)[t];
      const double w = (static_cast<double>(r.hi) - r.lo) / kBins;
      for (float x : runner.Get(wr.float_index[t])) {
        if (!std::isfinite(x)) continue;
        int b = w > 0 ? static_cast<int>((x - r.lo) / w) : 0;
        hists[t][static_cast<size_t>(std::clamp(b, 0, kBins - 1))] += 1;
      }
    }
    if (options.progress) options.progress(total + s + 1, total * 2, "histograms");
  }
  for (size_t t = 0; t < nt; ++t) {
    if (hists[t].empty()) continue;
    Range& r = (*ranges)[t];
    const std::vector<double>& h = hists[t];
    const double w = (static_cast<double>(r.hi) - r.lo) / kBins;
    if (w <= 0) continue;
    if (options.method == CalibMethod::kPercentile) {
      double count = 0;
      for (double c : h) count += c;
      const double tail = count * (100.0 - options.percentile) / 100.0;
      double acc = 0;
      int lo_b = 0, hi_b = kBins - 1;
      for (int b = 0; b < kBins; ++b) {
        acc += h[static_cast<size_t>(b)];
        if (acc > tail) { lo_b = b; break; }
      }
      acc = 0;
      for (int b = kBins - 1; b >= 0; --b) {
        acc += h[static_cast<size_t>(b)];
        if (acc > tail) { hi_b = b; break; }
      }
      const float lo = static_cast<float>(r.lo + lo_b * w), hi = static_cast<float>(r.lo + (hi_b + 1) * w);
      // Keep exact bounds that sit at 0 (ReLU outputs) or were not clipped.
      if (lo_b > 0) r.lo = lo;
      if (hi_b < kBins - 1) r.hi = hi;
    } else {  // MSE: shrink each end independently over a grid
      float best_lo = r.lo, best_hi = r.hi;
      double best = QuantError(h, r.lo, r.hi, r.lo, r.hi);
      for (int i = 0; i <= 40; ++i) {
        const float fhi = 1.0f - 0.02f * i;
        for (int j = 0; j <= 40; ++j) {
          const float flo = 1.0f - 0.02f * j;
          const float lo = r.lo < 0 ? r.lo * flo : r.lo, hi = r.hi > 0 ? r.hi * fhi : r.hi;
          const double e = QuantError(h, r.lo, r.hi, lo, hi);
          if (e < best) { best = e; best_lo = lo; best_hi = hi; }
          if (r.lo >= 0) break;
        }
      }
      r.lo = best_lo;
      r.hi = best_hi;
    }
  }
  return Status::Ok();
}

}  // namespace qrun::conv

#include "report.h"

#include <algorithm>
#include <string>

#include "scores.h"
#include "tensor_util.h"

namespace qrun_cli {
namespace {

// Model strings with control characters (a newline in a node name) would
// break lines and table columns.
std::string Printable(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s;
}

std::string Quantization(const qrun_tensor& t) {
  if (!IsQuantized(t)) return "";
  char buf[96];
  std::snprintf(buf, sizeof(buf), ", scale %g, zero point %d", static_cast<double>(t.scale),
                static_cast<int>(t.zero_point));
  return buf;
}

void PrintOutput(const qrun_tensor& t, const std::vector<float>& values,
                 const std::vector<std::string>& labels, std::FILE* out) {
  std::fprintf(out, "output '%s': %s%s\n", Printable(t.name).c_str(), Describe(t).c_str(),
               Quantization(t).c_str());
  if (IsScoreVector(Shape(t))) {
    int rank = 1;
    for (const Score& s : TopK(values, kTopK)) {
      const std::string label = LabelOf(labels, static_cast<long long>(s.index));
      std::fprintf(out, "  #%d class %lld%s%s%s: %g\n", rank++, static_cast<long long>(s.index),
                   label.empty() ? "" : " (", Printable(label).c_str(), label.empty() ? "" : ")",
                   static_cast<double>(s.value));
    }
    return;
  }
  const size_t shown = std::min(values.size(), kFirstValues);
  std::fprintf(out, "  first %zu of %zu:", shown, values.size());
  for (size_t i = 0; i < shown; ++i) std::fprintf(out, " %g", static_cast<double>(values[i]));
  const ValueStats s = Stats(values);
  std::fprintf(out, "\n  min %g, max %g, mean %g", s.min, s.max, s.mean);
  if (s.non_finite > 0) std::fprintf(out, " (%zu NaN/inf values left out)", s.non_finite);
  std::fprintf(out, "\n");
}

void PrintBench(const ReportData& d, std::FILE* out) {
  const RunResult& r = d.run;
  std::fprintf(out, "bench: %d runs after %d warm-up, %d thread%s, %s backend\n", r.runs, r.warmup,
               d.options->threads, d.options->threads == 1 ? "" : "s",
               BackendName(d.options->backend));
  std::fprintf(out, "  median %.4f ms, min %.4f ms, mean %.4f ms, max %.4f ms\n", r.median_ms,
               r.min_ms, r.mean_ms, r.max_ms);
  if (r.macs_known && r.total_macs > 0 && r.median_ms > 0) {
    const double gmac = static_cast<double>(r.total_macs) / 1e9;
    std::fprintf(out, "  %llu MACs per run, %.3f GMAC/s at the median\n",
                 static_cast<unsigned long long>(r.total_macs), gmac / (r.median_ms / 1e3));
  }
}

// A table whose columns grow to fit their widest cell.
class Table {
 public:
  explicit Table(std::vector<bool> right_aligned) : right_(std::move(right_aligned)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::FILE* out) const {
    std::vector<size_t> width(right_.size(), 0);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string pad(width[c] - row[c].size(), ' ');
        if (c > 0) line += "  ";
        line += right_[c] ? pad + row[c] : row[c] + pad;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      std::fprintf(out, "%s\n", line.c_str());
    }
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

void PrintProfile(const ReportData& d, std::FILE* out) {
  const RunResult& r = d.run;
  double total_ms = 0;
  for (const OpRow& op : r.ops) total_ms += op.time_ms;
  auto share = [&](double ms) { return Fixed(total_ms > 0 ? 100.0 * ms / total_ms : 0, 1) + "%"; };

  std::fprintf(out, "profile (%s):\n", r.runs > 1 ? "mean ms over the runs" : "ms of the run");
  Table table({true, false, false, false, false, false, false, true, true, true});
  table.Add({"#", "op", "name", "backend", "kernel", "dtype", "output", "MACs", "ms", "share"});
  for (const OpRow& op : r.ops) {
    table.Add({std::to_string(op.index), op.type, Printable(op.name), op.backend, op.kernel,
               op.dtype, ShapeString(op.shape), std::to_string(op.macs), Fixed(op.time_ms, 4),
               share(op.time_ms)});
  }
  table.Add({"", "total", "", "", "", "", "", std::to_string(r.total_macs), Fixed(total_ms, 4),
             share(total_ms)});
  table.Print(out);
}

}  // namespace

void PrintTextReport(const ReportData& d, std::FILE* out) {
  auto plural = [](size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  std::fprintf(out, "model '%s': %s, %s, %s, arena %zu bytes\n",
               Printable(d.options->model_path).c_str(),
               plural(d.inputs.size(), "input").c_str(), plural(d.outputs.size(), "output").c_str(),
               plural(d.run.ops.size(), "op").c_str(), d.arena_bytes);
  for (size_t i = 0; i < d.outputs.size(); ++i) PrintOutput(d.outputs[i], d.output_values[i], d.labels, out);
  if (d.options->bench_runs > 0) PrintBench(d, out);
  if (d.options->profile) PrintProfile(d, out);
}

}  // namespace qrun_cli

#include "runner.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "cli_error.h"

namespace qrun_cli {
namespace {

void Invoke(qrun_interpreter* interpreter) {
  if (qrun_interpreter_invoke(interpreter) != QRUN_OK) {
    Fail(std::string("invoke failed: ") + qrun_last_error());
  }
}

// Rows with names, kernels and MACs; times are filled in by the runs.
std::vector<OpRow> OpRows(const qrun_interpreter* interpreter, bool* all_known) {
  std::vector<OpRow> rows;
  *all_known = true;
  const int count = qrun_interpreter_op_count(interpreter);
  for (int i = 0; i < count; ++i) {
    qrun_op_profile p;
    if (qrun_interpreter_op_profile(interpreter, i, &p) != QRUN_OK) {
      *all_known = false;
      continue;
    }
    OpRow r;
    r.index = i;
    r.type = p.type ? p.type : "";
    r.name = p.name ? p.name : "";
    r.kernel = p.kernel ? p.kernel : "";
    r.backend = p.backend ? p.backend : "";
    r.dtype = p.dtype ? p.dtype : "";
    r.shape.assign(p.dims, p.dims + p.rank);
    r.macs = p.macs;
    rows.push_back(std::move(r));
  }
  return rows;
}

void AddOpTimes(const qrun_interpreter* interpreter, std::vector<OpRow>* rows) {
  for (OpRow& r : *rows) {
    qrun_op_profile p;
    if (qrun_interpreter_op_profile(interpreter, r.index, &p) == QRUN_OK) r.time_ms += p.time_ms;
  }
}

}  // namespace

RunResult Run(qrun_interpreter* interpreter, const std::vector<qrun_tensor>& inputs, int warmup,
              int runs) {
  using Clock = std::chrono::steady_clock;
  RunResult result;
  result.runs = runs;
  result.warmup = warmup;
  result.ops = OpRows(interpreter, &result.macs_known);
  for (const OpRow& r : result.ops) result.total_macs += r.macs;

  // Inputs stay intact across invokes (the runtime keeps them live).
  for (int i = 0; i < warmup; ++i) Invoke(interpreter);
  std::vector<double> times;
  times.reserve(static_cast<size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    const Clock::time_point start = Clock::now();
    Invoke(interpreter);
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    AddOpTimes(interpreter, &result.ops);  // zeros unless profiling
  }
  for (OpRow& r : result.ops) r.time_ms /= runs;

  std::sort(times.begin(), times.end());
  const size_t n = times.size();
  result.median_ms = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  result.min_ms = times.front();
  result.max_ms = times.back();
  double sum = 0;
  for (double t : times) sum += t;
  result.mean_ms = sum / static_cast<double>(n);
  return result;
}

}  // namespace qrun_cli

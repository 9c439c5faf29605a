#include "json_report.h"

#include "json_writer.h"
#include "scores.h"
#include "tensor_util.h"

namespace qrun_cli {
namespace {

void WriteShape(JsonWriter& w, const std::vector<int64_t>& shape) {
  w.BeginArray(/*compact=*/true);
  for (int64_t d : shape) w.Int(d);
  w.EndArray();
}

// Name, shape, dtype and (if quantized) scale and zero point.
void WriteTensorFields(JsonWriter& w, const qrun_tensor& t) {
  w.Key("name");
  w.String(t.name);
  w.Key("shape");
  WriteShape(w, Shape(t));
  w.Key("dtype");
  w.String(DtypeName(t.dtype));
  if (IsQuantized(t)) {
    w.Key("scale");
    w.Number(t.scale);
    w.Key("zero_point");
    w.Int(t.zero_point);
  }
}

void WriteOutput(JsonWriter& w, const qrun_tensor& t, const std::vector<float>& values,
                 const std::vector<std::string>& labels) {
  w.BeginObject();
  WriteTensorFields(w, t);
  if (IsScoreVector(Shape(t))) {
    w.Key("top5");
    w.BeginArray();
    for (const Score& s : TopK(values, kTopK)) {
      w.BeginObject(/*compact=*/true);
      w.Key("class");
      w.Int(s.index);
      const std::string label = LabelOf(labels, static_cast<long long>(s.index));
      if (!label.empty()) {
        w.Key("label");
        w.String(label);
      }
      w.Key("value");
      w.Number(s.value);
      w.EndObject();
    }
    w.EndArray();
  } else {
    const ValueStats s = Stats(values);
    w.Key("min");
    w.Number(s.min);
    w.Key("max");
    w.Number(s.max);
    w.Key("mean");
    w.Number(s.mean);
  }
  w.EndObject();
}

void WriteBench(JsonWriter& w, const RunResult& r) {
  w.Key("runs");
  w.Int(r.runs);
  w.Key("warmup");
  w.Int(r.warmup);
  w.Key("median_ms");
  w.Number(r.median_ms);
  w.Key("min_ms");
  w.Number(r.min_ms);
  w.Key("mean_ms");
  w.Number(r.mean_ms);
  w.Key("max_ms");
  w.Number(r.max_ms);
  if (r.macs_known) {
    w.Key("macs");
    w.Uint(r.total_macs);
    w.Key("gmacs");  // GMAC/s at the median time
    w.Number(r.median_ms > 0 ? static_cast<double>(r.total_macs) / 1e6 / r.median_ms : 0.0);
  }
}

void WriteOps(JsonWriter& w, const RunResult& r) {
  double total_ms = 0;
  for (const OpRow& op : r.ops) total_ms += op.time_ms;
  w.Key("ops");
  w.BeginArray();
  for (const OpRow& op : r.ops) {
    w.BeginObject(/*compact=*/true);
    w.Key("index");
    w.Int(op.index);
    w.Key("type");
    w.String(op.type);
    w.Key("name");
    w.String(op.name);
    w.Key("backend");
    w.String(op.backend);
    w.Key("kernel");
    w.String(op.kernel);
    w.Key("dtype");
    w.String(op.dtype);
    w.Key("shape");
    WriteShape(w, op.shape);
    w.Key("macs");
    w.Uint(op.macs);
    w.Key("time_ms");
    w.Number(op.time_ms);
    w.Key("share");  // fraction of the summed op times, 0..1
    w.Number(total_ms > 0 ? op.time_ms / total_ms : 0.0);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string JsonReport(const ReportData& d) {
  const Options& o = *d.options;
  JsonWriter w;
  w.BeginObject();
  w.Key("qrun_version");
  w.String(qrun_version());
  w.Key("model");
  w.String(o.model_path);
  w.Key("backend");
  w.String(BackendName(o.backend));
  w.Key("threads");
  w.Int(o.threads);
  w.Key("arena_bytes");
  w.Uint(d.arena_bytes);
  w.Key("inputs");
  w.BeginArray();
  for (const qrun_tensor& t : d.inputs) {
    w.BeginObject();
    WriteTensorFields(w, t);
    w.EndObject();
  }
  w.EndArray();
  w.Key("outputs");
  w.BeginArray();
  for (size_t i = 0; i < d.outputs.size(); ++i) WriteOutput(w, d.outputs[i], d.output_values[i], d.labels);
  w.EndArray();
  if (o.bench_runs > 0) WriteBench(w, d.run);
  if (o.profile) WriteOps(w, d.run);
  w.EndObject();
  return w.str();
}

}  // namespace qrun_cli

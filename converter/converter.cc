#include "converter/converter.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <iomanip>
#include <map>
#include <new>
#include <random>
#include <sstream>

#include "converter/onnx_import.h"
#include "converter/qfb_writer.h"
#include "converter/quantize.h"
#include "converter/runner.h"
#include "runtime/builder/model_builder.h"

namespace qrun::conv {

static Status ImportAndOptimizeUnguarded(const std::string& model_path, const InputShapes& shapes, Graph* g,
                         bool* prequantized) {
  QRUN_RETURN_IF_ERROR(ImportOnnxFile(model_path, g));
  QRUN_RETURN_IF_ERROR(RemoveTrivialNodes(g));
  QRUN_RETURN_IF_ERROR(ImportQuantization(g, prequantized));
  QRUN_RETURN_IF_ERROR(ApplyInputShapes(g, shapes));
  QRUN_RETURN_IF_ERROR(FoldConstantsAndInferShapes(g));
  QRUN_RETURN_IF_ERROR(FoldBatchNorm(g));
  QRUN_RETURN_IF_ERROR(CanonicalizeArithmetic(g));
  QRUN_RETURN_IF_ERROR(FuseMatMulAdd(g));
  QRUN_RETURN_IF_ERROR(RecognizeHardSwish(g));
  QRUN_RETURN_IF_ERROR(FuseActivations(g));
  return Status::Ok();
}

namespace {

struct ErrorAcc {
  double signal = 0, noise = 0;
  double sqnr() const {
    if (noise <= 0) return 99.0;
    return 10.0 * std::log10(std::max(signal, 1e-30) / noise);
  }
};

void Accumulate(const std::vector<float>& ref, const std::vector<float>& q, ErrorAcc* acc) {
  for (size_t i = 0; i < ref.size() && i < q.size(); ++i) {
    acc->signal += static_cast<double>(ref[i]) * ref[i];
    const double d = static_cast<double>(ref[i]) - q[i];
    acc->noise += d * d;
  }
}

size_t ArgMax(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : (aa == bb ? 1.0 : 0.0);
}

// Float reference vs the quantized graph on samples: per-tensor error and
// output agreement.
struct Comparison {
  std::vector<ErrorAcc> per_tensor;
  ErrorAcc output;
  double cosine = 0;
  int agree = 0, count = 0;
};

Status Compare(const LGraph& g, const std::vector<std::vector<std::vector<float>>>& samples,
               Runner* float_runner, const WriteResult& fw, bool all_tensors, Comparison* c) {
  WriteOptions qo;
  qo.all_outputs = all_tensors;
  WriteResult qw;
  QRUN_RETURN_IF_ERROR(WriteQfb(g, qo, &qw));
  Runner q;
  QRUN_RETURN_IF_ERROR(q.Load(std::move(qw.bytes)));
  c->per_tensor.assign(g.tensors.size(), ErrorAcc());
  for (const auto& s : samples) {
    QRUN_RETURN_IF_ERROR(float_runner->Run(s));
    QRUN_RETURN_IF_ERROR(q.Run(s));
    if (all_tensors) {
      for (size_t t = 0; t < g.tensors.size(); ++t) {
        if (g.tensors[t].is_const() || fw.float_index[t] < 0) continue;
        const int qi = qw.int8_index[t] >= 0 ? qw.int8_index[t] : qw.float_index[t];
        if (qi < 0) continue;
        Accumulate(float_runner->Get(fw.float_index[t]), q.Get(qi), &c->per_tensor[t]);
      }
    }
    for (size_t o = 0; o < g.outputs.size(); ++o) {
      const std::vector<float> a = float_runner->Get(float_runner->model().outputs()[o]);
      const std::vector<float> b = q.Get(q.model().outputs()[o]);
      Accumulate(a, b, &c->output);
      if (o == 0) {
        c->cosine += Cosine(a, b);
        c->agree += ArgMax(a) == ArgMax(b);
        ++c->count;
      }
    }
  }
  if (c->count) c->cosine /= c->count;
  return Status::Ok();
}

bool IsCompute(fb::OpType t) {
  return t != fb::OpType::RESHAPE && t != fb::OpType::TRANSPOSE;
}

}  // namespace

static Status ConvertToBytesUnguarded(const ConvertOptions& o, std::vector<uint8_t>* bytes, ConvertSummary* summary) {
  *summary = ConvertSummary();
  Graph g;
  bool prequantized = false;
  QRUN_RETURN_IF_ERROR(ImportAndOptimizeUnguarded(o.model_path, o.input_shapes, &g, &prequantized));
  summary->prequantized = prequantized;
  std::ostream* log = o.log;
  if (log) {
    for (const std::string& w : g.warnings) *log << "qconvert: warning: " << w << "\n";
  }
  if (o.dynamic) {
    if (prequantized) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT,
                   "--dynamic quantizes a float model, but this model is already quantized (QDQ/QOperator): "
                   "convert it without --dynamic to keep its scales");
    }
    if (!o.quantize) return Error(QRUN_ERROR_INVALID_ARGUMENT, "--dynamic and --float exclude each other");
    if (o.int8_io) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT,
                   "--io int8 needs static activation scales; --dynamic chooses them per run");
    }
    if (o.auto_mixed) return Error(QRUN_ERROR_INVALID_ARGUMENT, "--auto-mixed applies to static quantization, not --dynamic");
  }
  LGraph lg;
  LowerOptions lo;
  lo.nhwc_io = o.int8_io;
  QRUN_RETURN_IF_ERROR(Lower(g, lo, &lg));
  for (const std::string& name : o.keep_float) {
    bool found = false;
    for (const LOp& op : lg.ops) found = found || op.name == name;
    if (!found) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "--keep-float: no node named '", name, "' (names are ONNX node names; see --report)");
    }
  }

  // Samples (calibration / report).
  std::vector<std::vector<std::vector<float>>> samples;
  const bool static_int8 = o.quantize && !o.dynamic;
  const bool need_samples = static_int8 && !prequantized;
  if (static_int8 && (need_samples || o.report || o.auto_mixed)) {
    if (!o.calib_path.empty() || o.calib_random > 0) {
      if (lg.inputs.size() != 1 && !o.calib_path.empty()) {
        return Error(QRUN_ERROR_UNSUPPORTED, "--calib supports single-input models; use --calib-random N");
      }
    }
    if (!o.calib_path.empty()) {
      const Value& in = *g.find(g.inputs[0]);
      std::vector<std::vector<float>> flat;
      bool saw_uint8 = false;
      QRUN_RETURN_IF_ERROR(LoadSamples(o.calib_path, in.shape, o.calib_transform, o.calib_format,
                                       o.calib_count, &flat, nullptr, &saw_uint8));
      // The classic mistake: raw image bytes for a model trained on
      // normalized inputs calibrates the input for [0, 1].
      if (saw_uint8 && IsDefaultTransform(o.calib_transform) && log) {
        *log << "qconvert: warning: uint8 calibration inputs are read as x/255 in [0, 1]; if the model "
                "expects normalized inputs, pass --calib-transform (imagenet, mnist, or "
                "scale=..,mean=..,std=..)\n";
      }
      for (auto& s : flat) samples.push_back({std::move(s)});
    } else if (o.calib_random > 0) {
      std::mt19937 rng(1);
      std::normal_distribution<float> nd(0.0f, 1.0f);
      for (int s = 0; s < o.calib_random; ++s) {
        std::vector<std::vector<float>> in;
        for (const std::string& name : g.inputs) {
          std::vector<float> x(static_cast<size_t>(g.find(name)->elements()));
          for (float& v : x) v = nd(rng);
          in.push_back(std::move(x));
        }
        samples.push_back(std::move(in));
      }
    } else if (need_samples) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT,
                   "static int8 quantization needs calibration inputs: pass --calib DIR_OR_FILE "
                   "(.npy, raw float32, or uint8 with --calib-transform), or --calib-random N for a "
                   "smoke test, or --float to convert without quantization");
    }
  }

  std::vector<Range> ranges;
  if (static_int8) {
    if (need_samples) {
      CalibOptions co = o.calib;
      QRUN_RETURN_IF_ERROR(Calibrate(lg, samples, co, &ranges));
      if (log && co.progress) *log << "\n";
    }
    QuantizeOptions qo;
    qo.prequantized = prequantized;
    qo.keep_float.insert(o.keep_float.begin(), o.keep_float.end());
    QRUN_RETURN_IF_ERROR(AssignQuantization(&lg, ranges, qo));

    if (o.auto_mixed && !samples.empty()) {
      // Sensitivity: one compute op in int8 at a time, the rest float.
      std::vector<std::vector<std::vector<float>>> sub(samples.begin(), samples.begin() + std::min<size_t>(samples.size(), static_cast<size_t>(o.report_samples)));
      WriteOptions fo;
      fo.force_float = true;
      WriteResult fw;
      QRUN_RETURN_IF_ERROR(WriteQfb(lg, fo, &fw));
      Runner fr;
      QRUN_RETURN_IF_ERROR(fr.Load(std::move(fw.bytes)));
      const std::vector<bool> base_int8 = [&] { std::vector<bool> v; for (const LOp& op : lg.ops) v.push_back(op.int8); return v; }();
      std::vector<std::pair<double, size_t>> sens;
      for (size_t k = 0; k < lg.ops.size(); ++k) {
        if (!base_int8[k] || !IsCompute(lg.ops[k].type)) continue;
        for (size_t j = 0; j < lg.ops.size(); ++j) lg.ops[j].int8 = j == k || (base_int8[j] && !IsCompute(lg.ops[j].type));
        Comparison c;
        QRUN_RETURN_IF_ERROR(Compare(lg, sub, &fr, fw, false, &c));
        sens.emplace_back(c.output.sqnr(), k);
        if (log) *log << "\rqconvert: sensitivity " << sens.size() << " ops" << std::flush;
      }
      std::sort(sens.begin(), sens.end());
      if (log) {
        *log << "\nqconvert: per-layer sensitivity (output SQNR with only this layer in int8), worst first:\n";
        for (size_t i = 0; i < sens.size() && i < 15; ++i) {
          *log << "  " << std::setw(7) << std::fixed << std::setprecision(2) << sens[i].first << " dB  "
               << lg.ops[sens[i].second].name << " (" << fb::EnumNameOpType(lg.ops[sens[i].second].type) << ")\n";
        }
      }
      for (size_t j = 0; j < lg.ops.size(); ++j) lg.ops[j].int8 = base_int8[j];
      size_t kept = 0;
      for (;;) {
        Comparison c;
        QRUN_RETURN_IF_ERROR(Compare(lg, sub, &fr, fw, false, &c));
        if (log) *log << "qconvert: " << kept << " layers in float: output SQNR " << std::setprecision(2) << c.output.sqnr() << " dB\n";
        if (c.output.sqnr() >= o.target_sqnr || kept >= sens.size()) break;
        lg.ops[sens[kept].second].int8 = false;
        if (log) *log << "qconvert: keeping '" << lg.ops[sens[kept].second].name << "' in float\n";
        ++kept;
      }
    }
  }

  const char* kind = !o.quantize ? "float32"
                     : o.dynamic ? "dynamic int8"
                     : prequantized ? "imported (QDQ/QOperator)" : "static int8";
  WriteOptions wo;
  wo.int8_io = o.int8_io && static_int8;
  wo.force_float = !static_int8;
  if (o.dynamic) {
    wo.dynamic_weights = true;
    wo.keep_float.insert(o.keep_float.begin(), o.keep_float.end());
  }
  wo.metadata = {{"source", o.model_path}, {"quantization", kind}};
  wo.metadata.insert(wo.metadata.end(), o.metadata.begin(), o.metadata.end());
  WriteResult wr;
  QRUN_RETURN_IF_ERROR(WriteQfb(lg, wo, &wr));
  // Load once: the runtime validates every op (catches anything it would reject).
  {
    Runner check;
    Status s = check.Load(wr.bytes);
    if (!s.ok()) return Error(s.code(), "converted model rejected by the runtime: ", s.message());
  }
  *bytes = wr.bytes;

  std::map<std::string, std::pair<int, int>> counts;  // type -> (int8, float)
  for (const LOp& op : lg.ops) {
    const bool q = o.dynamic ? IsDynamicOp(op, wo) : op.int8 && static_int8;
    auto& c = counts[fb::EnumNameOpType(op.type)];
    (q ? c.first : c.second)++;
    summary->ops++;
    (q ? summary->int8_ops : summary->float_ops)++;
  }
  std::vector<uint8_t> onnx;
  if (ReadFileBytes(o.model_path, &onnx).ok()) summary->onnx_bytes = onnx.size();
  summary->qfb_bytes = bytes->size();
  std::ostringstream line;
  line << "qconvert: " << lg.ops.size() << " ops (" << summary->int8_ops << " int8, " << summary->float_ops
       << " float), " << (prequantized && o.quantize ? "pre-quantized import" : kind)
       << ", " << summary->onnx_bytes / 1024 << " KiB -> " << summary->qfb_bytes / 1024 << " KiB";
  summary->line = line.str();

  if (o.report && log) {
    *log << "qconvert report\n  ops by type (int8 / float):\n";
    for (const auto& kv : counts) {
      *log << "    " << std::left << std::setw(22) << kv.first << std::right << std::setw(4) << kv.second.first
           << " / " << kv.second.second << "\n";
    }
    *log << "  model size: onnx " << summary->onnx_bytes << " bytes, qfb " << summary->qfb_bytes
         << " bytes (constants " << wr.weight_bytes << " bytes)\n";
    if (static_int8 && !samples.empty()) {
      std::vector<std::vector<std::vector<float>>> sub(samples.begin(), samples.begin() + std::min<size_t>(samples.size(), static_cast<size_t>(o.report_samples)));
      WriteOptions fo;
      fo.force_float = true;
      fo.all_outputs = true;
      WriteResult fw;
      QRUN_RETURN_IF_ERROR(WriteQfb(lg, fo, &fw));
      Runner fr;
      QRUN_RETURN_IF_ERROR(fr.Load(std::move(fw.bytes)));
      Comparison c;
      QRUN_RETURN_IF_ERROR(Compare(lg, sub, &fr, fw, true, &c));
      *log << "  per-layer SQNR vs float on " << sub.size() << " calibration samples (op output):\n";
      for (const LOp& op : lg.ops) {
        const int t = op.outputs[0];
        *log << "    " << std::left << std::setw(36) << op.name.substr(0, 35) << std::setw(20) << fb::EnumNameOpType(op.type)
             << std::setw(6) << (op.int8 ? "int8" : "float") << std::right << std::fixed << std::setprecision(2)
             << std::setw(8) << c.per_tensor[static_cast<size_t>(t)].sqnr() << " dB\n";
      }
      *log << "  model output vs float: SQNR " << c.output.sqnr() << " dB, mean cosine " << std::setprecision(5)
           << c.cosine << ", top-1 agreement " << c.agree << "/" << c.count << "\n";
    } else if (static_int8) {
      *log << "  (per-layer SQNR needs samples: pass --calib or --calib-random)\n";
    }
  }
  return Status::Ok();
}

// A corrupt model that gets past the checks must not take the process down:
// a library exception (std::bad_alloc, std::out_of_range from a bounds-checked
// access) becomes an error status.
template <typename F>
Status Guarded(const std::string& path, F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return Error(QRUN_ERROR_OUT_OF_MEMORY, "'", path, "': out of memory while converting (corrupt model?)");
  } catch (const std::exception& e) {
    // INTERNAL: the model is malformed in a way no check caught first.
    return Error(QRUN_ERROR_INTERNAL, "'", path, "': malformed model (", e.what(), ")");
  }
}

Status ImportAndOptimize(const std::string& model_path, const InputShapes& shapes, Graph* g,
                         bool* prequantized) {
  return Guarded(model_path, [&] { return ImportAndOptimizeUnguarded(model_path, shapes, g, prequantized); });
}

Status ConvertToBytes(const ConvertOptions& o, std::vector<uint8_t>* bytes, ConvertSummary* summary) {
  return Guarded(o.model_path, [&] { return ConvertToBytesUnguarded(o, bytes, summary); });
}

Status Convert(const ConvertOptions& o, ConvertSummary* summary) {
  std::vector<uint8_t> bytes;
  QRUN_RETURN_IF_ERROR(ConvertToBytes(o, &bytes, summary));
  return WriteFile(o.output_path, bytes.data(), bytes.size());
}

}  // namespace qrun::conv

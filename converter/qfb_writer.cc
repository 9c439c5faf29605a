#include "converter/qfb_writer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/requantize.h"
#include "runtime/builder/model_builder.h"

namespace qrun::conv {

QAnnot ActivationParams(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = std::isfinite(lo) ? lo : -1.0f;
    hi = std::isfinite(hi) ? hi : 1.0f;
  }
  float scale = (hi - lo) / 255.0f;
  if (!(scale > 0.0f) || !std::isnormal(scale)) scale = 1.0f / 255.0f;
  const double zp = std::nearbyint(-128.0 - static_cast<double>(lo) / scale);
  QAnnot q;
  q.scale = {scale};
  q.zero_point = {static_cast<int64_t>(std::clamp(zp, -128.0, 127.0))};
  return q;
}

void QuantizeWeights(const LTensor& w, std::vector<int8_t>* q, std::vector<float>* scales) {
  const size_t oc = w.shape.empty() ? 0 : static_cast<size_t>(w.shape[0]);
  const size_t per = oc == 0 ? 0 : w.data.size() / oc;
  scales->assign(oc, 1.0f);
  q->assign(w.data.size(), 0);
  for (size_t o = 0; o < oc; ++o) {
    float m = 0.0f;
    for (size_t e = 0; e < per; ++e) m = std::max(m, std::fabs(w.data[o * per + e]));
    // (An all-zero or subnormal channel keeps scale 1: dividing by a
    // zero-flushed scale would give 0/0.)
    const float s = std::isnormal(m / 127.0f) ? m / 127.0f : 1.0f;
    (*scales)[o] = s;
    for (size_t e = 0; e < per; ++e) {
      (*q)[o * per + e] = static_cast<int8_t>(kernels::quantize_value(w.data[o * per + e], s, 0, -127, 127));
    }
  }
}

namespace {

std::vector<int32_t> Shape32(const std::vector<int64_t>& s) {
  return std::vector<int32_t>(s.begin(), s.end());
}

QuantParams ToParams(const QAnnot& q) {
  QuantParams p;
  p.scale = q.scale;
  p.zero_point = q.zero_point;
  p.axis = q.axis;
  return p;
}

class Writer {
 public:
  Writer(const LGraph& g, const WriteOptions& o, WriteResult* r) : g_(g), opt_(o), r_(*r), b_(o.producer) {}

  Status Run() {
    r_.float_index.assign(g_.tensors.size(), -1);
    r_.int8_index.assign(g_.tensors.size(), -1);
    for (const auto& kv : opt_.metadata) b_.AddMetadata(kv.first, kv.second);
    std::vector<int> inputs;
    for (int t : g_.inputs) {
      const LTensor& lt = g_.tensors[static_cast<size_t>(t)];
      if (opt_.int8_io) {
        if (lt.quant.empty()) {
          return Error(QRUN_ERROR_UNSUPPORTED, "input '", lt.name, "' has no quantization for --io int8");
        }
        r_.int8_index[static_cast<size_t>(t)] = b_.AddTensor(lt.name, fb::DType::INT8, Shape32(lt.shape), ToParams(lt.quant));
        inputs.push_back(r_.int8_index[static_cast<size_t>(t)]);
      } else {
        r_.float_index[static_cast<size_t>(t)] = b_.AddTensor(lt.name, fb::DType::FLOAT32, Shape32(lt.shape));
        inputs.push_back(r_.float_index[static_cast<size_t>(t)]);
      }
    }
    b_.SetInputs(inputs);
    for (const LOp& op : g_.ops) QRUN_RETURN_IF_ERROR(WriteOp(op));
    std::vector<int> outputs;
    for (int t : g_.outputs) {
      int idx;
      if (opt_.int8_io) QRUN_RETURN_IF_ERROR(Int8(t, &idx, /*final_name=*/true));
      else QRUN_RETURN_IF_ERROR(Float(t, &idx, true));
      outputs.push_back(idx);
    }
    if (opt_.all_outputs) {
      for (size_t t = 0; t < g_.tensors.size(); ++t) {
        for (int idx : {r_.float_index[t], r_.int8_index[t]}) {
          if (idx >= 0 && !g_.tensors[t].is_const() &&
              std::find(outputs.begin(), outputs.end(), idx) == outputs.end() &&
              std::find(inputs.begin(), inputs.end(), idx) == inputs.end()) {
            outputs.push_back(idx);
          }
        }
      }
    }
    b_.SetOutputs(outputs);
    r_.bytes = b_.Finish();
    return Status::Ok();
  }

 private:
  bool IsInt8(const LOp& op) const { return op.int8 && !opt_.force_float; }

  // The float32 form of activation t (DEQUANTIZE inserted if needed).
  Status Float(int t, int* idx, bool final_name = false) {
    const size_t u = static_cast<size_t>(t);
    if (r_.float_index[u] >= 0) { *idx = r_.float_index[u]; return Status::Ok(); }
    const LTensor& lt = g_.tensors[u];
    if (r_.int8_index[u] < 0) return Error(QRUN_ERROR_INTERNAL, "tensor '", lt.name, "' not produced");
    const std::string name = final_name ? lt.name : lt.name + "/dq";
    if (final_name) b_.model().tensors[static_cast<size_t>(r_.int8_index[u])]->name = lt.name + "/int8";
    r_.float_index[u] = b_.AddTensor(name, fb::DType::FLOAT32, Shape32(lt.shape));
    b_.AddOp(fb::OpType::DEQUANTIZE, {r_.int8_index[u]}, {r_.float_index[u]}, lt.name + "/dequantize");
    *idx = r_.float_index[u];
    return Status::Ok();
  }
  Status Int8(int t, int* idx, bool final_name = false) {
    const size_t u = static_cast<size_t>(t);
    if (r_.int8_index[u] >= 0) { *idx = r_.int8_index[u]; return Status::Ok(); }
    const LTensor& lt = g_.tensors[u];
    if (r_.float_index[u] < 0) return Error(QRUN_ERROR_INTERNAL, "tensor '", lt.name, "' not produced");
    if (lt.quant.empty()) return Error(QRUN_ERROR_INTERNAL, "tensor '", lt.name, "' has no quantization");
    const std::string name = final_name ? lt.name : lt.name + "/q";
    if (final_name) b_.model().tensors[static_cast<size_t>(r_.float_index[u])]->name = lt.name + "/float";
    r_.int8_index[u] = b_.AddTensor(name, fb::DType::INT8, Shape32(lt.shape), ToParams(lt.quant));
    b_.AddOp(fb::OpType::QUANTIZE, {r_.float_index[u]}, {r_.int8_index[u]}, lt.name + "/quantize");
    *idx = r_.int8_index[u];
    return Status::Ok();
  }

  int FloatConst(const LTensor& c) {
    r_.weight_bytes += c.data.size() * 4;
    return b_.AddConstant(c.name, fb::DType::FLOAT32, Shape32(c.shape), c.data);
  }

  // The int8 weight tensor and its per-channel scales.
  int WeightConst(const LTensor& w, std::vector<float>* scales) {
    std::vector<int8_t> q;
    bool exact = !w.qdata.empty() && w.qparams.axis == 0 &&
                 (w.qparams.scale.size() == 1 || w.qparams.scale.size() == static_cast<size_t>(w.shape[0]));
    for (int64_t z : w.qparams.zero_point) exact = exact && z == 0;
    for (int64_t v : w.qdata) exact = exact && v >= -128 && v <= 127;
    if (exact) {
      q.assign(w.qdata.begin(), w.qdata.end());
      scales->assign(static_cast<size_t>(w.shape[0]), w.qparams.scale[0]);
      if (w.qparams.scale.size() > 1) *scales = w.qparams.scale;
    } else {
      QuantizeWeights(w, &q, scales);
    }
    r_.weight_bytes += q.size();
    return b_.AddConstant(w.name, fb::DType::INT8, Shape32(w.shape), q, QuantParams::PerChannel(*scales, 0));
  }

  int BiasConst(const LTensor& b, float sx, const std::vector<float>& sw) {
    std::vector<int32_t> q(b.data.size());
    std::vector<float> s(b.data.size());
    bool exact = b.qdata.size() == b.data.size() && b.qparams.scale.size() == sw.size();
    for (size_t c = 0; c < q.size(); ++c) {
      s[c] = sx * sw[c];
      if (exact && b.qparams.scale[c] != s[c]) exact = false;
    }
    for (size_t c = 0; c < q.size(); ++c) {
      double v = exact ? static_cast<double>(b.qdata[c]) : std::nearbyint(static_cast<double>(b.data[c]) / s[c]);
      if (std::isnan(v)) v = 0;  // 0 / 0 when the scale product underflows (the runtime rejects that scale)
      q[c] = static_cast<int32_t>(std::clamp(v, -2147483647.0, 2147483647.0));
    }
    r_.weight_bytes += q.size() * 4;
    return b_.AddConstant(b.name, fb::DType::INT32, Shape32(b.shape), q, QuantParams::PerChannel(s, 0));
  }

  int Int8Const(const LTensor& c) {
    QAnnot p;
    std::vector<int8_t> q(c.data.size());
    if (!c.qdata.empty() && c.qparams.scale.size() == 1) {
      p = c.qparams;
      for (size_t i = 0; i < q.size(); ++i) q[i] = static_cast<int8_t>(std::clamp<int64_t>(c.qdata[i], -128, 127));
    } else {
      float lo = 0, hi = 0;
      for (float v : c.data) { lo = std::min(lo, v); hi = std::max(hi, v); }
      p = ActivationParams(lo, hi);
      for (size_t i = 0; i < q.size(); ++i) {
        q[i] = static_cast<int8_t>(kernels::quantize_value(c.data[i], p.scale[0], static_cast<int32_t>(p.zero_point[0]), -128, 127));
      }
    }
    r_.weight_bytes += q.size();
    return b_.AddConstant(c.name, fb::DType::INT8, Shape32(c.shape), q, ToParams(p));
  }

  Status WriteOp(const LOp& op) {
    const bool q = IsInt8(op);
    std::vector<int> ins;
    const bool weighted = op.type == fb::OpType::CONV_2D || op.type == fb::OpType::FULLY_CONNECTED;
    std::vector<float> wscales;
    for (size_t s = 0; s < op.inputs.size(); ++s) {
      const int t = op.inputs[s];
      if (t < 0) { ins.push_back(-1); continue; }
      const LTensor& lt = g_.tensors[static_cast<size_t>(t)];
      int idx = -1;
      if (q && lt.is_const()) {  // quantized below: NaN or infinity would have no int8 value
        for (float v : lt.data) {
          if (!std::isfinite(v)) {
            return Error(QRUN_ERROR_INVALID_MODEL, "op '", op.name, "': constant '", lt.name,
                         "' holds NaN or infinity and cannot be quantized");
          }
        }
      }
      if (!lt.is_const()) {
        QRUN_RETURN_IF_ERROR(q ? Int8(t, &idx) : Float(t, &idx));
      } else if (!q && s == 1 && IsDynamicOp(op, opt_)) {
        idx = WeightConst(lt, &wscales);
      } else if (!q) {
        idx = FloatConst(lt);
      } else if (weighted && s == 1) {
        idx = WeightConst(lt, &wscales);
      } else if (weighted && s == 2) {
        const LTensor& x = g_.tensors[static_cast<size_t>(op.inputs[0])];
        idx = BiasConst(lt, x.quant.scale.at(0), wscales);
      } else {
        idx = Int8Const(lt);
      }
      ins.push_back(idx);
    }
    std::vector<int> outs;
    for (int t : op.outputs) {
      const LTensor& lt = g_.tensors[static_cast<size_t>(t)];
      int idx;
      if (q) {
        if (lt.quant.empty()) return Error(QRUN_ERROR_INTERNAL, "op '", op.name, "' output '", lt.name, "' has no quantization");
        idx = b_.AddTensor(lt.name, fb::DType::INT8, Shape32(lt.shape), ToParams(lt.quant));
        r_.int8_index[static_cast<size_t>(t)] = idx;
      } else {
        idx = b_.AddTensor(lt.name, fb::DType::FLOAT32, Shape32(lt.shape));
        r_.float_index[static_cast<size_t>(t)] = idx;
      }
      outs.push_back(idx);
    }
    fb::OpOptionsUnion u = op.options;  // copy
    b_.model().operators.emplace_back(new fb::OperatorT());
    fb::OperatorT& o = *b_.model().operators.back();
    o.type = op.type;
    o.inputs = ins;
    o.outputs = outs;
    o.options = std::move(u);
    o.name = op.name;
    return Status::Ok();
  }

  const LGraph& g_;
  WriteOptions opt_;
  WriteResult& r_;
  ModelBuilder b_;
};

}  // namespace

bool IsDynamicOp(const LOp& op, const WriteOptions& options) {
  return options.dynamic_weights && options.keep_float.count(op.name) == 0 &&
         (op.type == fb::OpType::CONV_2D || op.type == fb::OpType::FULLY_CONNECTED);
}

Status WriteQfb(const LGraph& g, const WriteOptions& options, WriteResult* out) {
  *out = WriteResult();
  return Writer(g, options, out).Run();
}

}  // namespace qrun::conv

// Pre-quantized models: QDQ (QuantizeLinear/DequantizeLinear around float
// ops) and QOperator (QLinearConv, QLinearMatMul, com.microsoft QLinearAdd /
// QLinearMul / QLinearGlobalAveragePool). Everything becomes the float graph
// plus exact quantization annotations:
//   - DequantizeLinear of a constant: a constant keeping its integers;
//   - QuantizeLinear(x): x gets the scale/zero point, readers of the
//     quantized tensor read x (the float graph is the dequantized one);
//   - DequantizeLinear of an activation: readers read its input.
// uint8 tensors become int8 with zero point - 128 (exact).
#include <cmath>

#include "converter/passes/passes.h"

namespace qrun::conv {
namespace {

struct Params {
  std::vector<float> scale;
  std::vector<int64_t> zp;
  bool is_uint8 = false;
  int axis = 1;
};

Status ReadParams(const Graph& g, const Node& n, size_t scale_slot, size_t zp_slot, int axis,
                  Params* p) {
  if (!n.has_input(scale_slot) || !g.is_const(n.inputs[scale_slot])) {
    return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), ": scale must be a constant");
  }
  const Value& s = *g.find(n.inputs[scale_slot]);
  p->scale.clear();
  for (double d : s.data) {
    const float f = static_cast<float>(d);
    if (!(f > 0.0f) || !std::isfinite(f)) {  // NaN fails the first test
      return Error(QRUN_ERROR_INVALID_MODEL, node_label(n), ": scale ", d, " must be finite and > 0");
    }
    p->scale.push_back(f);
  }
  if (p->scale.empty()) return Error(QRUN_ERROR_INVALID_MODEL, node_label(n), ": empty scale");
  p->is_uint8 = true;  // ONNX default zero point type
  p->zp.assign(p->scale.size(), 0);
  if (n.has_input(zp_slot)) {
    if (!g.is_const(n.inputs[zp_slot])) {
      return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), ": zero point must be a constant");
    }
    const Value& z = *g.find(n.inputs[zp_slot]);
    p->is_uint8 = z.type == ElemType::kUInt8;
    if (z.type == ElemType::kInt32) p->is_uint8 = false;
    p->zp.clear();
    for (double d : z.data) {
      // int8 / uint8 zero points (int32 only for biases), so this is a wide bound.
      if (!(std::fabs(d) <= 2147483647.0)) {
        return Error(QRUN_ERROR_INVALID_MODEL, node_label(n), ": zero point ", d, " out of range");
      }
      p->zp.push_back(static_cast<int64_t>(d));
    }
    if (p->zp.size() != p->scale.size()) {
      return Error(QRUN_ERROR_INVALID_MODEL, node_label(n), ": scale and zero point sizes differ");
    }
  }
  p->axis = axis;
  return Status::Ok();
}

QAnnot ToInt8(const Params& p) {
  QAnnot q;
  q.scale = p.scale;
  q.zero_point = p.zp;
  q.axis = p.axis;
  if (p.is_uint8) {
    for (int64_t& z : q.zero_point) z -= 128;
  }
  return q;
}

bool SameAnnot(const QAnnot& a, const QAnnot& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point;
}

class QImporter {
 public:
  explicit QImporter(Graph* g) : g_(*g) {}

  Status Run(bool* prequantized) {
    *prequantized = false;
    std::vector<Node> kept;
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      Node n = g_.nodes[k];
      for (std::string& i : n.inputs) i = Resolve(i);
      bool drop = false;
      if (n.op == "DequantizeLinear") {
        *prequantized = true;
        QRUN_RETURN_IF_ERROR(Dequantize(n, &drop));
      } else if (n.op == "QuantizeLinear") {
        *prequantized = true;
        QRUN_RETURN_IF_ERROR(Quantize(n, &drop));
      } else if (n.op == "QLinearConv" || n.op == "QLinearMatMul") {
        *prequantized = true;
        QRUN_RETURN_IF_ERROR(QLinearWeighted(&n));
      } else if (n.op == "QLinearAdd" || n.op == "QLinearMul") {
        *prequantized = true;
        QRUN_RETURN_IF_ERROR(QLinearBinary(&n));
      } else if (n.op == "QLinearGlobalAveragePool") {
        *prequantized = true;
        if (n.geti("channels_last", 0) != 0) {
          return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), ": channels_last=1");
        }
        Params x, y;
        QRUN_RETURN_IF_ERROR(ReadParams(g_, n, 1, 2, 1, &x));
        QRUN_RETURN_IF_ERROR(ReadParams(g_, n, 3, 4, 1, &y));
        QRUN_RETURN_IF_ERROR(Annotate(n, n.inputs[0], ToInt8(x)));
        Annotate(n.outputs[0], ToInt8(y));
        n.op = "GlobalAveragePool";
        n.domain.clear();
        n.inputs = {n.inputs[0]};
      }
      if (!drop) kept.push_back(std::move(n));
    }
    g_.nodes = std::move(kept);
    for (std::string& o : g_.outputs) {
      const std::string r = Resolve(o);
      if (r != o) {
        if (g_.is_graph_output(r) || g_.producer(r) < 0) {
          return Error(QRUN_ERROR_UNSUPPORTED, "graph output '", o,
                       "' is a quantized alias of another graph input/output");
        }
        Rename(r, o);
      }
    }
    g_.remove_dead();
    return Status::Ok();
  }

 private:
  std::string Resolve(const std::string& v) const {
    auto it = alias_.find(v);
    return it == alias_.end() ? v : Resolve(it->second);
  }

  void Annotate(const std::string& v, const QAnnot& q) {
    Value& val = g_.value(v);
    if (val.quant.empty()) val.quant = q;
  }
  Status Annotate(const Node& n, const std::string& v, const QAnnot& q) {
    Value& val = g_.value(v);
    if (!val.quant.empty() && !SameAnnot(val.quant, q)) {
      return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), ": tensor '", v,
                   "' is quantized with two different scales/zero points");
    }
    val.quant = q;
    return Status::Ok();
  }

  // Renames value `from` to `to` (producer output and all readers).
  void Rename(const std::string& from, const std::string& to) {
    Value v = g_.values[from];
    v.name = to;
    g_.values[to] = v;
    for (Node& n : g_.nodes) {
      for (std::string& o : n.outputs) {
        if (o == from) o = to;
      }
      for (std::string& i : n.inputs) {
        if (i == from) i = to;
      }
    }
  }

  Status Dequantize(Node& n, bool* drop) {
    const std::string& x = n.inputs[0];
    Params p;
    QRUN_RETURN_IF_ERROR(ReadParams(g_, n, 1, 2, static_cast<int>(n.geti("axis", 1)), &p));
    if (g_.is_const(x)) {
      const Value& c = *g_.find(x);
      Value& out = g_.value(n.outputs[0]);
      out.type = ElemType::kFloat;
      out.shape = c.shape;
      out.has_shape = true;
      out.is_const = true;
      if (p.axis < 0) p.axis += static_cast<int>(c.shape.size());
      const size_t channels = p.scale.size();
      int64_t inner = 1;
      if (channels > 1) {
        for (size_t d = static_cast<size_t>(p.axis) + 1; d < c.shape.size(); ++d) inner *= c.shape[d];
      }
      out.data.resize(c.data.size());
      out.qdata.resize(c.data.size());
      const bool is_u8 = c.type == ElemType::kUInt8;
      for (size_t e = 0; e < c.data.size(); ++e) {
        const size_t ch = channels > 1 ? (e / static_cast<size_t>(inner)) % channels : 0;
        const int64_t q = static_cast<int64_t>(c.data[e]);
        out.data[e] = static_cast<float>(static_cast<float>(q - p.zp[ch]) * p.scale[ch]);
        out.qdata[e] = is_u8 ? q - 128 : q;
      }
      out.qdata_params.scale = p.scale;
      out.qdata_params.zero_point = p.zp;
      if (is_u8) {
        for (int64_t& z : out.qdata_params.zero_point) z -= 128;
      }
      out.qdata_params.axis = channels > 1 ? p.axis : 0;
      *drop = true;
      return Status::Ok();
    }
    // Activation: DQ(Q(x)) reads x; x was annotated by the Q.
    const Value& xv = *g_.find(x);
    if (xv.quant.empty()) {
      // A graph input or op output that is already int8 (not produced by Q).
      return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), ": dequantizes '", x,
                   "', which is not produced by a QuantizeLinear (integer graph inputs are not supported)");
    }
    alias_[n.outputs[0]] = x;
    *drop = true;
    return Status::Ok();
  }

  Status Quantize(Node& n, bool* drop) {
    Params p;
    QRUN_RETURN_IF_ERROR(ReadParams(g_, n, 1, 2, static_cast<int>(n.geti("axis", 1)), &p));
    if (p.scale.size() != 1) {
      return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), ": per-axis activation quantization");
    }
    const std::string& x = n.inputs[0];
    if (g_.is_const(x)) {
      return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), ": QuantizeLinear of a constant");
    }
    Value& xv = g_.value(x);
    const QAnnot q = ToInt8(p);
    if (!xv.quant.empty() && !SameAnnot(xv.quant, q)) {
      // Requantization of an already quantized tensor: keep it as a node that
      // lowering turns into a requantizing copy.
      n.inputs = {x};
      n.attrs.clear();
      Annotate(n.outputs[0], q);
      Value& o = g_.value(n.outputs[0]);
      o.type = ElemType::kFloat;
      o.shape = xv.shape;
      o.has_shape = xv.has_shape;
      n.op = "QrunRequantize";
      return Status::Ok();
    }
    xv.quant = q;
    alias_[n.outputs[0]] = x;
    *drop = true;
    return Status::Ok();
  }

  // Makes a float constant with exact integers from an int8/uint8/int32 one.
  std::string DequantConst(const Node& n, const std::string& name, const Params& p) {
    const Value& c = *g_.find(name);
    Value out;
    out.name = g_.unique_name(name + "_dq");
    out.type = ElemType::kFloat;
    out.shape = c.shape;
    out.has_shape = out.is_const = true;
    const size_t channels = p.scale.size();
    int64_t inner = 1;
    for (size_t d = static_cast<size_t>(p.axis) + 1; channels > 1 && d < c.shape.size(); ++d) inner *= c.shape[d];
    const bool is_u8 = c.type == ElemType::kUInt8;
    for (size_t e = 0; e < c.data.size(); ++e) {
      const size_t ch = channels > 1 ? (e / static_cast<size_t>(inner)) % channels : 0;
      const int64_t q = static_cast<int64_t>(c.data[e]);
      out.data.push_back(static_cast<float>(static_cast<float>(q - p.zp[ch]) * p.scale[ch]));
      out.qdata.push_back(is_u8 ? q - 128 : q);
    }
    out.qdata_params.scale = p.scale;
    out.qdata_params.zero_point = p.zp;
    if (is_u8) {
      for (int64_t& z : out.qdata_params.zero_point) z -= 128;
    }
    out.qdata_params.axis = channels > 1 ? p.axis : 0;
    g_.values[out.name] = out;
    (void)n;
    return out.name;
  }

  Status QLinearWeighted(Node* n) {
    const bool conv = n->op == "QLinearConv";
    Params x, w, y;
    QRUN_RETURN_IF_ERROR(ReadParams(g_, *n, 1, 2, 1, &x));
    QRUN_RETURN_IF_ERROR(ReadParams(g_, *n, 4, 5, conv ? 0 : 1, &w));
    QRUN_RETURN_IF_ERROR(ReadParams(g_, *n, 6, 7, 1, &y));
    if (!g_.is_const(n->inputs[3])) {
      return Error(QRUN_ERROR_UNSUPPORTED, node_label(*n), ": weights must be constant");
    }
    QRUN_RETURN_IF_ERROR(Annotate(*n, n->inputs[0], ToInt8(x)));
    Annotate(n->outputs[0], ToInt8(y));
    std::vector<std::string> ins = {n->inputs[0], DequantConst(*n, n->inputs[3], w)};
    if (conv && n->has_input(8)) {
      Params b;
      b.scale.resize(w.scale.size());
      for (size_t c = 0; c < w.scale.size(); ++c) b.scale[c] = x.scale[0] * w.scale[c];
      b.zp.assign(b.scale.size(), 0);
      b.axis = 0;
      ins.push_back(DequantConst(*n, n->inputs[8], b));
    }
    n->op = conv ? "Conv" : "MatMul";
    n->domain.clear();
    n->inputs = ins;
    return Status::Ok();
  }

  Status QLinearBinary(Node* n) {
    Params a, b, c;
    QRUN_RETURN_IF_ERROR(ReadParams(g_, *n, 1, 2, 1, &a));
    QRUN_RETURN_IF_ERROR(ReadParams(g_, *n, 4, 5, 1, &b));
    QRUN_RETURN_IF_ERROR(ReadParams(g_, *n, 6, 7, 1, &c));
    std::vector<std::string> ins;
    for (size_t slot : {size_t{0}, size_t{3}}) {
      const Params& p = slot == 0 ? a : b;
      if (g_.is_const(n->inputs[slot])) {
        ins.push_back(DequantConst(*n, n->inputs[slot], p));
      } else {
        QRUN_RETURN_IF_ERROR(Annotate(*n, n->inputs[slot], ToInt8(p)));
        ins.push_back(n->inputs[slot]);
      }
    }
    Annotate(n->outputs[0], ToInt8(c));
    n->op = n->op == "QLinearAdd" ? "Add" : "Mul";
    n->domain.clear();
    n->inputs = ins;
    return Status::Ok();
  }

  Graph& g_;
  std::map<std::string, std::string> alias_;
};

}  // namespace

Status ImportQuantization(Graph* g, bool* is_prequantized) {
  return QImporter(g).Run(is_prequantized);
}

}  // namespace qrun::conv

// Lowering: ONNX-level graph (NCHW) -> qrun ops (NHWC). 4-D activations are
// stored NHWC; a Flatten/Reshape of one to [N, C*H*W] stays in H,W,C order
// ("flat NHWC") and the FullyConnected reading it gets its weight columns
// permuted to match. Anything else that needs the ONNX order gets an
// explicit TRANSPOSE.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "converter/lgraph.h"
#include "converter/passes/passes.h"

namespace qrun::conv {

int LGraph::producer(int t) const {
  for (size_t o = 0; o < ops.size(); ++o) {
    for (int x : ops[o].outputs) {
      if (x == t) return static_cast<int>(o);
    }
  }
  return -1;
}

std::vector<int> LGraph::consumers(int t) const {
  std::vector<int> out;
  for (size_t o = 0; o < ops.size(); ++o) {
    for (int x : ops[o].inputs) {
      if (x == t) {
        out.push_back(static_cast<int>(o));
        break;
      }
    }
  }
  return out;
}

bool SharesQuantization(fb::OpType t) {
  return t == fb::OpType::MAX_POOL_2D || t == fb::OpType::RESHAPE || t == fb::OpType::PAD ||
         t == fb::OpType::TRANSPOSE;
}

namespace {

enum class Layout { kPlain, kNhwc, kFlatNhwc };

struct Mapped {
  int t = -1;
  Layout layout = Layout::kPlain;
  std::vector<int64_t> onnx_shape;  // the shape ONNX sees
};

// Permutes a constant's data (and exact integers) with out dim d = in dim perm[d].
template <typename T>
std::vector<T> Permute(const std::vector<T>& in, const std::vector<int64_t>& shape,
                       const std::vector<int>& perm) {
  if (in.empty()) return in;
  const size_t r = shape.size();
  std::vector<int64_t> st(r, 1), out_shape(r);
  for (size_t d = r; d-- > 1;) st[d - 1] = st[d] * shape[d];
  for (size_t d = 0; d < r; ++d) out_shape[d] = shape[static_cast<size_t>(perm[d])];
  std::vector<T> out;
  out.reserve(in.size());
  std::vector<int64_t> idx(r, 0);
  for (size_t e = 0; e < in.size(); ++e) {
    int64_t src = 0;
    for (size_t d = 0; d < r; ++d) src += idx[d] * st[static_cast<size_t>(perm[d])];
    out.push_back(in[static_cast<size_t>(src)]);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// True when a transpose only moves size-1 dims (a reshape in memory).
bool TrivialPermutation(const std::vector<int64_t>& shape, const std::vector<int>& perm) {
  int last = -1;
  for (int p : perm) {
    if (shape[static_cast<size_t>(p)] == 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

const std::vector<int> kToNhwc = {0, 2, 3, 1};
const std::vector<int> kToNchw = {0, 3, 1, 2};

std::vector<int64_t> PermShape(const std::vector<int64_t>& s, const std::vector<int>& perm) {
  std::vector<int64_t> o;
  for (int p : perm) o.push_back(s[static_cast<size_t>(p)]);
  return o;
}

fb::FusedActivationT ActivationOf(const Node& n) {
  fb::FusedActivationT a;
  const std::string k = ActivationName(n);
  if (k == "relu") a.kind = fb::Activation::RELU;
  else if (k == "relu6") a.kind = fb::Activation::RELU6;
  else if (k == "clamp") {
    a.kind = fb::Activation::CLAMP;
    a.clamp_min = std::max(n.getf("qrun_act_min", 0), -std::numeric_limits<float>::max());
    a.clamp_max = std::min(n.getf("qrun_act_max", 0), std::numeric_limits<float>::max());
  }
  return a;
}

class Lowerer {
 public:
  Lowerer(const Graph& g, const LowerOptions& o, LGraph* out) : g_(g), opt_(o), L_(*out) {}

  template <typename... Parts>
  Status Unsupported(const Node& n, const Parts&... parts) {
    return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), " (opset ", g_.opset, "): ", parts...);
  }

  Status Run() {
    L_ = LGraph();
    for (const std::string& in : g_.inputs) {
      const Value& v = *g_.find(in);
      Mapped m;
      m.onnx_shape = v.shape;
      LTensor t;
      t.name = in;
      t.quant = v.quant;
      t.fixed_quant = !v.quant.empty();
      if (opt_.nhwc_io && v.shape.size() == 4) {
        t.shape = PermShape(v.shape, kToNhwc);
        m.layout = Layout::kNhwc;
      } else {
        t.shape = v.shape;
      }
      m.t = L_.AddTensor(t);
      map_[in] = m;
      L_.inputs.push_back(m.t);
    }
    for (const Node& n : g_.nodes) QRUN_RETURN_IF_ERROR(LowerNode(n));
    for (const std::string& out : g_.outputs) {
      if (!map_.count(out)) {
        if (g_.is_const(out)) return Error(QRUN_ERROR_UNSUPPORTED, "graph output '", out, "' is a constant");
        return Error(QRUN_ERROR_INVALID_MODEL, "graph output '", out, "' is not produced");
      }
      Mapped m = map_[out];
      int t = m.t;
      if (m.layout != Layout::kPlain && !(opt_.nhwc_io && m.layout == Layout::kNhwc)) {
        t = Plain(out, m);
      }
      if (std::find(L_.inputs.begin(), L_.inputs.end(), t) != L_.inputs.end() ||
          std::find(L_.outputs.begin(), L_.outputs.end(), t) != L_.outputs.end()) {
        return Error(QRUN_ERROR_UNSUPPORTED, "graph output '", out, "' is a graph input or repeated output");
      }
      // The output tensor carries the ONNX name.
      for (LTensor& x : L_.tensors) {
        if (x.name == out && &x != &L_.tensors[static_cast<size_t>(t)]) x.name = out + "/nhwc";
      }
      L_.tensors[static_cast<size_t>(t)].name = out;
      L_.outputs.push_back(t);
    }
    return Status::Ok();
  }

 private:
  // New activation tensor for ONNX value `name`.
  int NewAct(const std::string& name, std::vector<int64_t> shape, const Value* v = nullptr) {
    LTensor t;
    t.name = name;
    t.shape = std::move(shape);
    if (v != nullptr && !v->quant.empty()) {
      t.quant = v->quant;
      t.fixed_quant = true;
    }
    return L_.AddTensor(t);
  }
  void MapOut(const Node& n, int t, Layout layout) {
    Mapped m;
    m.t = t;
    m.layout = layout;
    m.onnx_shape = g_.find(n.outputs[0])->shape;
    map_[n.outputs[0]] = m;
  }
  // A derived tensor (transposes, reshapes) inherits the source's quantization.
  int Derived(int src, const std::string& name, std::vector<int64_t> shape) {
    LTensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.quant = L_.tensors[static_cast<size_t>(src)].quant;
    t.fixed_quant = L_.tensors[static_cast<size_t>(src)].fixed_quant;
    return L_.AddTensor(t);
  }

  int AddOp(fb::OpType type, std::vector<int> in, std::vector<int> out, fb::OpOptionsUnion o,
            const std::string& name) {
    LOp op;
    op.type = type;
    op.inputs = std::move(in);
    op.outputs = std::move(out);
    op.options = std::move(o);
    op.name = name;
    L_.ops.push_back(std::move(op));
    return static_cast<int>(L_.ops.size()) - 1;
  }
  template <typename T>
  static fb::OpOptionsUnion Opts(T t) {
    fb::OpOptionsUnion u;
    u.Set(std::move(t));
    return u;
  }

  int Reshape(int src, const std::string& name, std::vector<int64_t> shape, const std::string& node) {
    const int t = Derived(src, name, std::move(shape));
    AddOp(fb::OpType::RESHAPE, {src}, {t}, Opts(fb::ReshapeOptionsT()), node);
    return t;
  }
  int Transpose(int src, const std::string& name, const std::vector<int>& perm, const std::string& node) {
    const std::vector<int64_t>& s = L_.tensors[static_cast<size_t>(src)].shape;
    std::vector<int64_t> os = PermShape(s, perm);
    if (TrivialPermutation(s, perm)) return Reshape(src, name, os, node);
    const int t = Derived(src, name, os);
    fb::TransposeOptionsT o;
    o.perm.assign(perm.begin(), perm.end());
    AddOp(fb::OpType::TRANSPOSE, {src}, {t}, Opts(o), node);
    return t;
  }

  // The value in ONNX (plain) layout, materialized once.
  int Plain(const std::string& name, const Mapped& m) {
    if (m.layout == Layout::kPlain) return m.t;
    auto it = plain_cache_.find(name);
    if (it != plain_cache_.end()) return it->second;
    int t;
    if (m.layout == Layout::kNhwc) {
      t = Transpose(m.t, name + "/nchw", kToNchw, name + "/to_nchw");
    } else {  // flat NHWC [N, H*W*C] -> [N,H,W,C] -> [N,C,H,W] -> [N, C*H*W]
      const std::vector<int64_t>& s4 = flat_src_[name];
      const int v4 = Reshape(m.t, name + "/nhwc4", PermShape(s4, kToNhwc), name + "/unflatten");
      const int c4 = Transpose(v4, name + "/nchw4", kToNchw, name + "/to_nchw");
      t = Reshape(c4, name + "/nchw", m.onnx_shape, name + "/flatten");
    }
    plain_cache_[name] = t;
    return t;
  }
  int PlainOf(const std::string& name) { return Plain(name, map_.at(name)); }

  // The 4-D value in NHWC.
  int Nhwc(const std::string& name) {
    const Mapped& m = map_.at(name);
    if (m.layout == Layout::kNhwc) return m.t;
    auto it = nhwc_cache_.find(name);
    if (it != nhwc_cache_.end()) return it->second;
    const int p = Plain(name, m);
    const int t = Transpose(p, name + "/nhwc", kToNhwc, name + "/to_nhwc");
    nhwc_cache_[name] = t;
    return t;
  }

  int Const(const Value& v, Role role, std::vector<int64_t> shape, std::vector<float> data,
            std::vector<int64_t> qdata = {}) {
    LTensor t;
    t.name = v.name;
    t.role = role;
    t.shape = std::move(shape);
    t.data = std::move(data);
    t.qdata = std::move(qdata);
    if (!t.qdata.empty()) t.qparams = v.qdata_params;
    return L_.AddTensor(t);
  }
  static std::vector<float> Floats(const Value& v) {
    return std::vector<float>(v.data.begin(), v.data.end());
  }

  Status LowerNode(const Node& n) {
    const std::string& op = n.op;
    if (!n.domain.empty() && n.domain != "ai.onnx") {
      return Unsupported(n, "custom domain '", n.domain, "' is not supported");
    }
    // Inputs are lowered tensors or constants; the first `activations` (the
    // data input; all of Concat's; Add and Mul take constants anywhere) must
    // be lowered tensors: a constant there was left unfolded by a corrupt or
    // unusual graph.
    size_t activations = 1;
    if (op == "Add" || op == "Mul") activations = 0;
    if (op == "Concat") activations = n.inputs.size();
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const std::string& in = n.inputs[i];
      if (in.empty() || map_.count(in)) continue;
      if (!g_.is_const(in)) return Unsupported(n, "input '", in, "' is not available");
      if (i < activations) {
        return Unsupported(n, "input '", in, "' is a constant; only activations are supported there");
      }
    }
    const Value* out = g_.find(n.outputs.at(0));
    if (op == "Conv") return LowerConv(n, *out);
    if (op == "Gemm" || op == "MatMul") return LowerFc(n, *out);
    if (op == "MaxPool" || op == "AveragePool" || op == "GlobalMaxPool") return LowerPool(n, *out);
    if (op == "GlobalAveragePool") {
      if (n.has("qrun_act")) return Unsupported(n, "fused activation");
      const int x = Nhwc(n.inputs[0]);
      const int y = NewAct(n.outputs[0], PermShape(out->shape, kToNhwc), out);
      AddOp(fb::OpType::GLOBAL_AVERAGE_POOL, {x}, {y}, fb::OpOptionsUnion(), n.name);
      MapOut(n, y, Layout::kNhwc);
      return Status::Ok();
    }
    if (op == "Relu" || op == "Clip" || op == "LeakyRelu" || op == "Sigmoid" ||
        op == "HardSigmoid" || op == "HardSwish" || op == "Tanh" || op == "QrunRequantize") {
      return LowerUnary(n, *out);
    }
    if (op == "Add" || op == "Mul") return LowerBinary(n, *out);
    if (op == "Concat") return LowerConcat(n, *out);
    if (op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze") {
      return LowerReshape(n, *out);
    }
    if (op == "Transpose") {
      std::vector<int64_t> perm = n.getints("perm");
      const Mapped& m = map_.at(n.inputs[0]);
      const size_t r = m.onnx_shape.size();
      if (perm.empty()) for (size_t d = r; d-- > 0;) perm.push_back(static_cast<int64_t>(d));
      std::vector<int> p(perm.begin(), perm.end());
      if (m.layout == Layout::kNhwc && p == kToNhwc) {  // folds into the layout change
        Mapped o = m;
        o.layout = Layout::kPlain;
        o.onnx_shape = out->shape;
        map_[n.outputs[0]] = o;
        return Status::Ok();
      }
      const int x = PlainOf(n.inputs[0]);
      const int y = Transpose(x, n.outputs[0], p, n.name);
      MapOut(n, y, Layout::kPlain);
      return Status::Ok();
    }
    if (op == "Pad") return LowerPad(n, *out);
    if (op == "Softmax") return LowerSoftmax(n, *out);
    return Unsupported(n, "unsupported op");
  }

  Status LowerConv(const Node& n, const Value& out) {
    if (!g_.is_const(n.inputs[1])) return Unsupported(n, "weights must be constant");
    const Value& w = *g_.find(n.inputs[1]);
    const int x = Nhwc(n.inputs[0]);
    fb::Conv2DOptionsT o;
    const std::vector<int64_t> pads = n.getints("pads", {0, 0, 0, 0});
    const std::vector<int64_t> strides = n.getints("strides", {1, 1});
    const std::vector<int64_t> dil = n.getints("dilations", {1, 1});
    o.pad_top = static_cast<int>(pads[0]);
    o.pad_left = static_cast<int>(pads[1]);
    o.pad_bottom = static_cast<int>(pads[2]);
    o.pad_right = static_cast<int>(pads[3]);
    o.stride_h = static_cast<int>(strides[0]);
    o.stride_w = static_cast<int>(strides[1]);
    o.dilation_h = static_cast<int>(dil[0]);
    o.dilation_w = static_cast<int>(dil[1]);
    o.groups = static_cast<int>(n.geti("group", 1));
    o.activation = std::make_unique<fb::FusedActivationT>(ActivationOf(n));
    const std::vector<int> ohwi = {0, 2, 3, 1};
    std::vector<int64_t> q;
    if (!w.qdata.empty() && w.qdata_params.axis == 0) q = Permute(w.qdata, w.shape, ohwi);
    const int wt = Const(w, Role::kWeight, PermShape(w.shape, ohwi), Permute(Floats(w), w.shape, ohwi), q);
    int bt = -1;
    if (n.has_input(2)) {
      const Value& b = *g_.find(n.inputs[2]);
      if (!b.is_const || b.elements() != w.shape[0]) {
        return Unsupported(n, "bias must be a constant with one value per output channel");
      }
      bt = Const(b, Role::kBias, {w.shape[0]}, Floats(b), b.qdata);
    }
    const int y = NewAct(n.outputs[0], PermShape(out.shape, kToNhwc), &out);
    AddOp(fb::OpType::CONV_2D, {x, wt, bt}, {y}, Opts(std::move(o)), n.name);
    MapOut(n, y, Layout::kNhwc);
    return Status::Ok();
  }

  Status LowerFc(const Node& n, const Value& out) {
    const bool gemm = n.op == "Gemm";
    if (!g_.is_const(n.inputs[1])) return Unsupported(n, "the weight input must be a constant");
    if (gemm && n.geti("transA", 0) != 0) return Unsupported(n, "transA=1");
    const Value& b = *g_.find(n.inputs[1]);
    const bool transb = gemm && n.geti("transB", 0) != 0;
    // W [N][K]
    const int64_t K = transb ? b.shape[1] : b.shape[0];
    const int64_t N = transb ? b.shape[0] : b.shape[1];
    std::vector<float> wd = Floats(b);
    std::vector<int64_t> wq = b.qdata;
    QAnnot wqp = b.qdata_params;
    if (!transb) {
      wd = Permute(wd, b.shape, {1, 0});
      if (!wq.empty() && b.qdata_params.axis == 1) {
        wq = Permute(wq, b.shape, {1, 0});
        wqp.axis = 0;
      } else if (b.qdata_params.scale.size() > 1) {
        wq.clear();
      } else {
        wq = Permute(wq, b.shape, {1, 0});
      }
    } else if (wqp.scale.size() > 1 && wqp.axis != 0) {
      wq.clear();
    }
    const float alpha = gemm ? n.getf("alpha", 1.0f) : 1.0f;
    if (alpha != 1.0f) {
      for (float& v : wd) v *= alpha;
      wq.clear();
    }
    // Input: flat NHWC -> permute the weight columns instead of the data.
    const Mapped& m = map_.at(n.inputs[0]);
    int x;
    if (m.layout == Layout::kFlatNhwc && m.onnx_shape.size() == 2 && m.onnx_shape[1] == K) {
      const std::vector<int64_t>& s4 = flat_src_[n.inputs[0]];  // N C H W
      const std::vector<int64_t> wshape = {N, s4[1], s4[2], s4[3]};
      wd = Permute(wd, wshape, {0, 2, 3, 1});
      if (!wq.empty()) wq = Permute(wq, wshape, {0, 2, 3, 1});
      x = m.t;
    } else {
      x = PlainOf(n.inputs[0]);
    }
    Value wv = b;
    wv.qdata_params = wqp;
    const int wt = Const(wv, Role::kWeight, {N, K}, wd, wq);
    int bt = -1;
    if (gemm && n.has_input(2)) {
      const Value& c = *g_.find(n.inputs[2]);
      if (!c.is_const) return Unsupported(n, "bias C must be a constant");
      if (c.elements() != N && c.elements() != 1) return Unsupported(n, "bias C must have N elements");
      const float beta = n.getf("beta", 1.0f);
      std::vector<float> bd;
      for (int64_t i = 0; i < N; ++i) bd.push_back(beta * static_cast<float>(c.data[c.elements() == 1 ? 0 : static_cast<size_t>(i)]));
      std::vector<int64_t> bq = (beta == 1.0f && c.elements() == N) ? c.qdata : std::vector<int64_t>();
      bt = Const(c, Role::kBias, {N}, bd, bq);
    }
    fb::FullyConnectedOptionsT o;
    o.activation = std::make_unique<fb::FusedActivationT>(ActivationOf(n));
    std::vector<int64_t> oshape = out.shape;
    const int y = NewAct(n.outputs[0], oshape, &out);
    AddOp(fb::OpType::FULLY_CONNECTED, {x, wt, bt}, {y}, Opts(std::move(o)), n.name);
    MapOut(n, y, Layout::kPlain);
    return Status::Ok();
  }

  Status LowerPool(const Node& n, const Value& out) {
    if (n.outputs.size() > 1 && !n.outputs[1].empty()) return Unsupported(n, "MaxPool indices output");
    const int x = Nhwc(n.inputs[0]);
    const std::vector<int64_t>& s = g_.find(n.inputs[0])->shape;
    fb::Pool2DOptionsT o;
    std::vector<int64_t> k = n.getints("kernel_shape"), pads = n.getints("pads", {0, 0, 0, 0});
    std::vector<int64_t> strides = n.getints("strides", {1, 1});
    if (n.op == "GlobalMaxPool") {
      k = {s[2], s[3]};
      strides = {1, 1};
    }
    for (int64_t d : n.getints("dilations", {1, 1})) {
      if (d != 1) return Unsupported(n, "pool dilations are not supported");
    }
    o.kernel_h = static_cast<int>(k[0]);
    o.kernel_w = static_cast<int>(k[1]);
    o.stride_h = static_cast<int>(strides[0]);
    o.stride_w = static_cast<int>(strides[1]);
    o.pad_top = static_cast<int>(pads[0]);
    o.pad_left = static_cast<int>(pads[1]);
    o.pad_bottom = static_cast<int>(pads[2]);
    o.pad_right = static_cast<int>(pads[3]);
    o.count_include_pad = n.geti("count_include_pad", 0) != 0;
    o.ceil_mode = n.geti("ceil_mode", 0) != 0;
    o.activation = std::make_unique<fb::FusedActivationT>(ActivationOf(n));
    const int y = NewAct(n.outputs[0], PermShape(out.shape, kToNhwc), &out);
    AddOp(n.op == "AveragePool" ? fb::OpType::AVERAGE_POOL_2D : fb::OpType::MAX_POOL_2D, {x}, {y},
          Opts(std::move(o)), n.name);
    MapOut(n, y, Layout::kNhwc);
    return Status::Ok();
  }

  Status LowerUnary(const Node& n, const Value& out) {
    fb::UnaryOptionsT o;
    const std::string& op = n.op;
    if (op == "Relu") o.kind = fb::UnaryKind::RELU;
    else if (op == "Sigmoid") o.kind = fb::UnaryKind::SIGMOID;
    else if (op == "Tanh") o.kind = fb::UnaryKind::TANH;
    else if (op == "HardSwish") o.kind = fb::UnaryKind::HARD_SWISH;
    else if (op == "HardSigmoid") {
      o.kind = fb::UnaryKind::HARD_SIGMOID;
      o.alpha = n.getf("alpha", 0.2f);
      o.beta = n.getf("beta", 0.5f);
    } else if (op == "LeakyRelu") {
      o.kind = fb::UnaryKind::LEAKY_RELU;
      o.alpha = n.getf("alpha", 0.01f);
    } else if (op == "QrunRequantize") {
      o.kind = fb::UnaryKind::CLAMP;
      o.min = -std::numeric_limits<float>::max();
      o.max = std::numeric_limits<float>::max();
    } else {  // Clip
      double lo = -INFINITY, hi = INFINITY;
      if (n.has("min")) lo = n.getf("min", 0);
      if (n.has("max")) hi = n.getf("max", 0);
      for (size_t i = 1; i <= 2; ++i) {
        if (!n.has_input(i)) continue;
        const Value* b = g_.find(n.inputs[i]);
        if (!b->is_const || b->data.size() != 1) return Unsupported(n, "min and max must be constant scalars");
        (i == 1 ? lo : hi) = b->data[0];
      }
      if (lo == 0 && hi == 6) o.kind = fb::UnaryKind::RELU6;
      else if (lo == 0 && std::isinf(hi)) o.kind = fb::UnaryKind::RELU;
      else {
        o.kind = fb::UnaryKind::CLAMP;
        o.min = static_cast<float>(std::max(lo, -double{std::numeric_limits<float>::max()}));
        o.max = static_cast<float>(std::min(hi, double{std::numeric_limits<float>::max()}));
      }
    }
    const Mapped m = map_.at(n.inputs[0]);
    const std::vector<int64_t>& xs = L_.tensors[static_cast<size_t>(m.t)].shape;
    const int y = NewAct(n.outputs[0], xs, &out);
    if (m.layout == Layout::kFlatNhwc) flat_src_[n.outputs[0]] = flat_src_[n.inputs[0]];
    AddOp(fb::OpType::UNARY, {m.t}, {y}, Opts(o), n.name);
    MapOut(n, y, m.layout);
    return Status::Ok();
  }

  Status LowerBinary(const Node& n, const Value& out) {
    const bool c0 = g_.is_const(n.inputs[0]), c1 = g_.is_const(n.inputs[1]);
    if (c0 && c1) return Unsupported(n, "both inputs constant (not folded)");
    std::vector<int> ins(2);
    Layout layout = Layout::kPlain;
    // Layout: NHWC when every activation input is 4-D NHWC-mapped.
    bool all_nhwc = true;
    for (int s = 0; s < 2; ++s) {
      const std::string& in = n.inputs[static_cast<size_t>(s)];
      if (g_.is_const(in)) continue;
      const Mapped& m = map_.at(in);
      all_nhwc = all_nhwc && m.onnx_shape.size() == 4 && out.shape.size() == 4;
    }
    if (all_nhwc) layout = Layout::kNhwc;
    for (int s = 0; s < 2; ++s) {
      const std::string& in = n.inputs[static_cast<size_t>(s)];
      if (!g_.is_const(in)) {
        ins[static_cast<size_t>(s)] = layout == Layout::kNhwc ? Nhwc(in) : PlainOf(in);
        continue;
      }
      const Value& c = *g_.find(in);
      std::vector<int64_t> cs = c.shape;
      std::vector<float> cd = Floats(c);
      std::vector<int64_t> cq = c.qdata_params.scale.size() == 1 ? c.qdata : std::vector<int64_t>();
      if (layout == Layout::kNhwc && c.elements() > 1) {
        while (cs.size() < 4) cs.insert(cs.begin(), 1);
        cd = Permute(cd, cs, kToNhwc);
        cq = Permute(cq, cs, kToNhwc);
        cs = PermShape(cs, kToNhwc);
      }
      if (c.elements() == 1) cs = {1};
      const int t = Const(c, Role::kConstant, cs, cd, cq);
      ins[static_cast<size_t>(s)] = t;
    }
    fb::BinaryOptionsT o;
    o.activation = std::make_unique<fb::FusedActivationT>(ActivationOf(n));
    const std::vector<int64_t> ys = layout == Layout::kNhwc ? PermShape(out.shape, kToNhwc) : out.shape;
    const int y = NewAct(n.outputs[0], ys, &out);
    AddOp(n.op == "Add" ? fb::OpType::ADD : fb::OpType::MUL, ins, {y}, Opts(std::move(o)), n.name);
    MapOut(n, y, layout);
    return Status::Ok();
  }

  Status LowerConcat(const Node& n, const Value& out) {
    int64_t axis = n.geti("axis", 1);
    const size_t r = out.shape.size();
    if (axis < 0) axis += static_cast<int64_t>(r);
    bool all_nhwc = r == 4;
    for (const std::string& in : n.inputs) {
      if (g_.is_const(in)) return Unsupported(n, "constant Concat inputs are not supported");
      all_nhwc = all_nhwc && map_.at(in).layout == Layout::kNhwc;
    }
    fb::ConcatOptionsT o;
    std::vector<int> ins;
    for (const std::string& in : n.inputs) ins.push_back(all_nhwc ? Nhwc(in) : PlainOf(in));
    const int nhwc_axis[4] = {0, 3, 1, 2};
    o.axis = static_cast<int>(all_nhwc ? nhwc_axis[axis] : axis);
    const int y = NewAct(n.outputs[0], all_nhwc ? PermShape(out.shape, kToNhwc) : out.shape, &out);
    AddOp(fb::OpType::CONCAT, ins, {y}, Opts(std::move(o)), n.name);
    MapOut(n, y, all_nhwc ? Layout::kNhwc : Layout::kPlain);
    return Status::Ok();
  }

  Status LowerReshape(const Node& n, const Value& out) {
    const Mapped m = map_.at(n.inputs[0]);
    const std::vector<int64_t>& s = m.onnx_shape;
    if (m.layout == Layout::kNhwc) {
      // [N,C,H,W] -> [N, C*H*W]: keep the NHWC order (flat NHWC).
      const bool flatten2 = out.shape.size() == 2 && out.shape[0] == s[0];
      if (flatten2) {
        const bool same_order = s[1] == 1 || s[2] * s[3] == 1;
        const int y = NewAct(n.outputs[0], out.shape, &out);
        AddOp(fb::OpType::RESHAPE, {m.t}, {y}, Opts(fb::ReshapeOptionsT()), n.name);
        flat_src_[n.outputs[0]] = s;
        MapOut(n, y, same_order ? Layout::kPlain : Layout::kFlatNhwc);
        return Status::Ok();
      }
      // 4-D -> 4-D keeping N and C with H, W of size 1 is also layout-free.
    }
    const int x = Plain(n.inputs[0], m);
    const int y = NewAct(n.outputs[0], out.shape, &out);
    AddOp(fb::OpType::RESHAPE, {x}, {y}, Opts(fb::ReshapeOptionsT()), n.name);
    MapOut(n, y, Layout::kPlain);
    return Status::Ok();
  }

  Status LowerPad(const Node& n, const Value& out) {
    if (n.gets("mode", "constant") != "constant") return Unsupported(n, "only constant padding is supported");
    std::vector<int64_t> pads = n.getints("pads");
    if (n.has_input(1)) {
      pads.clear();
      for (double d : g_.find(n.inputs[1])->data) {
        if (!(std::fabs(d) <= 1e9)) return Unsupported(n, "pad ", d, " out of range");  // also NaN
        pads.push_back(static_cast<int64_t>(d));
      }
    }
    float value = n.getf("value", 0.0f);
    if (n.has_input(2)) {
      const Value* v = g_.find(n.inputs[2]);
      if (!v->is_const || v->data.size() != 1) return Unsupported(n, "constant_value must be a constant scalar");
      value = static_cast<float>(v->data[0]);
    }
    for (int64_t p : pads) {
      if (p < 0) return Unsupported(n, "negative pads");
    }
    const Mapped m = map_.at(n.inputs[0]);
    fb::PadOptionsT o;
    o.value = value;
    const size_t r = m.onnx_shape.size();
    int x;
    Layout layout = Layout::kPlain;
    std::vector<int64_t> ys = out.shape;
    if (m.layout == Layout::kNhwc) {
      x = m.t;
      layout = Layout::kNhwc;
      for (int half = 0; half < 2; ++half) {
        for (int d : kToNhwc) o.pads.push_back(static_cast<int32_t>(pads[static_cast<size_t>(half) * r + static_cast<size_t>(d)]));
      }
      ys = PermShape(out.shape, kToNhwc);
    } else {
      x = Plain(n.inputs[0], m);
      for (int64_t p : pads) o.pads.push_back(static_cast<int32_t>(p));
    }
    const int y = NewAct(n.outputs[0], ys, &out);
    AddOp(fb::OpType::PAD, {x}, {y}, Opts(std::move(o)), n.name);
    MapOut(n, y, layout);
    return Status::Ok();
  }

  Status LowerSoftmax(const Node& n, const Value& out) {
    const Mapped m = map_.at(n.inputs[0]);
    const int64_t r = static_cast<int64_t>(m.onnx_shape.size());
    int64_t axis = n.geti("axis", g_.opset >= 13 ? -1 : 1);
    if (axis < 0) axis += r;
    int x;
    Layout layout = Layout::kPlain;
    if (m.layout == Layout::kNhwc && axis == 1) {
      x = m.t;
      layout = Layout::kNhwc;
    } else if (axis == r - 1 || (g_.opset < 13 && axis == r - 1)) {
      x = Plain(n.inputs[0], m);
    } else {
      return Unsupported(n, "Softmax is supported over the last axis only (axis ", axis, ")");
    }
    fb::SoftmaxOptionsT o;
    const int y = NewAct(n.outputs[0], L_.tensors[static_cast<size_t>(x)].shape, &out);
    AddOp(fb::OpType::SOFTMAX, {x}, {y}, Opts(o), n.name);
    MapOut(n, y, layout);
    return Status::Ok();
  }

  const Graph& g_;
  LowerOptions opt_;
  LGraph& L_;
  std::map<std::string, Mapped> map_;
  std::map<std::string, int> plain_cache_, nhwc_cache_;
  std::map<std::string, std::vector<int64_t>> flat_src_;  // flat value -> its NCHW source shape
};

}  // namespace

Status Lower(const Graph& g, const LowerOptions& options, LGraph* out) {
  return Lowerer(g, options, out).Run();
}

}  // namespace qrun::conv

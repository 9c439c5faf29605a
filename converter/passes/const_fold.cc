// Constant folding (shape subgraphs) and shape inference, one pass in
// topological order.
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "converter/passes/passes.h"

namespace qrun::conv {

std::vector<int64_t> BroadcastShapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                                     bool* ok) {
  *ok = true;
  const size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> out(r, 1);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) *ok = false;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace {

std::vector<int64_t> Strides(const std::vector<int64_t>& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

// Element-wise binary op on constants with numpy broadcasting.
void Broadcast(const Value& a, const Value& b, const std::vector<int64_t>& out_shape,
               const std::function<double(double, double)>& f, std::vector<double>* out) {
  const size_t r = out_shape.size();
  auto pad = [&](const std::vector<int64_t>& s) {
    std::vector<int64_t> p(r - s.size(), 1);
    p.insert(p.end(), s.begin(), s.end());
    return p;
  };
  const std::vector<int64_t> as = pad(a.shape), bs = pad(b.shape);
  const std::vector<int64_t> ast = Strides(as), bst = Strides(bs);
  int64_t n = 1;
  for (int64_t d : out_shape) n *= d;
  out->resize(static_cast<size_t>(n));
  std::vector<int64_t> idx(r, 0);
  for (int64_t e = 0; e < n; ++e) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < r; ++d) {
      if (as[d] != 1) ia += idx[d] * ast[d];
      if (bs[d] != 1) ib += idx[d] * bst[d];
    }
    (*out)[static_cast<size_t>(e)] = f(a.data[static_cast<size_t>(ia)], b.data[static_cast<size_t>(ib)]);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

bool IsIntType(ElemType t) { return t != ElemType::kFloat; }

int64_t NormAxis(int64_t axis, size_t rank) {
  return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
}

// Integer values of a constant; out-of-range or NaN values (corrupt models)
// saturate instead of overflowing the conversion.
std::vector<int64_t> ConstInts(const Value& v) {
  constexpr double kLimit = 4.0e18;
  std::vector<int64_t> out;
  for (double d : v.data) {
    out.push_back(std::isnan(d) ? 0 : static_cast<int64_t>(std::clamp(d, -kLimit, kLimit)));
  }
  return out;
}

class Folder {
 public:
  explicit Folder(Graph* g) : g_(*g) {}

  template <typename... Parts>
  Status Unsupported(const Node& n, const Parts&... parts) {
    return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), " (opset ", g_.opset, "): ", parts...);
  }

  Status Run() {
    std::vector<Node> kept;
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      Node& n = g_.nodes[k];
      for (const std::string& i : n.inputs) {
        if (i.empty()) continue;
        const Value& v = g_.values[i];
        if (!v.has_shape) {
          return Unsupported(n, "input '", i, "' has no known shape");
        }
      }
      bool folded = false;
      QRUN_RETURN_IF_ERROR(TryFold(n, &folded));
      if (folded) continue;
      QRUN_RETURN_IF_ERROR(Infer(n));
      QRUN_RETURN_IF_ERROR(CheckOutputShapes(n));
      // An op left for the runtime works on real data: an empty input or
      // output (a zero dimension) is a corrupt model, not an edge case to run.
      // (Constants other than weights may be empty: a Reshape to a scalar
      // has an empty shape.)
      const bool weighted = n.op == "Conv" || n.op == "Gemm" || n.op == "MatMul";
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const std::string& t = n.inputs[i];
        if (t.empty() || (g_.is_const(t) && !(weighted && i == 1))) continue;
        if (g_.values[t].elements() == 0) return Unsupported(n, "input '", t, "' is empty");
      }
      if (Out(n).elements() == 0) return Unsupported(n, "output '", n.outputs[0], "' would be empty");
      kept.push_back(std::move(n));
    }
    g_.nodes = std::move(kept);
    g_.remove_dead();
    return Status::Ok();
  }

 private:
  const Value& In(const Node& n, size_t i) { return g_.values[n.inputs.at(i)]; }
  Value& Out(const Node& n, size_t i = 0) { return g_.value(n.outputs.at(i)); }

  // `axis` of a rank-`rank` tensor in [-rank, rank) (ONNX), normalized.
  Status Axis(const Node& n, int64_t axis, size_t rank, size_t* out) {
    const int64_t r = static_cast<int64_t>(rank);
    if (axis < -r || axis >= r) return Unsupported(n, "axis ", axis, " out of range for rank ", rank);
    *out = static_cast<size_t>(axis < 0 ? axis + r : axis);
    return Status::Ok();
  }

  // Inferred shapes of corrupt models (huge Reshape / ConstantOfShape
  // targets, windows larger than the input) stop here, before any constant
  // data is allocated for them.
  Status CheckOutputShapes(const Node& n) {
    for (const std::string& o : n.outputs) {
      if (o.empty()) continue;
      const Value& v = g_.values[o];
      if (!v.has_shape) continue;
      for (int64_t d : v.shape) {
        if (d < -1) return Unsupported(n, "output '", o, "' would have a negative dimension ", d);
      }
      if (KnownShapeElements(v.shape) > kMaxTensorElements) {
        return Unsupported(n, "output '", o, "' would have more than 2^31 elements");
      }
    }
    return Status::Ok();
  }

  bool AllConst(const Node& n) {
    for (const std::string& i : n.inputs) {
      if (!i.empty() && !g_.is_const(i)) return false;
    }
    return true;
  }

  void SetConst(const Node& n, ElemType t, std::vector<int64_t> shape, std::vector<double> data) {
    Value& o = Out(n);
    o.type = t;
    o.shape = std::move(shape);
    o.has_shape = true;
    o.is_const = true;
    o.data = std::move(data);
  }

  Status TryFold(const Node& n, bool* folded) {
    *folded = false;
    if (n.op == "Shape") {
      const Value& x = In(n, 0);
      int64_t r = static_cast<int64_t>(x.shape.size());
      int64_t start = NormAxis(n.geti("start", 0), x.shape.size());
      int64_t end = n.has("end") ? NormAxis(n.geti("end", r), x.shape.size()) : r;
      start = std::clamp<int64_t>(start, 0, r);
      end = std::clamp<int64_t>(end, 0, r);
      std::vector<double> d;
      for (int64_t i = start; i < end; ++i) d.push_back(static_cast<double>(x.shape[static_cast<size_t>(i)]));
      SetConst(n, ElemType::kInt64, {static_cast<int64_t>(d.size())}, d);
      *folded = true;
      return Status::Ok();
    }
    if (n.op == "Size") {
      SetConst(n, ElemType::kInt64, {}, {static_cast<double>(In(n, 0).elements())});
      *folded = true;
      return Status::Ok();
    }
    static const std::set<std::string> kFoldable = {
        "Gather", "Cast", "Slice", "Concat", "Unsqueeze", "Squeeze", "Reshape", "Flatten",
        "Add", "Sub", "Mul", "Div", "Transpose", "ConstantOfShape", "Neg", "Sqrt", "Pow",
        "Range", "Floor", "Ceil", "Relu", "Equal", "Where", "Expand", "Min", "Max"};
    if (!kFoldable.count(n.op) || !AllConst(n) || n.outputs.size() != 1) return Status::Ok();
    if (n.op == "Equal" || n.op == "Where" || n.op == "Expand" || n.op == "Range" ||
        n.op == "Min" || n.op == "Max") {
      return Status::Ok();  // rare in shape subgraphs; not folded
    }
    // Output shape first (shared with non-constant inference).
    QRUN_RETURN_IF_ERROR(Infer(n));
    QRUN_RETURN_IF_ERROR(CheckOutputShapes(n));
    // Folded constants are shape arithmetic and small weights; anything
    // bigger (or of unknown size) is a corrupt graph, not worth gigabytes.
    constexpr int64_t kMaxFoldElements = int64_t{1} << 24;
    const int64_t elements = Out(n).elements();
    if (elements < 0 || elements > kMaxFoldElements) {
      return Unsupported(n, "constant result of ", elements, " elements is not foldable");
    }
    Value& o = Out(n);
    const Value& a = In(n, 0);
    std::vector<double> out;
    if (n.op == "Gather") {
      const Value& idx = In(n, 1);
      size_t uaxis = 0;
      QRUN_RETURN_IF_ERROR(Axis(n, n.geti("axis", 0), a.shape.size(), &uaxis));
      const int64_t axis = static_cast<int64_t>(uaxis);
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < axis; ++d) outer *= a.shape[static_cast<size_t>(d)];
      for (size_t d = static_cast<size_t>(axis) + 1; d < a.shape.size(); ++d) inner *= a.shape[d];
      const int64_t dim = a.shape[static_cast<size_t>(axis)];
      for (int64_t o1 = 0; o1 < outer; ++o1) {
        for (double di : idx.data) {
          int64_t i = static_cast<int64_t>(di);
          if (i < 0) i += dim;
          if (i < 0 || i >= dim) return Unsupported(n, "index ", i, " out of range");
          for (int64_t in = 0; in < inner; ++in) {
            out.push_back(a.data[static_cast<size_t>((o1 * dim + i) * inner + in)]);
          }
        }
      }
    } else if (n.op == "Cast") {
      for (double v : a.data) {
        if (o.type == ElemType::kFloat) out.push_back(static_cast<float>(v));
        else if (o.type == ElemType::kBool) out.push_back(v != 0 ? 1 : 0);
        else out.push_back(std::trunc(v));
      }
    } else if (n.op == "Slice") {
      QRUN_RETURN_IF_ERROR(SliceData(n, a, &out));
    } else if (n.op == "Concat") {
      const int64_t axis = NormAxis(n.geti("axis", 0), a.shape.size());
      int64_t outer = 1;
      for (int64_t d = 0; d < axis; ++d) outer *= a.shape[static_cast<size_t>(d)];
      for (int64_t o1 = 0; o1 < outer; ++o1) {
        for (const std::string& in : n.inputs) {
          const Value& v = g_.values[in];
          const int64_t chunk = outer ? v.elements() / outer : 0;
          for (int64_t e = 0; e < chunk; ++e) out.push_back(v.data[static_cast<size_t>(o1 * chunk + e)]);
        }
      }
    } else if (n.op == "Unsqueeze" || n.op == "Squeeze" || n.op == "Reshape" || n.op == "Flatten") {
      out = a.data;
    } else if (n.op == "Transpose") {
      std::vector<int64_t> perm = n.getints("perm");
      if (perm.empty()) for (size_t d = a.shape.size(); d-- > 0;) perm.push_back(static_cast<int64_t>(d));
      const std::vector<int64_t> ast = Strides(a.shape);
      const int64_t total = a.elements();
      std::vector<int64_t> idx(o.shape.size(), 0);
      for (int64_t e = 0; e < total; ++e) {
        int64_t src = 0;
        for (size_t d = 0; d < idx.size(); ++d) src += idx[d] * ast[static_cast<size_t>(perm[d])];
        out.push_back(a.data[static_cast<size_t>(src)]);
        for (size_t d = idx.size(); d-- > 0;) {
          if (++idx[d] < o.shape[d]) break;
          idx[d] = 0;
        }
      }
    } else if (n.op == "ConstantOfShape") {
      double v = 0;
      auto it = n.attrs.find("value");
      if (it != n.attrs.end() && !it->second.t.data.empty()) v = it->second.t.data[0];
      out.assign(static_cast<size_t>(o.elements()), v);
    } else if (n.op == "Neg" || n.op == "Sqrt" || n.op == "Floor" || n.op == "Ceil" || n.op == "Relu") {
      for (double v : a.data) {
        double r = n.op == "Neg" ? -v : n.op == "Sqrt" ? std::sqrt(v) : n.op == "Floor" ? std::floor(v)
                 : n.op == "Ceil" ? std::ceil(v) : std::max(0.0, v);
        out.push_back(o.type == ElemType::kFloat ? static_cast<float>(r) : r);
      }
    } else {  // Add Sub Mul Div Pow
      const Value& b = In(n, 1);
      const bool is_int = IsIntType(a.type);
      std::function<double(double, double)> f;
      if (n.op == "Add") f = [](double x, double y) { return x + y; };
      if (n.op == "Sub") f = [](double x, double y) { return x - y; };
      if (n.op == "Mul") f = [](double x, double y) { return x * y; };
      if (n.op == "Div") f = [is_int](double x, double y) { return is_int ? std::trunc(x / y) : x / y; };
      if (n.op == "Pow") f = [](double x, double y) { return std::pow(x, y); };
      auto g = [&](double x, double y) {
        const double r = f(x, y);
        return is_int ? r : static_cast<double>(static_cast<float>(r));
      };
      Broadcast(a, b, o.shape, g, &out);
    }
    o.is_const = true;
    o.data = std::move(out);
    if (static_cast<int64_t>(o.data.size()) != o.elements()) {
      return Unsupported(n, "constant folding produced ", o.data.size(), " values for shape of ",
                         o.elements());
    }
    *folded = true;
    return Status::Ok();
  }

  // ONNX Slice: starts/ends/axes/steps as inputs (opset >= 10) or attributes.
  Status SliceParams(const Node& n, const std::vector<int64_t>& shape, std::vector<int64_t>* start,
                     std::vector<int64_t>* step, std::vector<int64_t>* out_shape) {
    std::vector<int64_t> starts, ends, axes, steps;
    if (n.inputs.size() >= 3) {
      if (!g_.is_const(n.inputs[1]) || !g_.is_const(n.inputs[2])) {
        return Unsupported(n, "Slice with non-constant starts/ends");
      }
      starts = ConstInts(In(n, 1));
      ends = ConstInts(In(n, 2));
      if (n.has_input(3)) axes = ConstInts(In(n, 3));
      if (n.has_input(4)) steps = ConstInts(In(n, 4));
    } else {
      starts = n.getints("starts");
      ends = n.getints("ends");
      axes = n.getints("axes");
    }
    if (axes.empty()) for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    *start = std::vector<int64_t>(shape.size(), 0);
    *step = std::vector<int64_t>(shape.size(), 1);
    *out_shape = shape;
    if (starts.size() != axes.size() || ends.size() != axes.size() || steps.size() != axes.size()) {
      return Unsupported(n, "starts, ends, axes and steps differ in length");
    }
    for (size_t i = 0; i < axes.size(); ++i) {
      size_t ax = 0;
      QRUN_RETURN_IF_ERROR(Axis(n, axes[i], shape.size(), &ax));
      const int64_t dim = shape[ax];
      const int64_t st = steps[i];
      if (st == 0) return Unsupported(n, "Slice step 0");
      int64_t s = starts[i], e = ends[i];
      if (s < 0) s += dim;
      if (e < 0) e += dim;
      if (st > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        (*out_shape)[ax] = e > s ? (e - s + st - 1) / st : 0;
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        (*out_shape)[ax] = s > e ? (s - e - st - 1) / (-st) : 0;
      }
      (*start)[ax] = s;
      (*step)[ax] = st;
    }
    return Status::Ok();
  }

  Status SliceData(const Node& n, const Value& a, std::vector<double>* out) {
    std::vector<int64_t> start, step, shape;
    QRUN_RETURN_IF_ERROR(SliceParams(n, a.shape, &start, &step, &shape));
    const std::vector<int64_t> st = Strides(a.shape);
    int64_t total = 1;
    for (int64_t d : shape) total *= d;
    std::vector<int64_t> idx(shape.size(), 0);
    for (int64_t e = 0; e < total; ++e) {
      int64_t src = 0;
      for (size_t d = 0; d < shape.size(); ++d) src += (start[d] + idx[d] * step[d]) * st[d];
      out->push_back(a.data[static_cast<size_t>(src)]);
      for (size_t d = shape.size(); d-- > 0;) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    return Status::Ok();
  }

  Status Infer(const Node& n) {
    if (n.inputs.empty() || n.inputs[0].empty()) return Unsupported(n, "unsupported op without a data input");
    Value& o = Out(n);
    o.has_shape = true;
    const std::string& op = n.op;
    const Value& x = In(n, 0);
    const std::vector<int64_t>& s = x.shape;
    o.type = x.type;
    static const std::set<std::string> kSame = {
        "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Softmax",
        "BatchNormalization", "Neg", "Sqrt", "Floor", "Ceil", "Identity", "Dropout",
        "LogSoftmax", "Erf", "Exp", "Abs", "QrunRequantize"};
    if (kSame.count(op)) {
      o.shape = s;
      if (op == "BatchNormalization") {
        for (size_t k = 1; k < n.outputs.size(); ++k) {
          if (!n.outputs[k].empty()) return Unsupported(n, "training-mode BatchNormalization outputs");
        }
      }
      return Status::Ok();
    }
    if (op == "QuantizeLinear" || op == "DequantizeLinear") {
      o.shape = s;
      o.type = op == "DequantizeLinear" ? ElemType::kFloat : ElemType::kInt8;
      return Status::Ok();
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow") {
      bool ok = false;
      o.shape = BroadcastShapes(s, In(n, 1).shape, &ok);
      if (!ok) return Unsupported(n, "shapes do not broadcast");
      return Status::Ok();
    }
    if (op == "Cast") {
      const int64_t to = n.geti("to", 1);
      o.type = to == 1 ? ElemType::kFloat : to == 7 ? ElemType::kInt64 : to == 6 ? ElemType::kInt32
             : to == 9 ? ElemType::kBool : to == 11 ? ElemType::kFloat : ElemType::kOther;
      o.shape = s;
      return Status::Ok();
    }
    if (op == "Conv" || op == "MaxPool" || op == "AveragePool") {
      return InferWindow(n);
    }
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
      if (s.size() != 4) return Unsupported(n, "only 4-D (NCHW) inputs are supported");
      o.shape = {s[0], s[1], 1, 1};
      return Status::Ok();
    }
    if (op == "Gemm") {
      const Value& b = In(n, 1);
      if (s.size() != 2 || b.shape.size() != 2) return Unsupported(n, "Gemm needs 2-D inputs");
      const int64_t m = n.geti("transA", 0) ? s[1] : s[0];
      const int64_t nn = n.geti("transB", 0) ? b.shape[0] : b.shape[1];
      const int64_t ka = n.geti("transA", 0) ? s[0] : s[1];
      const int64_t kb = n.geti("transB", 0) ? b.shape[1] : b.shape[0];
      if (ka != kb) return Unsupported(n, "inner dimensions differ: ", ka, " and ", kb);
      o.shape = {m, nn};
      return Status::Ok();
    }
    if (op == "MatMul") {
      const Value& b = In(n, 1);
      if (s.empty() || b.shape.size() != 2) {
        return Unsupported(n, "MatMul is supported with a 2-D constant right-hand side only");
      }
      if (s.back() != b.shape[0]) {
        return Unsupported(n, "inner dimensions differ: ", s.back(), " and ", b.shape[0]);
      }
      o.shape = s;
      o.shape.back() = b.shape[1];
      return Status::Ok();
    }
    if (op == "Concat") {
      size_t axis = 0;
      QRUN_RETURN_IF_ERROR(Axis(n, n.geti("axis", 0), s.size(), &axis));
      o.shape = s;
      o.shape[axis] = 0;
      for (const std::string& in : n.inputs) {
        const std::vector<int64_t>& t = g_.values[in].shape;
        for (size_t d = 0; d < s.size(); ++d) {
          if (t.size() != s.size() || (d != axis && t[d] != s[d])) {
            return Unsupported(n, "inputs' shapes differ outside the concatenation axis");
          }
        }
        o.shape[axis] += t[axis];
      }
      return Status::Ok();
    }
    if (op == "Flatten") {
      const int64_t axis = NormAxis(n.geti("axis", 1), s.size());
      if (axis < 0 || axis > static_cast<int64_t>(s.size())) return Unsupported(n, "axis out of range");
      int64_t a = 1, b = 1;
      for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d) (d < axis ? a : b) *= s[static_cast<size_t>(d)];
      o.shape = {a, b};
      return Status::Ok();
    }
    if (op == "Reshape") {
      if (!g_.is_const(n.inputs.at(1))) return Unsupported(n, "Reshape with a non-constant shape");
      std::vector<int64_t> shape = ConstInts(In(n, 1));
      const bool allowzero = n.geti("allowzero", 0) != 0;
      int infer = -1;
      std::vector<int64_t> known;
      for (size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == 0 && !allowzero) shape[d] = d < s.size() ? s[d] : 1;
        if (shape[d] == -1 && infer < 0) {
          infer = static_cast<int>(d);
        } else {
          if (shape[d] < 0) return Unsupported(n, "invalid target dimension ", shape[d]);
          known.push_back(shape[d]);
        }
      }
      const int64_t k = ShapeElements(known), e = x.elements();
      if (k > kMaxTensorElements) return Unsupported(n, "target shape has more than 2^31 elements");
      if (infer >= 0) shape[static_cast<size_t>(infer)] = k > 0 && e >= 0 ? e / k : 0;
      if (e >= 0 && ShapeElements(shape) != e) {
        return Unsupported(n, "cannot reshape ", e, " elements to ", ShapeElements(shape));
      }
      o.shape = shape;
      return Status::Ok();
    }
    if (op == "Unsqueeze" || op == "Squeeze") {
      std::vector<int64_t> axes = n.getints("axes");
      if (n.has_input(1)) {
        if (!g_.is_const(n.inputs[1])) return Unsupported(n, "non-constant axes");
        axes = ConstInts(In(n, 1));
      }
      if (op == "Unsqueeze") {
        const size_t r = s.size() + axes.size();
        std::vector<bool> ins(r, false);
        for (int64_t a : axes) {
          size_t ua = 0;
          QRUN_RETURN_IF_ERROR(Axis(n, a, r, &ua));
          if (ins[ua]) return Unsupported(n, "repeated axis ", a);
          ins[ua] = true;
        }
        o.shape.clear();
        size_t k = 0;
        for (size_t d = 0; d < r; ++d) o.shape.push_back(ins[d] ? 1 : s[k++]);
      } else {
        std::vector<bool> drop(s.size(), false);
        for (int64_t a : axes) {
          size_t ua = 0;
          QRUN_RETURN_IF_ERROR(Axis(n, a, s.size(), &ua));
          drop[ua] = true;
        }
        o.shape.clear();
        for (size_t d = 0; d < s.size(); ++d) {
          if (!(axes.empty() ? s[d] == 1 : drop[d])) o.shape.push_back(s[d]);
        }
      }
      return Status::Ok();
    }
    if (op == "Transpose") {
      std::vector<int64_t> perm = n.getints("perm");
      if (perm.empty()) for (size_t d = s.size(); d-- > 0;) perm.push_back(static_cast<int64_t>(d));
      std::vector<bool> seen(s.size(), false);
      for (int64_t p : perm) {
        if (perm.size() != s.size() || p < 0 || p >= static_cast<int64_t>(s.size()) ||
            seen[static_cast<size_t>(p)]) {
          return Unsupported(n, "perm is not a permutation of the ", s.size(), " input axes");
        }
        seen[static_cast<size_t>(p)] = true;
      }
      o.shape.clear();
      for (int64_t p : perm) o.shape.push_back(s[static_cast<size_t>(p)]);
      return Status::Ok();
    }
    if (op == "Gather") {
      const Value& idx = In(n, 1);
      size_t axis = 0;
      QRUN_RETURN_IF_ERROR(Axis(n, n.geti("axis", 0), s.size(), &axis));
      o.shape.assign(s.begin(), s.begin() + static_cast<long>(axis));
      o.shape.insert(o.shape.end(), idx.shape.begin(), idx.shape.end());
      o.shape.insert(o.shape.end(), s.begin() + static_cast<long>(axis) + 1, s.end());
      return Status::Ok();
    }
    if (op == "Slice") {
      std::vector<int64_t> start, step;
      return SliceParams(n, s, &start, &step, &o.shape);
    }
    if (op == "ConstantOfShape") {
      o.shape = ConstInts(x);
      o.type = ElemType::kFloat;
      auto it = n.attrs.find("value");
      if (it != n.attrs.end()) o.type = it->second.t.type;
      return Status::Ok();
    }
    if (op == "Pad") {
      std::vector<int64_t> pads = n.getints("pads");
      if (n.has_input(1)) {
        if (!g_.is_const(n.inputs[1])) return Unsupported(n, "non-constant pads");
        pads = ConstInts(In(n, 1));
      }
      if (n.has_input(3)) return Unsupported(n, "Pad with axes input");
      if (pads.size() != 2 * s.size()) return Unsupported(n, "pads must have 2*rank entries");
      for (int64_t p : pads) {
        if (p < -kMaxTensorElements || p > kMaxTensorElements) return Unsupported(n, "pad ", p, " out of range");
      }
      o.shape = s;
      for (size_t d = 0; d < s.size(); ++d) o.shape[d] += pads[d] + pads[d + s.size()];
      return Status::Ok();
    }
    if (op == "QLinearConv" || op == "QLinearMatMul" || op == "QLinearAdd" || op == "QLinearMul" ||
        op == "QLinearGlobalAveragePool" || op == "ConvInteger" || op == "MatMulInteger") {
      return Unsupported(n, "should have been rewritten by the QOperator import");
    }
    return Unsupported(n, "unsupported op; supported: Conv, Gemm, MatMul, BatchNormalization, Relu, "
                          "Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Add, Sub, Mul, "
                          "Div, MaxPool, AveragePool, GlobalAveragePool, Concat, Flatten, Reshape, "
                          "Transpose, Pad, Softmax, Squeeze, Unsqueeze, Constant, Identity, Dropout, "
                          "QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul (see docs/converter.md)");
  }

  // Conv / pools: resolves auto_pad into explicit pads and computes the
  // output shape (ceil_mode for pools).
  Status InferWindow(const Node& cn) {
    Node& n = const_cast<Node&>(cn);
    Value& o = Out(n);
    const std::vector<int64_t> s = In(n, 0).shape;
    if (s.size() != 4) return Unsupported(n, "only 2-D convolutions/pools on NCHW inputs are supported");
    std::vector<int64_t> k;
    int64_t out_c = s[1];
    if (n.op == "Conv") {
      const Value& w = In(n, 1);
      if (w.shape.size() != 4) return Unsupported(n, "weights must be 4-D");
      k = {w.shape[2], w.shape[3]};
      out_c = w.shape[0];
      const int64_t group = n.geti("group", 1);
      if (group < 1 || s[1] < 0 || group > s[1] || w.shape[1] * group != s[1] || out_c % group != 0) {
        return Unsupported(n, "weights ", w.shape[0], "x", w.shape[1], "x", k[0], "x", k[1],
                           " with group ", group, " do not fit ", s[1], " input channels");
      }
    } else {
      k = n.getints("kernel_shape");
      if (k.size() != 2) return Unsupported(n, "kernel_shape must have 2 entries");
    }
    std::vector<int64_t> strides = n.getints("strides", {1, 1});
    std::vector<int64_t> dil = n.getints("dilations", {1, 1});
    std::vector<int64_t> pads = n.getints("pads", {0, 0, 0, 0});
    // Bounds that keep the arithmetic below exact (dims are < 2^31).
    constexpr int64_t kMaxWindow = int64_t{1} << 20;
    if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4) {
      return Unsupported(n, "strides and dilations need 2 entries, pads 4");
    }
    for (int d = 0; d < 2; ++d) {
      const size_t ud = static_cast<size_t>(d);
      if (k[ud] < 1 || k[ud] > kMaxWindow || strides[ud] < 1 || strides[ud] > kMaxWindow ||
          dil[ud] < 1 || dil[ud] > kMaxWindow) {
        return Unsupported(n, "kernel, stride and dilation must be in [1, 2^20]");
      }
    }
    for (int64_t p : pads) {
      if (p < 0 || p > kMaxWindow) return Unsupported(n, "pads must be in [0, 2^20]");
    }
    const bool ceil_mode = n.geti("ceil_mode", 0) != 0;
    const std::string auto_pad = n.gets("auto_pad", "NOTSET");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      for (int d = 0; d < 2; ++d) {
        const int64_t in = s[static_cast<size_t>(2 + d)];
        const int64_t out = (in + strides[static_cast<size_t>(d)] - 1) / strides[static_cast<size_t>(d)];
        const int64_t total = std::max<int64_t>(0, (out - 1) * strides[static_cast<size_t>(d)] +
                                                       dil[static_cast<size_t>(d)] * (k[static_cast<size_t>(d)] - 1) + 1 - in);
        const int64_t small = total / 2, big = total - small;
        pads[static_cast<size_t>(d)] = auto_pad == "SAME_UPPER" ? small : big;
        pads[static_cast<size_t>(d + 2)] = auto_pad == "SAME_UPPER" ? big : small;
      }
    } else if (auto_pad == "VALID") {
      pads = {0, 0, 0, 0};
    }
    n.attrs["pads"].kind = Attr::kInts;
    n.attrs["pads"].ints = pads;
    n.attrs.erase("auto_pad");
    o.shape = {s[0], out_c, 0, 0};
    for (int d = 0; d < 2; ++d) {
      const size_t ud = static_cast<size_t>(d);
      const int64_t span = s[2 + ud] + pads[ud] + pads[ud + 2] - dil[ud] * (k[ud] - 1) - 1;
      if (span < 0) return Unsupported(n, "window larger than the padded input");
      int64_t out = ceil_mode ? (span + strides[ud] - 1) / strides[ud] + 1 : span / strides[ud] + 1;
      // ONNX/PyTorch: the last window must start inside the image or left padding.
      if (ceil_mode && (out - 1) * strides[ud] >= s[2 + ud] + pads[ud]) --out;
      o.shape[2 + ud] = out;
    }
    return Status::Ok();
  }

  Graph& g_;
};

}  // namespace

Status FoldConstantsAndInferShapes(Graph* g) { return Folder(g).Run(); }

}  // namespace qrun::conv

// Constant nodes -> constant values; Identity / Dropout removed; input shapes.
#include <sstream>

#include "converter/passes/passes.h"

namespace qrun::conv {

Status RemoveTrivialNodes(Graph* g) {
  std::vector<Node> kept;
  for (Node& n : g->nodes) {
    if (n.op == "Constant") {
      Value& v = g->value(n.outputs.at(0));
      auto it = n.attrs.find("value");
      if (it != n.attrs.end() && it->second.kind == Attr::kTensor) {
        const std::string name = v.name;
        v = it->second.t;
        v.name = name;
      } else if (n.has("value_float")) {
        v.type = ElemType::kFloat; v.is_const = true; v.has_shape = true; v.shape = {};
        v.data = {n.getf("value_float", 0)};
      } else if (n.has("value_int")) {
        v.type = ElemType::kInt64; v.is_const = true; v.has_shape = true; v.shape = {};
        v.data = {static_cast<double>(n.geti("value_int", 0))};
      } else if (n.has("value_ints")) {
        v.type = ElemType::kInt64; v.is_const = true; v.has_shape = true;
        for (int64_t x : n.getints("value_ints")) v.data.push_back(static_cast<double>(x));
        v.shape = {static_cast<int64_t>(v.data.size())};
      } else if (n.has("value_floats")) {
        v.type = ElemType::kFloat; v.is_const = true; v.has_shape = true;
        for (float x : n.attrs["value_floats"].floats) v.data.push_back(x);
        v.shape = {static_cast<int64_t>(v.data.size())};
      } else {
        return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), " (opset ", g->opset,
                     "): unsupported Constant attribute");
      }
      continue;
    }
    if (n.op == "Identity" || n.op == "Dropout") {
      const std::string& in = n.inputs.at(0);
      const std::string& out = n.outputs.at(0);
      if (g->is_graph_output(out) && !g->is_const(in) && g->producer(in) >= 0 &&
          !g->is_graph_output(in)) {
        // Keep the graph output's name: rename the producer's output instead.
        for (Node& p : kept) {
          for (std::string& o : p.outputs) {
            if (o == in) o = out;
          }
        }
        for (Node& c : kept) {
          for (std::string& i : c.inputs) {
            if (i == in) i = out;
          }
        }
        for (size_t k = &n - g->nodes.data() + 1; k < g->nodes.size(); ++k) {
          for (std::string& i : g->nodes[k].inputs) {
            if (i == in) i = out;
          }
        }
        continue;
      }
      // Later nodes read the input directly (shared initializers stay shared).
      for (size_t k = &n - g->nodes.data() + 1; k < g->nodes.size(); ++k) {
        for (std::string& i : g->nodes[k].inputs) {
          if (i == out) i = in;
        }
      }
      for (std::string& o : g->outputs) {
        if (o == out) {
          if (g->is_const(in)) {
            g->value(out) = *g->find(in);
            g->value(out).name = out;
          } else {
            o = in;
          }
        }
      }
      continue;
    }
    kept.push_back(std::move(n));
  }
  g->nodes = std::move(kept);
  return Status::Ok();
}

static std::string ShapeString(const std::vector<int64_t>& s) {
  std::ostringstream os;
  for (size_t i = 0; i < s.size(); ++i) os << (i ? "x" : "") << (s[i] < 0 ? std::string("?") : std::to_string(s[i]));
  return os.str();
}

Status ApplyInputShapes(Graph* g, const InputShapes& shapes) {
  for (const auto& kv : shapes) {
    Value* v = g->values.count(kv.first) ? &g->values[kv.first] : nullptr;
    bool is_input = false;
    for (const std::string& i : g->inputs) is_input = is_input || i == kv.first;
    if (v == nullptr || !is_input) {
      std::string names;
      for (const std::string& i : g->inputs) names += (names.empty() ? "" : ", ") + i;
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "--input-shape names '", kv.first,
                   "', which is not a model input (inputs: ", names, ")");
    }
    if (v->has_shape && v->shape.size() != kv.second.size()) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "--input-shape ", kv.first, "=",
                   ShapeString(kv.second), " has rank ", kv.second.size(), " but the model declares ",
                   ShapeString(v->shape));
    }
    for (size_t d = 0; v->has_shape && d < v->shape.size(); ++d) {
      if (v->shape[d] >= 0 && v->shape[d] != kv.second[d]) {
        return Error(QRUN_ERROR_INVALID_ARGUMENT, "--input-shape ", kv.first, "=",
                     ShapeString(kv.second), " conflicts with the model's fixed shape ",
                     ShapeString(v->shape));
      }
    }
    v->shape = kv.second;
    v->has_shape = true;
  }
  for (const std::string& i : g->inputs) {
    const Value& v = g->values[i];
    bool dynamic = !v.has_shape;
    for (int64_t d : v.shape) dynamic = dynamic || d < 0;
    if (dynamic) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "input '", i, "' has a dynamic shape (",
                   v.has_shape ? ShapeString(v.shape) : std::string("unknown"),
                   "): qrun needs static shapes; pass --input-shape ", i,
                   "=1x3x224x224 (your sizes) to fix it");
    }
    if (v.type != ElemType::kFloat) {
      return Error(QRUN_ERROR_UNSUPPORTED, "input '", i, "' is ", elem_type_name(v.type),
                   ": only float32 model inputs are supported");
    }
  }
  return Status::Ok();
}

}  // namespace qrun::conv

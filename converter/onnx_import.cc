#include "converter/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace qrun::conv {
namespace {

ElemType ToElemType(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return ElemType::kFloat;
    case onnx::TensorProto::INT64: return ElemType::kInt64;
    case onnx::TensorProto::INT32: return ElemType::kInt32;
    case onnx::TensorProto::INT8: return ElemType::kInt8;
    case onnx::TensorProto::UINT8: return ElemType::kUInt8;
    case onnx::TensorProto::BOOL: return ElemType::kBool;
    case onnx::TensorProto::DOUBLE: return ElemType::kFloat;  // narrowed on use
    default: return ElemType::kOther;
  }
}

template <typename T>
void ReadRaw(const std::string& raw, std::vector<double>* out) {
  const size_t n = raw.size() / sizeof(T);
  out->resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    (*out)[i] = static_cast<double>(v);
  }
}

std::string DimsString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// Inputs (min, max; -1: any number) and outputs (min, max) of the ops the
// converter reads, per the ONNX operator specs (all opsets 9-17). Nodes are
// checked against it on import, so passes can index the inputs they need;
// other ops are rejected later by name.
struct Arity {
  int min_in, max_in, min_out, max_out;
};
const std::map<std::string, Arity>& OpArity() {
  static const std::map<std::string, Arity> kArity = {
      {"Abs", {1, 1, 1, 1}}, {"Add", {2, 2, 1, 1}}, {"AveragePool", {1, 1, 1, 1}},
      {"BatchNormalization", {5, 5, 1, 5}}, {"Cast", {1, 1, 1, 1}}, {"Ceil", {1, 1, 1, 1}},
      {"Clip", {1, 3, 1, 1}}, {"Concat", {1, -1, 1, 1}}, {"Constant", {0, 0, 1, 1}},
      {"ConstantOfShape", {1, 1, 1, 1}}, {"Conv", {2, 3, 1, 1}}, {"ConvInteger", {2, 4, 1, 1}},
      {"DequantizeLinear", {2, 3, 1, 1}}, {"Div", {2, 2, 1, 1}}, {"Dropout", {1, 3, 1, 2}},
      {"Equal", {2, 2, 1, 1}}, {"Erf", {1, 1, 1, 1}}, {"Exp", {1, 1, 1, 1}},
      {"Expand", {2, 2, 1, 1}}, {"Flatten", {1, 1, 1, 1}}, {"Floor", {1, 1, 1, 1}},
      {"Gather", {2, 2, 1, 1}}, {"Gemm", {2, 3, 1, 1}}, {"GlobalAveragePool", {1, 1, 1, 1}},
      {"GlobalMaxPool", {1, 1, 1, 1}}, {"HardSigmoid", {1, 1, 1, 1}}, {"HardSwish", {1, 1, 1, 1}},
      {"Identity", {1, 1, 1, 1}}, {"LeakyRelu", {1, 1, 1, 1}}, {"LogSoftmax", {1, 1, 1, 1}},
      {"MatMul", {2, 2, 1, 1}}, {"MatMulInteger", {2, 4, 1, 1}}, {"Max", {1, -1, 1, 1}},
      {"MaxPool", {1, 1, 1, 2}}, {"Min", {1, -1, 1, 1}}, {"Mul", {2, 2, 1, 1}},
      {"Neg", {1, 1, 1, 1}}, {"Pad", {1, 4, 1, 1}}, {"Pow", {2, 2, 1, 1}},
      {"QLinearAdd", {7, 8, 1, 1}}, {"QLinearConv", {8, 9, 1, 1}},
      {"QLinearGlobalAveragePool", {5, 5, 1, 1}}, {"QLinearMatMul", {8, 8, 1, 1}},
      {"QLinearMul", {7, 8, 1, 1}}, {"QuantizeLinear", {2, 3, 1, 1}}, {"Range", {3, 3, 1, 1}},
      {"Relu", {1, 1, 1, 1}}, {"Reshape", {2, 2, 1, 1}}, {"Shape", {1, 1, 1, 1}},
      {"Sigmoid", {1, 1, 1, 1}}, {"Size", {1, 1, 1, 1}}, {"Slice", {1, 5, 1, 1}},
      {"Softmax", {1, 1, 1, 1}}, {"Sqrt", {1, 1, 1, 1}}, {"Squeeze", {1, 2, 1, 1}},
      {"Sub", {2, 2, 1, 1}}, {"Tanh", {1, 1, 1, 1}}, {"Transpose", {1, 1, 1, 1}},
      {"Unsqueeze", {1, 2, 1, 1}}, {"Where", {3, 3, 1, 1}},
  };
  return kArity;
}

Status CheckArity(const Node& n) {
  const auto it = OpArity().find(n.op);
  if (it == OpArity().end()) return Status::Ok();
  const Arity& a = it->second;
  const int in = static_cast<int>(n.inputs.size()), out = static_cast<int>(n.outputs.size());
  if (in < a.min_in || (a.max_in >= 0 && in > a.max_in)) {
    return InvalidModel(node_label(n), " has ", in, " inputs; ", n.op, " takes ", a.min_in,
                        a.max_in == a.min_in ? "" : a.max_in < 0 ? " or more" : " to " + std::to_string(a.max_in));
  }
  for (int i = 0; i < a.min_in; ++i) {
    if (n.inputs[static_cast<size_t>(i)].empty()) {
      return InvalidModel(node_label(n), ": required input ", i, " is empty");
    }
  }
  if (out < a.min_out || out > a.max_out || n.outputs[0].empty()) {
    return InvalidModel(node_label(n), " has ", out, " outputs (the first named); ", n.op,
                        " has ", a.min_out, a.max_out == a.min_out ? "" : " to " + std::to_string(a.max_out));
  }
  return Status::Ok();
}

Status ReadTensor(const onnx::TensorProto& t, Value* v) {
  v->name = t.name();
  v->type = ToElemType(t.data_type());
  v->shape.assign(t.dims().begin(), t.dims().end());
  v->has_shape = true;
  v->is_const = true;
  if (v->elements() < 0 || v->elements() > kMaxTensorElements) {
    return InvalidModel("tensor '", t.name(), "' has dims ", DimsString(v->shape),
                        ": negative, or more than 2^31 elements");
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    return Error(QRUN_ERROR_UNSUPPORTED, "initializer '", t.name(),
                 "' uses external data: save the model with its weights inside the .onnx file");
  }
  const bool raw = t.has_raw_data();
  const std::string& r = t.raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (raw) ReadRaw<float>(r, &v->data);
      else v->data.assign(t.float_data().begin(), t.float_data().end());
      break;
    case onnx::TensorProto::DOUBLE:
      if (raw) ReadRaw<double>(r, &v->data);
      else v->data.assign(t.double_data().begin(), t.double_data().end());
      break;
    case onnx::TensorProto::INT64:
      if (raw) ReadRaw<int64_t>(r, &v->data);
      else v->data.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case onnx::TensorProto::INT32:
      if (raw) ReadRaw<int32_t>(r, &v->data);
      else v->data.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    case onnx::TensorProto::INT8:
      if (raw) ReadRaw<int8_t>(r, &v->data);
      else v->data.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      if (raw) ReadRaw<uint8_t>(r, &v->data);
      else v->data.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    default:
      return Error(QRUN_ERROR_UNSUPPORTED, "tensor '", t.name(), "' has unsupported data type ",
                   onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t.data_type())));
  }
  if (static_cast<int64_t>(v->data.size()) != v->elements()) {
    return InvalidModel("tensor '", t.name(), "' has ", v->data.size(), " values for shape of ",
                        v->elements(), " elements");
  }
  return Status::Ok();
}

Status ReadAttr(const onnx::AttributeProto& a, Attr* out) {
  switch (a.type()) {
    case onnx::AttributeProto::INT: out->kind = Attr::kInt; out->i = a.i(); break;
    case onnx::AttributeProto::FLOAT: out->kind = Attr::kFloat; out->f = a.f(); break;
    case onnx::AttributeProto::INTS: out->kind = Attr::kInts; out->ints.assign(a.ints().begin(), a.ints().end()); break;
    case onnx::AttributeProto::FLOATS: out->kind = Attr::kFloats; out->floats.assign(a.floats().begin(), a.floats().end()); break;
    case onnx::AttributeProto::STRING: out->kind = Attr::kString; out->s = a.s(); break;
    case onnx::AttributeProto::TENSOR:
      out->kind = Attr::kTensor;
      QRUN_RETURN_IF_ERROR(ReadTensor(a.t(), &out->t));
      break;
    default: out->kind = Attr::kNone; break;  // graphs etc.: unsupported ops reject later
  }
  return Status::Ok();
}

}  // namespace

Status ImportOnnxModel(const onnx::ModelProto& model, Graph* graph) {
  *graph = Graph();
  graph->opset = 0;
  for (const auto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") graph->opset = static_cast<int>(o.version());
  }
  if (graph->opset == 0) graph->opset = 13;
  if (graph->opset < 9 || graph->opset > 17) {
    graph->warnings.push_back("model opset " + std::to_string(graph->opset) +
                              " is outside the tested range 9-17");
  }
  const onnx::GraphProto& g = model.graph();
  for (const auto& t : g.initializer()) {
    Value& v = graph->value(t.name());
    QRUN_RETURN_IF_ERROR(ReadTensor(t, &v));
  }
  for (const auto& in : g.input()) {
    if (graph->is_const(in.name())) continue;  // initializers listed as inputs (old exporters)
    Value& v = graph->value(in.name());
    const auto& tt = in.type().tensor_type();
    v.type = ToElemType(tt.elem_type());
    v.has_shape = tt.has_shape();
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value() && d.dim_value() < 0) {
        return InvalidModel("input '", in.name(), "' has a negative dimension ", d.dim_value());
      }
      v.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
    if (KnownShapeElements(v.shape) > kMaxTensorElements) {
      return InvalidModel("input '", in.name(), "' has dims ", DimsString(v.shape),
                          ": more than 2^31 elements");
    }
    graph->inputs.push_back(in.name());
  }
  for (const auto& out : g.output()) graph->outputs.push_back(out.name());
  int unnamed = 0;
  for (const auto& np : g.node()) {
    Node n;
    n.name = np.name().empty() ? np.op_type() + "_" + std::to_string(unnamed++) : np.name();
    n.op = np.op_type();
    n.domain = np.domain();
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    for (const auto& a : np.attribute()) QRUN_RETURN_IF_ERROR(ReadAttr(a, &n.attrs[a.name()]));
    QRUN_RETURN_IF_ERROR(CheckArity(n));
    // Inputs come from earlier nodes (ONNX stores nodes in topological
    // order), so a cycle shows up as an undefined input.
    for (const std::string& i : n.inputs) {
      if (!i.empty() && graph->find(i) == nullptr) {
        return InvalidModel(node_label(n), " reads '", i, "' which no node or initializer produces");
      }
    }
    for (const std::string& o : n.outputs) {
      if (o.empty()) continue;
      if (graph->find(o) != nullptr) {
        return InvalidModel(node_label(n), " writes '", o,
                            "', which a graph input, initializer or earlier node already defines");
      }
      graph->value(o);
    }
    graph->nodes.push_back(std::move(n));
  }
  for (const std::string& o : graph->outputs) {
    if (graph->find(o) == nullptr) return InvalidModel("graph output '", o, "' is not produced by any node");
  }
  return Status::Ok();
}

Status ImportOnnxFile(const std::string& path, Graph* graph) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(QRUN_ERROR_IO, "cannot open '", path, "'");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    return InvalidModel("'", path, "' is not a valid ONNX model (protobuf parse failed)");
  }
  return ImportOnnxModel(model, graph);
}

}  // namespace qrun::conv

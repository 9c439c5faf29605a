#include "converter/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
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

Status ReadTensor(const onnx::TensorProto& t, Value* v) {
  v->name = t.name();
  v->type = ToElemType(t.data_type());
  v->shape.assign(t.dims().begin(), t.dims().end());
  v->has_shape = true;
  v->is_const = true;
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
    for (const auto& d : tt.shape().dim()) v.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
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
    for (const std::string& o : n.outputs) graph->value(o);
    for (const std::string& i : n.inputs) {
      if (!i.empty() && graph->find(i) == nullptr) {
        return InvalidModel(node_label(n), " reads '", i, "' which no node or initializer produces");
      }
    }
    graph->nodes.push_back(std::move(n));
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

// The converter's ONNX-level graph: ONNX semantics (NCHW), values by name.
// Import fills it, the passes rewrite it, lowering (lower.h) turns it into
// qrun ops in NHWC.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace qrun::conv {

enum class ElemType { kFloat, kInt64, kInt32, kInt8, kUInt8, kBool, kOther };
const char* elem_type_name(ElemType t);

// Quantization carried by a QDQ / QOperator model (exact values from the
// file; uint8 is already lowered to int8 with zero point - 128).
struct QAnnot {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int axis = 0;
  bool empty() const { return scale.empty(); }
};

// Largest tensor the converter accepts (elements): bigger shapes in a model
// are corrupt or out of reach for an edge runtime, and bounding them keeps
// every size computation below from overflowing.
constexpr int64_t kMaxTensorElements = int64_t{1} << 31;

// Product of the dims without overflow: -1 if a dim is negative (unknown),
// kMaxTensorElements + 1 if the product exceeds kMaxTensorElements.
inline int64_t ShapeElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    if (d > 0 && n > kMaxTensorElements / d) return kMaxTensorElements + 1;
    n *= d;
  }
  return n;
}

// Same, unknown (negative) dims counted as 1: the bound a partly known shape
// already breaks.
inline int64_t KnownShapeElements(std::vector<int64_t> shape) {
  for (int64_t& d : shape) d = d < 0 ? 1 : d;
  return ShapeElements(shape);
}

struct Value {
  std::string name;
  ElemType type = ElemType::kFloat;
  std::vector<int64_t> shape;  // -1 = unknown dim
  bool has_shape = false;
  bool is_const = false;
  std::vector<double> data;    // constants; every dtype held as double (exact for int32/float)
  // A constant that came quantized from the file: exact integers (int8
  // weights, int32 biases) with their parameters; `data` holds the
  // dequantized floats.
  std::vector<int64_t> qdata;
  QAnnot qdata_params;
  // Quantization of an activation fixed by the file (Q/DQ pair).
  QAnnot quant;

  int64_t elements() const { return ShapeElements(shape); }
};

struct Attr {
  enum Kind { kNone, kInt, kFloat, kInts, kFloats, kString, kTensor } kind = kNone;
  int64_t i = 0;
  float f = 0;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string s;
  Value t;
};

struct Node {
  std::string name;
  std::string op;
  std::string domain;
  std::vector<std::string> inputs;   // "" = absent optional input
  std::vector<std::string> outputs;
  std::map<std::string, Attr> attrs;

  bool has(const std::string& a) const { return attrs.count(a) != 0; }
  int64_t geti(const std::string& a, int64_t def) const;
  float getf(const std::string& a, float def) const;
  std::vector<int64_t> getints(const std::string& a, std::vector<int64_t> def = {}) const;
  std::string gets(const std::string& a, const std::string& def) const;
  bool has_input(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
};

struct Graph {
  std::map<std::string, Value> values;
  std::vector<Node> nodes;            // topological order
  std::vector<std::string> inputs;    // graph inputs (not initializers)
  std::vector<std::string> outputs;
  int opset = 13;
  std::vector<std::string> warnings;

  Value& value(const std::string& name);  // creates if missing
  const Value* find(const std::string& name) const;
  bool is_const(const std::string& name) const;
  // Consumers of a value: (node index, input slot).
  std::vector<std::pair<int, int>> consumers(const std::string& name) const;
  int producer(const std::string& name) const;  // node index or -1
  bool is_graph_output(const std::string& name) const;
  // Replaces every use of `from` (node inputs, graph outputs) by `to`.
  void replace_uses(const std::string& from, const std::string& to);
  // Drops nodes whose outputs nobody uses, and unused values.
  void remove_dead();
  std::string unique_name(const std::string& base);

 private:
  int counter_ = 0;
};

std::string node_label(const Node& n);  // "node 'conv1' (Conv)"

}  // namespace qrun::conv

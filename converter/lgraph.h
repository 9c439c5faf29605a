// The lowered graph: qrun ops (schema OpType) on tensors in the runtime's
// layouts (NHWC activations, OHWI conv weights, [out][in] FC weights), still
// float, with quantization decided later (quantize.h) and written by
// qfb_writer.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/ir.h"
#include "schema/qfb_generated.h"

namespace qrun::conv {

enum class Role { kActivation, kWeight, kBias, kConstant };

struct LTensor {
  std::string name;
  std::vector<int64_t> shape;
  Role role = Role::kActivation;
  std::vector<float> data;       // constants (float values)
  std::vector<int64_t> qdata;    // exact integers from a pre-quantized model
  QAnnot qparams;                // their parameters
  QAnnot quant;                  // activation quantization (file or calibration)
  bool fixed_quant = false;      // quant came from the file
  bool is_const() const { return role != Role::kActivation; }
  int64_t elements() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

struct LOp {
  fb::OpType type = fb::OpType::RESHAPE;
  std::vector<int> inputs;   // -1 = absent optional input
  std::vector<int> outputs;
  fb::OpOptionsUnion options;
  std::string name;          // source ONNX node
  bool int8 = false;         // decided by quantization
};

struct LGraph {
  std::vector<LTensor> tensors;
  std::vector<LOp> ops;
  std::vector<int> inputs;
  std::vector<int> outputs;

  int AddTensor(LTensor t) {
    tensors.push_back(std::move(t));
    return static_cast<int>(tensors.size()) - 1;
  }
  // Index of the op producing tensor t, or -1.
  int producer(int t) const;
  std::vector<int> consumers(int t) const;
};

// Op kinds whose int8 form passes values through (output quantization must
// equal the input's).
bool SharesQuantization(fb::OpType t);

struct LowerOptions {
  bool nhwc_io = false;  // graph inputs/outputs stay NHWC (--io int8)
};

Status Lower(const Graph& g, const LowerOptions& options, LGraph* out);

}  // namespace qrun::conv

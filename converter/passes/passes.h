// Graph rewrites on the ONNX-level graph, run in the order listed by
// RunImportPasses (converter.cc).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "converter/ir.h"

namespace qrun::conv {

using InputShapes = std::map<std::string, std::vector<int64_t>>;

// Constant nodes become constant values; Identity and Dropout disappear.
Status RemoveTrivialNodes(Graph* g);
// Fixes graph input shapes (--input-shape); fails on dims left dynamic.
Status ApplyInputShapes(Graph* g, const InputShapes& shapes);
// Evaluates nodes whose inputs are all constant (shape subgraphs: Shape,
// Gather, Cast, Slice, Concat, Unsqueeze, Squeeze, Reshape, arithmetic...)
// and infers the shape of every other value. Unsupported ops fail here with
// node, op type and opset.
Status FoldConstantsAndInferShapes(Graph* g);
// BatchNormalization into the preceding Conv/Gemm (or into a Mul+Add pair).
Status FoldBatchNorm(Graph* g);
// Sub/Div by constants become Add/Mul.
Status CanonicalizeArithmetic(Graph* g);

// MatMul + Add of a constant [N] vector -> Gemm with that bias.
Status FuseMatMulAdd(Graph* g);
// HardSwish / HardSigmoid written out as x*HardSigmoid(x), x*clip(x+3,0,6)/6,
// clip(x+3,0,6)/6 ... become single nodes.
Status RecognizeHardSwish(Graph* g);
// Relu / Clip after Conv, Gemm, MatMul, Add, Mul, pools: fused into the
// producer as the attribute "qrun_act" ("relu", "relu6" or "clamp" with
// "qrun_act_min"/"qrun_act_max").
Status FuseActivations(Graph* g);
// QDQ and QOperator models: Q/DQ pairs become quantization annotations on
// float values, DequantizeLinear of constants become constants that keep
// their exact integers, QLinearConv/QLinearMatMul/... become float ops with
// annotated inputs and outputs.
Status ImportQuantization(Graph* g, bool* is_prequantized);

// Shared helpers.
std::vector<int64_t> BroadcastShapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                                     bool* ok);
std::string ActivationName(const Node& n);

}  // namespace qrun::conv

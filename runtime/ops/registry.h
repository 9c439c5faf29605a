// Maps op types to their implementations.
#pragma once

#include <memory>

#include "runtime/model.h"
#include "runtime/ops/op.h"

namespace qrun {

// A fresh kernel object for the op type, or null if the type has none.
std::unique_ptr<OpKernel> CreateOpKernel(fb::OpType type);

// Runs Prepare in validate-only mode: the model-load check of one op.
Status ValidateOp(const Model& model, int op_index);

// One factory per op file.
std::unique_ptr<OpKernel> CreateConv2D();
std::unique_ptr<OpKernel> CreateFullyConnected();
std::unique_ptr<OpKernel> CreateMaxPool2D();
std::unique_ptr<OpKernel> CreateAveragePool2D();
std::unique_ptr<OpKernel> CreateGlobalAveragePool();
std::unique_ptr<OpKernel> CreateAdd();
std::unique_ptr<OpKernel> CreateMul();
std::unique_ptr<OpKernel> CreateConcat();
std::unique_ptr<OpKernel> CreateReshape();
std::unique_ptr<OpKernel> CreatePad();
std::unique_ptr<OpKernel> CreateUnary();
std::unique_ptr<OpKernel> CreateSoftmax();
std::unique_ptr<OpKernel> CreateQuantize();
std::unique_ptr<OpKernel> CreateDequantize();
std::unique_ptr<OpKernel> CreateTranspose();

}  // namespace qrun

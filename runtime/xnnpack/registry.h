// The XNNPACK backend's op kernels (runtime/xnnpack/, built with
// QRUN_WITH_XNNPACK). The interpreter asks CreateOpKernel for each op; a null
// kernel (op type XNNPACK has no operator for) or an UNSUPPORTED Prepare
// (parameters XNNPACK cannot express) means: use the native kernel.
#pragma once

#include <memory>

#include "runtime/model.h"
#include "runtime/ops/op.h"

namespace qrun::xnn {

// A fresh XNNPACK kernel for the op type, or null.
std::unique_ptr<OpKernel> CreateOpKernel(fb::OpType type);

// One factory per op family.
std::unique_ptr<OpKernel> CreateConv2D();
std::unique_ptr<OpKernel> CreateFullyConnected();
std::unique_ptr<OpKernel> CreateMaxPool2D();
std::unique_ptr<OpKernel> CreateAveragePool2D();
std::unique_ptr<OpKernel> CreateGlobalAveragePool();
std::unique_ptr<OpKernel> CreateAdd();
std::unique_ptr<OpKernel> CreateMul();
std::unique_ptr<OpKernel> CreateUnary();
std::unique_ptr<OpKernel> CreateSoftmax();
std::unique_ptr<OpKernel> CreateQuantize();
std::unique_ptr<OpKernel> CreateDequantize();

}  // namespace qrun::xnn

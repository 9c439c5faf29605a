#include "runtime/xnnpack/registry.h"

namespace qrun::xnn {

std::unique_ptr<OpKernel> CreateOpKernel(fb::OpType type) {
  switch (type) {
    case fb::OpType::CONV_2D: return CreateConv2D();
    case fb::OpType::FULLY_CONNECTED: return CreateFullyConnected();
    case fb::OpType::MAX_POOL_2D: return CreateMaxPool2D();
    case fb::OpType::AVERAGE_POOL_2D: return CreateAveragePool2D();
    case fb::OpType::GLOBAL_AVERAGE_POOL: return CreateGlobalAveragePool();
    case fb::OpType::ADD: return CreateAdd();
    case fb::OpType::MUL: return CreateMul();
    case fb::OpType::UNARY: return CreateUnary();
    case fb::OpType::SOFTMAX: return CreateSoftmax();
    case fb::OpType::QUANTIZE: return CreateQuantize();
    case fb::OpType::DEQUANTIZE: return CreateDequantize();
    // Data movement (CONCAT, RESHAPE, PAD, TRANSPOSE) stays native.
    default: return nullptr;
  }
}

}  // namespace qrun::xnn

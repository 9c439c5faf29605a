#include "runtime/ops/registry.h"

namespace qrun {

std::unique_ptr<OpKernel> CreateOpKernel(fb::OpType type) {
  switch (type) {
    case fb::OpType::CONV_2D: return CreateConv2D();
    case fb::OpType::FULLY_CONNECTED: return CreateFullyConnected();
    case fb::OpType::MAX_POOL_2D: return CreateMaxPool2D();
    case fb::OpType::AVERAGE_POOL_2D: return CreateAveragePool2D();
    case fb::OpType::GLOBAL_AVERAGE_POOL: return CreateGlobalAveragePool();
    case fb::OpType::ADD: return CreateAdd();
    case fb::OpType::MUL: return CreateMul();
    case fb::OpType::CONCAT: return CreateConcat();
    case fb::OpType::RESHAPE: return CreateReshape();
    case fb::OpType::PAD: return CreatePad();
    case fb::OpType::UNARY: return CreateUnary();
    case fb::OpType::SOFTMAX: return CreateSoftmax();
    case fb::OpType::QUANTIZE: return CreateQuantize();
    case fb::OpType::DEQUANTIZE: return CreateDequantize();
    case fb::OpType::TRANSPOSE: return CreateTranspose();
  }
  return nullptr;
}

Status ValidateOp(const Model& model, int op_index) {
  const OpInfo& op = model.ops()[static_cast<size_t>(op_index)];
  std::unique_ptr<OpKernel> kernel = CreateOpKernel(op.type);
  if (!kernel) {
    return Error(QRUN_ERROR_UNSUPPORTED, model.op_label(op_index), ": op type not supported");
  }
  PrepareContext ctx(model, op_index, /*validate_only=*/true, QRUN_BACKEND_REFERENCE);
  return kernel->Prepare(ctx);
}

Status PrepareContext::ExpectIo(int min_inputs, int max_inputs, int outputs) const {
  if (num_inputs() < min_inputs || num_inputs() > max_inputs) {
    if (min_inputs == max_inputs) return Invalid("expects ", min_inputs, " inputs, has ", num_inputs());
    return Invalid("expects ", min_inputs, " to ", max_inputs, " inputs, has ", num_inputs());
  }
  for (int i = 0; i < min_inputs; ++i) {
    if (!has_input(i)) return Invalid("required input ", i, " is missing");
  }
  if (num_outputs() != outputs) return Invalid("expects ", outputs, " outputs, has ", num_outputs());
  return Status::Ok();
}

}  // namespace qrun

#include "converter/runner.h"

#include <cstring>

#include "kernels/requantize.h"

namespace qrun::conv {

Status Runner::Load(std::vector<uint8_t> bytes) {
  interp_.reset();
  model_.reset();
  bytes_ = std::move(bytes);
  QRUN_RETURN_IF_ERROR(Model::LoadBuffer(bytes_.data(), bytes_.size(), &model_));
  InterpreterOptions o;
  return Interpreter::Create(model_, o, &interp_);
}

Status Runner::LoadFile(const std::string& path) {
  interp_.reset();
  QRUN_RETURN_IF_ERROR(Model::LoadFile(path, &model_));
  InterpreterOptions o;
  return Interpreter::Create(model_, o, &interp_);
}

Status Runner::Run(const std::vector<std::vector<float>>& inputs) {
  if (inputs.size() != model_->inputs().size()) {
    return Error(QRUN_ERROR_INVALID_ARGUMENT, "model has ", model_->inputs().size(), " inputs, got ", inputs.size());
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo& t = model_->tensor(model_->inputs()[i]);
    if (static_cast<int64_t>(inputs[i].size()) != t.elements) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "input '", t.name, "' needs ", t.elements, " values, got ", inputs[i].size());
    }
    void* dst = interp_->input_data(static_cast<int>(i));
    if (t.dtype == DType::kFloat32) {
      std::memcpy(dst, inputs[i].data(), inputs[i].size() * 4);
    } else if (t.dtype == DType::kInt8) {
      auto* q = static_cast<int8_t*>(dst);
      for (size_t e = 0; e < inputs[i].size(); ++e) {
        q[e] = static_cast<int8_t>(kernels::quantize_value(inputs[i][e], t.scale(), t.zero_point(), -128, 127));
      }
    } else {
      return Error(QRUN_ERROR_UNSUPPORTED, "input '", t.name, "' dtype");
    }
  }
  return interp_->Invoke();
}

std::vector<float> Runner::Get(int t) const {
  const TensorInfo& info = model_->tensor(t);
  const void* p = interp_->tensor_data(t);
  std::vector<float> out(static_cast<size_t>(info.elements));
  if (p == nullptr) return out;
  if (info.dtype == DType::kFloat32) {
    std::memcpy(out.data(), p, out.size() * 4);
  } else if (info.dtype == DType::kInt8) {
    const auto* q = static_cast<const int8_t*>(p);
    for (size_t e = 0; e < out.size(); ++e) out[e] = kernels::dequantize_value(q[e], info.scale(), info.zero_point());
  } else if (info.dtype == DType::kInt32) {
    const auto* q = static_cast<const int32_t*>(p);
    for (size_t e = 0; e < out.size(); ++e) out[e] = static_cast<float>(q[e]);
  }
  return out;
}

}  // namespace qrun::conv

// The runtime's view of one tensor of a loaded model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "qrun/qrun.h"

namespace qrun {

enum class DType : int8_t { kFloat32 = 0, kInt8 = 1, kUInt8 = 2, kInt32 = 3 };

size_t dtype_size(DType t);
const char* dtype_name(DType t);
inline bool is_quantized(DType t) { return t == DType::kInt8 || t == DType::kUInt8; }

struct Quantization {
  std::vector<float> scale;        // 1 entry per tensor, or one per channel
  std::vector<int32_t> zero_point; // same length as scale
  int axis = 0;                    // channel axis when per-channel
  bool per_channel() const { return scale.size() > 1; }
};

struct TensorInfo {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<int64_t> dims;
  Quantization quant;              // empty for float32 / int32 without params
  const uint8_t* constant = nullptr;  // constant data in the model, or null
  size_t bytes = 0;                // element count * dtype size
  int64_t elements = 1;

  bool is_constant() const { return constant != nullptr; }
  int rank() const { return static_cast<int>(dims.size()); }
  float scale() const { return quant.scale.empty() ? 0.0f : quant.scale[0]; }
  int32_t zero_point() const { return quant.zero_point.empty() ? 0 : quant.zero_point[0]; }
  std::string shape_string() const;
};

}  // namespace qrun

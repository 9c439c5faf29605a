// Writes .qfb models. Used by tests, examples and the converter.
//
//   ModelBuilder b("my-tool");
//   int x = b.AddTensor("x", fb::DType::INT8, {1, 8, 8, 3}, QuantParams::PerTensor(0.02f, -3));
//   ...
//   b.AddOp(fb::OpType::CONV_2D, {x, w, bias}, {y}, conv_options, "conv1");
//   b.SetInputs({x}); b.SetOutputs({y});
//   std::vector<uint8_t> bytes = b.Finish();
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "schema/qfb_generated.h"

namespace qrun {

struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int axis = 0;

  static QuantParams PerTensor(float scale, int64_t zero_point) {
    return QuantParams{{scale}, {zero_point}, 0};
  }
  static QuantParams PerChannel(std::vector<float> scales, int axis) {
    std::vector<int64_t> zps(scales.size(), 0);
    return QuantParams{std::move(scales), std::move(zps), axis};
  }
  bool empty() const { return scale.empty(); }
};

class ModelBuilder {
 public:
  explicit ModelBuilder(std::string producer = "qrun ModelBuilder");

  void SetDescription(std::string description);
  void AddMetadata(std::string key, std::string value);

  // An activation (no data). Returns the tensor index.
  int AddTensor(std::string name, fb::DType dtype, std::vector<int32_t> shape,
                QuantParams quant = {});
  // A constant with its bytes copied into a new aligned buffer.
  int AddConstant(std::string name, fb::DType dtype, std::vector<int32_t> shape,
                  const void* data, size_t bytes, QuantParams quant = {});
  template <typename T>
  int AddConstant(std::string name, fb::DType dtype, std::vector<int32_t> shape,
                  const std::vector<T>& values, QuantParams quant = {}) {
    return AddConstant(std::move(name), dtype, std::move(shape), values.data(),
                       values.size() * sizeof(T), std::move(quant));
  }

  // Appends an operator (execution order = call order). `options` is one of
  // the fb::*OptionsT tables, or omitted.
  template <typename Options>
  int AddOp(fb::OpType type, std::vector<int> inputs, std::vector<int> outputs,
            Options options, std::string name = "") {
    static_assert(fb::OpOptionsUnionTraits<Options>::enum_value != fb::OpOptions::NONE,
                  "options must be one of the fb::*OptionsT tables");
    fb::OpOptionsUnion u;
    u.Set(std::move(options));
    return AddOpUnion(type, std::move(inputs), std::move(outputs), std::move(u), std::move(name));
  }
  // Without options (non-templates win over the template for names).
  int AddOp(fb::OpType type, std::vector<int> inputs, std::vector<int> outputs,
            const std::string& name) {
    return AddOpUnion(type, std::move(inputs), std::move(outputs), fb::OpOptionsUnion(), name);
  }
  int AddOp(fb::OpType type, std::vector<int> inputs, std::vector<int> outputs,
            const char* name = "") {
    return AddOp(type, std::move(inputs), std::move(outputs), std::string(name));
  }

  void SetInputs(std::vector<int> inputs);
  void SetOutputs(std::vector<int> outputs);

  // Raw access to the object tree (tests use it to build invalid models).
  fb::ModelT& model() { return model_; }

  std::vector<uint8_t> Finish() const;
  Status Save(const std::string& path) const;

 private:
  int AddOpUnion(fb::OpType type, std::vector<int> inputs, std::vector<int> outputs,
                 fb::OpOptionsUnion options, std::string name);
  fb::ModelT model_;
};

Status WriteFile(const std::string& path, const void* data, size_t size);

}  // namespace qrun

// Runs a .qfb held in memory with the runtime's interpreter (calibration,
// report, evaluation tools).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/interpreter.h"
#include "runtime/model.h"

namespace qrun::conv {

class Runner {
 public:
  Status Load(std::vector<uint8_t> bytes);
  Status LoadFile(const std::string& path);
  // Sets every input from float32 values (quantizing int8 inputs), runs.
  Status Run(const std::vector<std::vector<float>>& inputs);
  // Tensor `t` of the .qfb as float32 (dequantized if int8).
  std::vector<float> Get(int t) const;
  const Model& model() const { return *model_; }

 private:
  std::vector<uint8_t> bytes_;
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Interpreter> interp_;
};

}  // namespace qrun::conv

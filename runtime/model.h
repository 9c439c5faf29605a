// A loaded, verified and validated .qfb model. Immutable after Load: one
// Model may be shared by any number of interpreters on any threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/mapped_file.h"
#include "runtime/status.h"
#include "runtime/tensor.h"
#include "schema/qfb_generated.h"

namespace qrun {

// Highest Model.version this runtime reads.
constexpr uint32_t kFormatVersion = 1;

struct OpInfo {
  fb::OpType type = fb::OpType::CONV_2D;
  std::string name;
  std::vector<int> inputs;   // -1 = optional input absent
  std::vector<int> outputs;
  const fb::Operator* fb = nullptr;  // for the options table
};

class Model {
 public:
  static Status LoadFile(const std::string& path, std::shared_ptr<const Model>* out);
  // Uses the caller's bytes in place: they must outlive the model.
  static Status LoadBuffer(const void* data, size_t size, std::shared_ptr<const Model>* out);

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo& tensor(int i) const { return tensors_[static_cast<size_t>(i)]; }
  const std::vector<OpInfo>& ops() const { return ops_; }
  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }
  size_t size_bytes() const { return size_; }

  // "producer", "description" or a metadata key; null when absent.
  const std::string* metadata(const std::string& key) const;
  // All of them, in file order (producer and description first).
  const std::vector<std::pair<std::string, std::string>>& metadata_entries() const { return metadata_; }

  // "op 3 'conv1' (CONV_2D)", for error messages.
  std::string op_label(int op_index) const;

 private:
  Model() = default;
  Status Parse(const void* data, size_t size);
  Status ParseTensors();
  Status ParseOps();
  Status ParseGraphIo();
  Status CheckOutputsProduced() const;
  Status ValidateOps() const;

  std::unique_ptr<MappedFile> file_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  const fb::Model* fb_ = nullptr;
  std::vector<TensorInfo> tensors_;
  std::vector<OpInfo> ops_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

const char* op_type_name(fb::OpType type);

}  // namespace qrun

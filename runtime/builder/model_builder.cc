#include "runtime/builder/model_builder.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace qrun {

namespace {

std::unique_ptr<fb::QuantizationT> MakeQuantization(const QuantParams& q) {
  if (q.empty()) return nullptr;
  auto out = std::make_unique<fb::QuantizationT>();
  out->scale = q.scale;
  out->zero_point = q.zero_point;
  out->axis = q.axis;
  return out;
}

}  // namespace

ModelBuilder::ModelBuilder(std::string producer) {
  model_.version = 1;
  model_.producer = std::move(producer);
  // buffers[0] is the "no data" buffer.
  model_.buffers.push_back(std::make_unique<fb::BufferT>());
}

void ModelBuilder::SetDescription(std::string description) {
  model_.description = std::move(description);
}

void ModelBuilder::AddMetadata(std::string key, std::string value) {
  auto kv = std::make_unique<fb::KeyValueT>();
  kv->key = std::move(key);
  kv->value = std::move(value);
  model_.metadata.push_back(std::move(kv));
}

int ModelBuilder::AddTensor(std::string name, fb::DType dtype, std::vector<int32_t> shape,
                            QuantParams quant) {
  auto t = std::make_unique<fb::TensorT>();
  t->name = std::move(name);
  t->dtype = dtype;
  t->shape = std::move(shape);
  t->quantization = MakeQuantization(quant);
  model_.tensors.push_back(std::move(t));
  return static_cast<int>(model_.tensors.size()) - 1;
}

int ModelBuilder::AddConstant(std::string name, fb::DType dtype, std::vector<int32_t> shape,
                              const void* data, size_t bytes, QuantParams quant) {
  auto buffer = std::make_unique<fb::BufferT>();
  const auto* p = static_cast<const uint8_t*>(data);
  buffer->data.assign(p, p + bytes);
  model_.buffers.push_back(std::move(buffer));
  int index = AddTensor(std::move(name), dtype, std::move(shape), std::move(quant));
  model_.tensors[index]->buffer = static_cast<uint32_t>(model_.buffers.size() - 1);
  return index;
}

int ModelBuilder::AddOpUnion(fb::OpType type, std::vector<int> inputs, std::vector<int> outputs,
                             fb::OpOptionsUnion options, std::string name) {
  auto op = std::make_unique<fb::OperatorT>();
  op->type = type;
  op->inputs = std::move(inputs);
  op->outputs = std::move(outputs);
  op->options = std::move(options);
  op->name = std::move(name);
  model_.operators.push_back(std::move(op));
  return static_cast<int>(model_.operators.size()) - 1;
}

void ModelBuilder::SetInputs(std::vector<int> inputs) { model_.inputs = std::move(inputs); }
void ModelBuilder::SetOutputs(std::vector<int> outputs) { model_.outputs = std::move(outputs); }

std::vector<uint8_t> ModelBuilder::Finish() const {
  flatbuffers::FlatBufferBuilder fbb(1 << 16);
  fbb.Finish(fb::Model::Pack(fbb, &model_), fb::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

Status ModelBuilder::Save(const std::string& path) const {
  std::vector<uint8_t> bytes = Finish();
  return WriteFile(path, bytes.data(), bytes.size());
}

Status WriteFile(const std::string& path, const void* data, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Error(QRUN_ERROR_IO, "cannot write '", path, "': ", std::strerror(errno));
  size_t written = std::fwrite(data, 1, size, f);
  int close_result = std::fclose(f);
  if (written != size || close_result != 0) return Error(QRUN_ERROR_IO, "short write to '", path, "'");
  return Status::Ok();
}

}  // namespace qrun

#include "runtime/model.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/ops/registry.h"

// Constant data (int32 biases, float32 weights and scales in raw buffers) is
// stored little-endian and read in place: big-endian targets are unsupported.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "qrun supports little-endian targets only: .qfb constant buffers are read in place"
#endif

namespace qrun {

namespace {

constexpr int kMaxRank = QRUN_MAX_RANK;
// Caps a single tensor at 2^31 elements and the file at the FlatBuffers
// limit: plenty for edge models, and no size arithmetic can overflow size_t
// on 32-bit targets below that.
constexpr int64_t kMaxElements = int64_t{1} << 31;

std::string TensorLabel(int index, const std::string& name) {
  return "tensor " + std::to_string(index) + " '" + name + "'";
}

bool DTypeFromFb(fb::DType t, DType* out) {
  switch (t) {
    case fb::DType::FLOAT32: *out = DType::kFloat32; return true;
    case fb::DType::INT8: *out = DType::kInt8; return true;
    case fb::DType::UINT8: *out = DType::kUInt8; return true;
    case fb::DType::INT32: *out = DType::kInt32; return true;
  }
  return false;
}

}  // namespace

const char* op_type_name(fb::OpType type) {
  if (type < fb::OpType::MIN || type > fb::OpType::MAX) return "UNKNOWN";
  return fb::EnumNameOpType(type);
}

Status Model::LoadFile(const std::string& path, std::shared_ptr<const Model>* out) {
  auto file = std::make_unique<MappedFile>();
  QRUN_RETURN_IF_ERROR(file->Open(path));
  std::shared_ptr<Model> model(new Model());
  Status s = model->Parse(file->data(), file->size());
  if (!s.ok()) return Status(s.code(), "'" + path + "': " + s.message());
  model->file_ = std::move(file);
  *out = std::move(model);
  return Status::Ok();
}

Status Model::LoadBuffer(const void* data, size_t size, std::shared_ptr<const Model>* out) {
  if (data == nullptr) return Error(QRUN_ERROR_INVALID_ARGUMENT, "model buffer is null");
  // Constant buffers are 64-byte aligned relative to the file start; the
  // FlatBuffers verifier itself needs at least 8.
  if (reinterpret_cast<uintptr_t>(data) % 16 != 0) {
    return Error(QRUN_ERROR_INVALID_ARGUMENT, "model buffer must be 16-byte aligned (64 preferred)");
  }
  std::shared_ptr<Model> model(new Model());
  QRUN_RETURN_IF_ERROR(model->Parse(data, size));
  *out = std::move(model);
  return Status::Ok();
}

Status Model::Parse(const void* data, size_t size) {
  data_ = static_cast<const uint8_t*>(data);
  size_ = size;
  if (size < 8) return InvalidModel("file too small to be a qrun model (", size, " bytes)");
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) return InvalidModel("file larger than 2 GiB");
  if (!fb::ModelBufferHasIdentifier(data)) {
    std::string id(reinterpret_cast<const char*>(data_) + 4, 4);
    for (char& c : id) {
      if (c < 32 || c > 126) c = '?';
    }
    return InvalidModel("not a qrun model: file identifier is '", id, "', expected '",
                        fb::ModelIdentifier(), "'");
  }
  flatbuffers::Verifier verifier(data_, size_, /*max_depth=*/64, /*max_tables=*/10000000);
  if (!fb::VerifyModelBuffer(verifier)) {
    return InvalidModel("corrupt or truncated model (FlatBuffers verification failed)");
  }
  fb_ = fb::GetModel(data_);
  if (fb_->version() > kFormatVersion) {
    return Error(QRUN_ERROR_UNSUPPORTED, "model format version ", fb_->version(),
                 " is newer than this runtime supports (", kFormatVersion, ")");
  }
  if (fb_->producer()) metadata_.emplace_back("producer", fb_->producer()->str());
  if (fb_->description()) metadata_.emplace_back("description", fb_->description()->str());
  if (fb_->metadata()) {
    for (const fb::KeyValue* kv : *fb_->metadata()) {
      if (kv->key() == nullptr) return InvalidModel("metadata entry without a key");
      metadata_.emplace_back(kv->key()->str(), kv->value() ? kv->value()->str() : "");
    }
  }
  QRUN_RETURN_IF_ERROR(ParseTensors());
  QRUN_RETURN_IF_ERROR(ParseGraphIo());
  QRUN_RETURN_IF_ERROR(ParseOps());
  QRUN_RETURN_IF_ERROR(CheckOutputsProduced());
  return ValidateOps();
}

Status Model::ParseTensors() {
  const auto* fb_tensors = fb_->tensors();
  const auto* fb_buffers = fb_->buffers();
  const uint32_t num_buffers = fb_buffers ? fb_buffers->size() : 0;
  if (num_buffers > 0 && (*fb_buffers)[0]->data() && (*fb_buffers)[0]->data()->size() != 0) {
    return InvalidModel("buffer 0 must be empty (it means 'no data')");
  }
  if (fb_tensors == nullptr || fb_tensors->size() == 0) return InvalidModel("model has no tensors");
  if (fb_tensors->size() > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return InvalidModel("too many tensors");
  }
  tensors_.resize(fb_tensors->size());
  for (uint32_t i = 0; i < fb_tensors->size(); ++i) {
    const fb::Tensor* t = (*fb_tensors)[i];
    TensorInfo& info = tensors_[i];
    info.name = t->name() ? t->name()->str() : "";
    const std::string label = TensorLabel(static_cast<int>(i), info.name);
    if (!DTypeFromFb(t->dtype(), &info.dtype)) {
      return InvalidModel(label, ": unknown dtype ", static_cast<int>(t->dtype()));
    }
    if (t->shape() == nullptr) return InvalidModel(label, ": missing shape");
    if (t->shape()->size() > kMaxRank) {
      return InvalidModel(label, ": rank ", t->shape()->size(), " exceeds the maximum of ", kMaxRank);
    }
    int64_t elements = 1;
    for (int32_t d : *t->shape()) {
      if (d <= 0) return InvalidModel(label, ": dimension ", d, " must be positive");
      elements *= d;
      if (elements > kMaxElements) return InvalidModel(label, ": too many elements (limit 2^31)");
      info.dims.push_back(d);
    }
    info.elements = elements;
    // 2^31 elements of 4 bytes do not fit a 32-bit size_t.
    const int64_t bytes = elements * static_cast<int64_t>(dtype_size(info.dtype));
    if (static_cast<uint64_t>(bytes) > std::numeric_limits<size_t>::max()) {
      return InvalidModel(label, ": ", bytes, " bytes do not fit in this platform's size_t");
    }
    info.bytes = static_cast<size_t>(bytes);

    if (const fb::Quantization* q = t->quantization()) {
      const size_t n = q->scale() ? q->scale()->size() : 0;
      const size_t nz = q->zero_point() ? q->zero_point()->size() : 0;
      if (n == 0) return InvalidModel(label, ": quantization without scales");
      if (nz != 0 && nz != n) {
        return InvalidModel(label, ": ", n, " scales but ", nz, " zero points");
      }
      if (n > 1) {
        if (q->axis() < 0 || q->axis() >= info.rank()) {
          return InvalidModel(label, ": per-channel axis ", q->axis(), " out of range for shape ",
                              info.shape_string());
        }
        if (static_cast<int64_t>(n) != info.dims[static_cast<size_t>(q->axis())]) {
          return InvalidModel(label, ": ", n, " per-channel scales but dimension ", q->axis(),
                              " of ", info.shape_string(), " has ",
                              info.dims[static_cast<size_t>(q->axis())]);
        }
      }
      // The verifier only checks 4-byte alignment of vectors; reading a
      // misaligned [long] in place is UB (found by fuzzing). The writer
      // always aligns it to 8.
      if (nz != 0 && reinterpret_cast<uintptr_t>(q->zero_point()->Data()) % alignof(int64_t) != 0) {
        return InvalidModel(label, ": zero_point vector is not 8-byte aligned");
      }
      int64_t zp_min = std::numeric_limits<int32_t>::min(), zp_max = std::numeric_limits<int32_t>::max();
      if (info.dtype == DType::kInt8) zp_min = -128, zp_max = 127;
      if (info.dtype == DType::kUInt8) zp_min = 0, zp_max = 255;
      info.quant.axis = q->axis();
      for (size_t c = 0; c < n; ++c) {
        float s = q->scale()->Get(static_cast<uint32_t>(c));
        if (!std::isfinite(s) || !(s > 0.0f)) {
          return InvalidModel(label, ": scale ", s, " must be finite and > 0");
        }
        int64_t zp = nz ? q->zero_point()->Get(static_cast<uint32_t>(c)) : 0;
        if (zp < zp_min || zp > zp_max) {
          return InvalidModel(label, ": zero point ", zp, " outside the ", dtype_name(info.dtype),
                              " range [", zp_min, ", ", zp_max, "]");
        }
        info.quant.scale.push_back(s);
        info.quant.zero_point.push_back(static_cast<int32_t>(zp));
      }
    } else if (is_quantized(info.dtype)) {
      return InvalidModel(label, ": ", dtype_name(info.dtype), " tensor without quantization");
    }

    const uint32_t b = t->buffer();
    if (b != 0) {
      if (b >= num_buffers) {
        return InvalidModel(label, ": buffer index ", b, " out of range (", num_buffers, " buffers)");
      }
      const auto* data = (*fb_buffers)[b]->data();
      const size_t have = data ? data->size() : 0;
      if (have != info.bytes) {
        return InvalidModel(label, ": buffer ", b, " holds ", have, " bytes, but ",
                            info.shape_string(), " x ", dtype_name(info.dtype), " needs ", info.bytes);
      }
      info.constant = data->data();
      // Kernels read constants in place as int32/float: they must be aligned
      // (the writer aligns them to 64 bytes; a hand-made file might not).
      if (reinterpret_cast<uintptr_t>(info.constant) % dtype_size(info.dtype) != 0) {
        return InvalidModel(label, ": buffer ", b, " is not aligned to its ",
                            dtype_size(info.dtype), "-byte elements");
      }
    }
  }
  return Status::Ok();
}

Status Model::ParseOps() {
  const auto* fb_ops = fb_->operators();
  const int num_tensors = static_cast<int>(tensors_.size());
  std::vector<int> producer(tensors_.size(), -1);
  std::vector<bool> is_graph_input(tensors_.size(), false);
  for (int t : inputs_) is_graph_input[static_cast<size_t>(t)] = true;
  const uint32_t n = fb_ops ? fb_ops->size() : 0;
  ops_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const fb::Operator* o = (*fb_ops)[i];
    OpInfo& op = ops_[i];
    op.fb = o;
    op.type = o->type();
    op.name = o->name() ? o->name()->str() : "";
    const std::string label = op_label(static_cast<int>(i));
    if (op.type < fb::OpType::MIN || op.type > fb::OpType::MAX) {
      return Error(QRUN_ERROR_UNSUPPORTED, label, ": unknown op type ", static_cast<int>(op.type),
                   " (model written by a newer qrun?)");
    }
    if (o->inputs()) op.inputs.assign(o->inputs()->begin(), o->inputs()->end());
    if (o->outputs()) op.outputs.assign(o->outputs()->begin(), o->outputs()->end());
    if (op.outputs.empty()) return InvalidModel(label, ": no outputs");
    for (int t : op.inputs) {
      if (t == -1) continue;
      if (t < 0 || t >= num_tensors) return InvalidModel(label, ": input tensor index ", t, " out of range");
      const TensorInfo& info = tensors_[static_cast<size_t>(t)];
      if (!info.is_constant() && !is_graph_input[static_cast<size_t>(t)] &&
          producer[static_cast<size_t>(t)] < 0) {
        return InvalidModel(label, ": input ", TensorLabel(t, info.name),
                            " is not produced by an earlier op (graph not in topological order?)");
      }
    }
    for (int t : op.outputs) {
      if (t < 0 || t >= num_tensors) return InvalidModel(label, ": output tensor index ", t, " out of range");
      const TensorInfo& info = tensors_[static_cast<size_t>(t)];
      if (info.is_constant()) return InvalidModel(label, ": output ", TensorLabel(t, info.name), " is a constant");
      if (is_graph_input[static_cast<size_t>(t)]) {
        return InvalidModel(label, ": output ", TensorLabel(t, info.name), " is a graph input");
      }
      if (producer[static_cast<size_t>(t)] >= 0) {
        return InvalidModel(label, ": output ", TensorLabel(t, info.name), " is already written by ",
                            op_label(producer[static_cast<size_t>(t)]));
      }
      producer[static_cast<size_t>(t)] = static_cast<int>(i);
    }
  }
  return Status::Ok();
}

Status Model::ParseGraphIo() {
  const int num_tensors = static_cast<int>(tensors_.size());
  auto parse_list = [&](const flatbuffers::Vector<int32_t>* list, const char* what,
                        std::vector<int>* out) -> Status {
    if (list == nullptr || list->size() == 0) return InvalidModel("model has no graph ", what, "s");
    for (int32_t t : *list) {
      if (t < 0 || t >= num_tensors) return InvalidModel("graph ", what, " index ", t, " out of range");
      for (int seen : *out) {
        if (seen == t) return InvalidModel("graph ", what, " ", TensorLabel(t, tensors_[t].name), " listed twice");
      }
      out->push_back(t);
    }
    return Status::Ok();
  };
  QRUN_RETURN_IF_ERROR(parse_list(fb_->inputs(), "input", &inputs_));
  QRUN_RETURN_IF_ERROR(parse_list(fb_->outputs(), "output", &outputs_));
  for (int t : inputs_) {
    if (tensors_[t].is_constant()) return InvalidModel("graph input ", TensorLabel(t, tensors_[t].name), " is a constant");
  }
  return Status::Ok();
}

Status Model::CheckOutputsProduced() const {
  std::vector<bool> produced(tensors_.size(), false);
  for (const OpInfo& op : ops_) {
    for (int t : op.outputs) produced[static_cast<size_t>(t)] = true;
  }
  for (int t : inputs_) produced[static_cast<size_t>(t)] = true;
  for (int t : outputs_) {
    if (!produced[static_cast<size_t>(t)]) {
      return InvalidModel("graph output ", TensorLabel(t, tensors_[t].name),
                          " is neither a graph input nor written by any op");
    }
  }
  return Status::Ok();
}

Status Model::ValidateOps() const {
  for (size_t i = 0; i < ops_.size(); ++i) {
    QRUN_RETURN_IF_ERROR(ValidateOp(*this, static_cast<int>(i)));
  }
  return Status::Ok();
}

const std::string* Model::metadata(const std::string& key) const {
  for (const auto& kv : metadata_) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

std::string Model::op_label(int op_index) const {
  const OpInfo& op = ops_[static_cast<size_t>(op_index)];
  return "op " + std::to_string(op_index) + " '" + op.name + "' (" + op_type_name(op.type) + ")";
}

}  // namespace qrun

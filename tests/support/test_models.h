// Small models built with the ModelBuilder, shared by runtime tests.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/builder/model_builder.h"

namespace qrun {

// A 64-byte aligned copy of a byte vector (what mmap would give).
class AlignedBytes {
 public:
  explicit AlignedBytes(const std::vector<uint8_t>& bytes) : size_(bytes.size()) {
    data_ = static_cast<uint8_t*>(std::aligned_alloc(64, (size_ + 64) / 64 * 64));
    if (size_ != 0) std::memcpy(data_, bytes.data(), size_);
  }
  ~AlignedBytes() { std::free(data_); }
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_;
  size_t size_;
};

namespace testmodels {

// int8 input [1,6,6,4] -> CONV_2D 3x3 pad 1 (8 filters, per-channel) named
// "conv" -> CONV_2D 1x1 (4 filters) named "project" -> output [1,6,6,4].
// Tensors: input, conv_w, conv_b, conv_out, proj_w, proj_b, output.
inline ModelBuilder SmallConvNet() {
  ModelBuilder b("qrun tests");
  auto act = QuantParams::PerTensor(0.05f, -3);
  int input = b.AddTensor("input", fb::DType::INT8, {1, 6, 6, 4}, act);
  std::vector<int8_t> w1(8 * 3 * 3 * 4), w2(4 * 8);
  for (size_t i = 0; i < w1.size(); ++i) w1[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  for (size_t i = 0; i < w2.size(); ++i) w2[i] = static_cast<int8_t>(static_cast<int>(i * 53 % 255) - 127);
  std::vector<float> s1(8), s2(4);
  for (size_t i = 0; i < s1.size(); ++i) s1[i] = 0.002f * static_cast<float>(i + 1);
  for (size_t i = 0; i < s2.size(); ++i) s2[i] = 0.003f * static_cast<float>(i + 1);
  int conv_w = b.AddConstant("conv_w", fb::DType::INT8, {8, 3, 3, 4}, w1, QuantParams::PerChannel(s1, 0));
  int conv_b = b.AddConstant("conv_b", fb::DType::INT32, {8}, std::vector<int32_t>{1, -2, 3, -4, 5, -6, 7, -8});
  int conv_out = b.AddTensor("conv_out", fb::DType::INT8, {1, 6, 6, 8}, QuantParams::PerTensor(0.1f, 5));
  int proj_w = b.AddConstant("proj_w", fb::DType::INT8, {4, 1, 1, 8}, w2, QuantParams::PerChannel(s2, 0));
  int proj_b = b.AddConstant("proj_b", fb::DType::INT32, {4}, std::vector<int32_t>{10, 20, 30, 40});
  int output = b.AddTensor("output", fb::DType::INT8, {1, 6, 6, 4}, QuantParams::PerTensor(0.08f, -7));
  fb::Conv2DOptionsT conv;
  conv.pad_top = conv.pad_left = conv.pad_bottom = conv.pad_right = 1;
  b.AddOp(fb::OpType::CONV_2D, {input, conv_w, conv_b}, {conv_out}, std::move(conv), "conv");
  b.AddOp(fb::OpType::CONV_2D, {conv_out, proj_w, proj_b}, {output}, fb::Conv2DOptionsT(), "project");
  b.SetInputs({input});
  b.SetOutputs({output});
  return b;
}

}  // namespace testmodels
}  // namespace qrun

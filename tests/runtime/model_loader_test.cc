// Loader and validator: round trip through the builder, and every class of
// malformed file gives a clean error naming the problem.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "runtime/builder/model_builder.h"
#include "runtime/model.h"
#include "test_models.h"

namespace qrun {
namespace {

// Loads bytes from a 64-byte aligned copy, as an mmap would provide.
Status LoadBytes(const std::vector<uint8_t>& bytes, std::shared_ptr<const Model>* model) {
  AlignedBytes copy(bytes);
  Status s = Model::LoadBuffer(copy.data(), copy.size(), model);
  if (s.ok()) {
    // Touch everything the validator accepted while the bytes are alive.
    for (const TensorInfo& t : (*model)->tensors()) {
      volatile uint8_t sink = 0;
      if (t.constant) sink = t.constant[t.bytes - 1];
      (void)sink;
    }
    model->reset();
  }
  return s;
}

std::string LoadError(const std::vector<uint8_t>& bytes) {
  std::shared_ptr<const Model> model;
  Status s = LoadBytes(bytes, &model);
  return s.ok() ? "" : s.message();
}

TEST(ModelLoader, RoundTripKeepsEverything) {
  ModelBuilder b = testmodels::SmallConvNet();
  b.SetDescription("round trip");
  b.AddMetadata("labels", "a,b");
  std::vector<uint8_t> bytes = b.Finish();
  AlignedBytes copy(bytes);
  std::shared_ptr<const Model> model;
  Status s = Model::LoadBuffer(copy.data(), copy.size(), &model);
  ASSERT_TRUE(s.ok()) << s.message();
  const fb::ModelT& src = b.model();
  ASSERT_EQ(model->tensors().size(), src.tensors.size());
  for (size_t i = 0; i < src.tensors.size(); ++i) {
    const TensorInfo& t = model->tensor(static_cast<int>(i));
    EXPECT_EQ(t.name, src.tensors[i]->name);
    EXPECT_EQ(static_cast<int>(t.dtype), static_cast<int>(src.tensors[i]->dtype));
    ASSERT_EQ(t.dims.size(), src.tensors[i]->shape.size());
    for (size_t d = 0; d < t.dims.size(); ++d) EXPECT_EQ(t.dims[d], src.tensors[i]->shape[d]);
    if (src.tensors[i]->quantization) {
      EXPECT_EQ(t.quant.scale, src.tensors[i]->quantization->scale);
      ASSERT_EQ(t.quant.zero_point.size(), src.tensors[i]->quantization->zero_point.size());
    }
    const uint32_t buf = src.tensors[i]->buffer;
    if (buf != 0) {
      ASSERT_NE(t.constant, nullptr);
      EXPECT_EQ(0, std::memcmp(t.constant, src.buffers[buf]->data.data(), t.bytes));
      // Constant data is 64-byte aligned relative to the file start.
      EXPECT_EQ((t.constant - copy.data()) % 64, 0) << t.name;
    }
  }
  ASSERT_EQ(model->ops().size(), src.operators.size());
  for (size_t i = 0; i < src.operators.size(); ++i) {
    EXPECT_EQ(model->ops()[i].type, src.operators[i]->type);
    EXPECT_EQ(model->ops()[i].name, src.operators[i]->name);
    EXPECT_EQ(model->ops()[i].inputs, src.operators[i]->inputs);
  }
  EXPECT_EQ(model->inputs(), src.inputs);
  EXPECT_EQ(model->outputs(), src.outputs);
  ASSERT_NE(model->metadata("labels"), nullptr);
  EXPECT_EQ(*model->metadata("labels"), "a,b");
  EXPECT_EQ(*model->metadata("description"), "round trip");
  EXPECT_EQ(model->metadata("missing"), nullptr);
}

TEST(ModelLoader, MissingFileIsIoError) {
  std::shared_ptr<const Model> model;
  Status s = Model::LoadFile("/nonexistent/model.qfb", &model);
  EXPECT_EQ(s.code(), QRUN_ERROR_IO);
  EXPECT_NE(s.message().find("/nonexistent/model.qfb"), std::string::npos) << s.message();
}

TEST(ModelLoader, RejectsForeignAndTinyFiles) {
  EXPECT_NE(LoadError({1, 2, 3}).find("too small"), std::string::npos);
  std::vector<uint8_t> bytes = testmodels::SmallConvNet().Finish();
  bytes[4] = 'X';
  EXPECT_NE(LoadError(bytes).find("not a qrun model"), std::string::npos) << LoadError(bytes);
}

// One mutation of the object tree, and the words its error must contain.
struct BadCase {
  const char* what;
  void (*mutate)(fb::ModelT&);
  const char* expect;
};

fb::TensorT& TensorNamed(fb::ModelT& m, const std::string& name) {
  for (auto& t : m.tensors) {
    if (t->name == name) return *t;
  }
  throw std::runtime_error("no tensor " + name);
}

const BadCase kBadCases[] = {
    {"zero scale", [](fb::ModelT& m) { TensorNamed(m, "input").quantization->scale[0] = 0.0f; }, "scale"},
    {"nan scale", [](fb::ModelT& m) { TensorNamed(m, "input").quantization->scale[0] = NAN; }, "scale"},
    {"inf scale", [](fb::ModelT& m) { TensorNamed(m, "conv_out").quantization->scale[0] = INFINITY; }, "scale"},
    {"zero point out of int8 range", [](fb::ModelT& m) { TensorNamed(m, "input").quantization->zero_point[0] = 200; }, "zero point"},
    {"per-channel count mismatch", [](fb::ModelT& m) { TensorNamed(m, "conv_w").quantization->scale.push_back(0.1f); TensorNamed(m, "conv_w").quantization->zero_point.push_back(0); }, "per-channel"},
    {"per-channel axis out of range", [](fb::ModelT& m) { TensorNamed(m, "conv_w").quantization->axis = 9; }, "axis"},
    {"int8 without quantization", [](fb::ModelT& m) { TensorNamed(m, "input").quantization.reset(); }, "without quantization"},
    {"buffer too short", [](fb::ModelT& m) { m.buffers[TensorNamed(m, "conv_w").buffer]->data.pop_back(); }, "needs"},
    {"buffer index out of range", [](fb::ModelT& m) { TensorNamed(m, "conv_w").buffer = 999; }, "buffer index"},
    {"negative dimension", [](fb::ModelT& m) { TensorNamed(m, "input").shape[1] = -3; }, "dimension"},
    {"zero dimension", [](fb::ModelT& m) { TensorNamed(m, "input").shape[1] = 0; }, "dimension"},
    {"element count overflow", [](fb::ModelT& m) { TensorNamed(m, "conv_out").shape = {65536, 65536, 65536, 4}; }, "too many elements"},
    {"rank too large", [](fb::ModelT& m) { TensorNamed(m, "input").shape = {1, 1, 1, 1, 1, 1, 1, 1, 1}; }, "rank"},
    {"op input index out of range", [](fb::ModelT& m) { m.operators[0]->inputs[0] = 12345; }, "out of range"},
    {"negative op output", [](fb::ModelT& m) { m.operators[0]->outputs[0] = -1; }, "out of range"},
    {"op with no outputs", [](fb::ModelT& m) { m.operators[0]->outputs.clear(); }, "no outputs"},
    {"not topologically ordered", [](fb::ModelT& m) { std::swap(m.operators[0], m.operators[1]); }, "topological"},
    {"tensor written twice", [](fb::ModelT& m) { m.operators[1]->outputs = m.operators[0]->outputs; }, "already written"},
    {"op writes a graph input", [](fb::ModelT& m) { m.operators[0]->outputs[0] = m.inputs[0]; }, "graph input"},
    {"op writes a constant", [](fb::ModelT& m) { m.operators[0]->outputs[0] = m.operators[0]->inputs[1]; }, "constant"},
    {"graph output never written", [](fb::ModelT& m) { m.outputs[0] = m.operators[0]->inputs[1]; }, "neither"},
    {"no graph inputs", [](fb::ModelT& m) { m.inputs.clear(); }, "no graph inputs"},
    {"graph input listed twice", [](fb::ModelT& m) { m.inputs.push_back(m.inputs[0]); }, "twice"},
    {"newer format version", [](fb::ModelT& m) { m.version = 99; }, "newer"},
    {"unknown op type", [](fb::ModelT& m) { m.operators[0]->type = static_cast<fb::OpType>(200); }, "unknown op type"},
    {"wrong conv output shape", [](fb::ModelT& m) { TensorNamed(m, "conv_out").shape[1] += 1; }, "expected"},
    {"wrong options type", [](fb::ModelT& m) { m.operators[0]->options.Set(fb::SoftmaxOptionsT()); }, "options"},
    {"zero stride", [](fb::ModelT& m) { m.operators[0]->options.AsConv2DOptions()->stride_h = 0; }, "stride"},
    {"negative padding", [](fb::ModelT& m) { m.operators[0]->options.AsConv2DOptions()->pad_top = -1; }, "padding"},
    {"groups not dividing channels", [](fb::ModelT& m) { m.operators[0]->options.AsConv2DOptions()->groups = 5; }, "groups"},
    {"weights not constant", [](fb::ModelT& m) { TensorNamed(m, "conv_w").buffer = 0; }, "not produced"},
    {"buffer 0 not empty", [](fb::ModelT& m) { m.buffers[0]->data = {1}; }, "buffer 0"},
    // Found by fuzzing / hardening (scripts/fuzz.sh):
    {"conv bias overflowing the int32 accumulator", [](fb::ModelT& m) {
       int32_t big = 2147480000;
       std::memcpy(m.buffers[TensorNamed(m, "conv_b").buffer]->data.data(), &big, 4);
     }, "int32 accumulator"},
};

TEST(ModelLoader, EachInvalidModelGivesItsError) {
  for (const BadCase& c : kBadCases) {
    SCOPED_TRACE(c.what);
    ModelBuilder b = testmodels::SmallConvNet();
    c.mutate(b.model());
    std::string error = LoadError(b.Finish());
    ASSERT_FALSE(error.empty()) << "accepted: " << c.what;
    EXPECT_NE(error.find(c.expect), std::string::npos) << "error was: " << error;
  }
}

// int8 layers accumulate in int32: a layer whose worst case could overflow
// (many large taps, or a huge bias) is rejected at load with a clear
// message, for convolutions and fully-connected layers alike.
ModelBuilder WideConv(int taps, int32_t bias, bool fully_connected) {
  ModelBuilder b;
  int x = b.AddTensor("x", fb::DType::INT8, {1, 1, 1, taps}, QuantParams::PerTensor(0.1f, -128));
  std::vector<int8_t> w(static_cast<size_t>(taps), 127);
  int y = b.AddTensor("y", fb::DType::INT8, fully_connected ? std::vector<int32_t>{1, 1}
                                                            : std::vector<int32_t>{1, 1, 1, 1},
                      QuantParams::PerTensor(1000.0f, 0));
  int bt = b.AddConstant("b", fb::DType::INT32, {1}, std::vector<int32_t>{bias});
  if (fully_connected) {
    int wt = b.AddConstant("w", fb::DType::INT8, {1, taps}, w, QuantParams::PerTensor(0.01f, 0));
    b.AddOp(fb::OpType::FULLY_CONNECTED, {x, wt, bt}, {y}, fb::FullyConnectedOptionsT(), "fc");
  } else {
    int wt = b.AddConstant("w", fb::DType::INT8, {1, 1, 1, taps}, w, QuantParams::PerTensor(0.01f, 0));
    b.AddOp(fb::OpType::CONV_2D, {x, wt, bt}, {y}, fb::Conv2DOptionsT(), "conv");
  }
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

TEST(ModelLoader, RejectsLayersThatCanOverflowTheInt32Accumulator) {
  // 127 * 255 per tap: 66313 taps reach 2^31.
  EXPECT_EQ(LoadError(WideConv(60000, 0, false).Finish()), "");
  const std::string conv = LoadError(WideConv(70000, 0, false).Finish());
  EXPECT_NE(conv.find("CONV_2D"), std::string::npos) << conv;
  EXPECT_NE(conv.find("int32 accumulator"), std::string::npos) << conv;
  const std::string bias = LoadError(WideConv(60000, 300000000, false).Finish());
  EXPECT_NE(bias.find("int32 accumulator"), std::string::npos) << bias;
  EXPECT_NE(LoadError(WideConv(70000, 0, true).Finish()).find("int32 accumulator"), std::string::npos);
}

TEST(ModelLoader, EveryTruncationIsRejected) {
  const std::vector<uint8_t> bytes = testmodels::SmallConvNet().Finish();
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(len));
    if (LoadError(cut).empty()) {
      // Only trailing alignment padding may go without losing anything.
      for (size_t i = len; i < bytes.size(); ++i) {
        ASSERT_EQ(bytes[i], 0) << "prefix of " << len << " bytes accepted";
      }
    }
  }
}

TEST(ModelLoader, RandomCorruptionNeverCrashes) {
  const std::vector<uint8_t> bytes = testmodels::SmallConvNet().Finish();
  std::mt19937 rng(1234);
  int rejected = 0, accepted = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::vector<uint8_t> bad = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      size_t pos = rng() % bad.size();
      switch (rng() % 3) {
        case 0: bad[pos] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: bad[pos] = static_cast<uint8_t>(rng()); break;
        default: bad[pos] = (rng() % 2) ? 0xFF : 0x00; break;
      }
    }
    std::shared_ptr<const Model> model;
    Status s = LoadBytes(bad, &model);
    if (s.ok()) {
      ++accepted;
    } else {
      ++rejected;
      EXPECT_FALSE(s.message().empty());
    }
  }
  // Flips inside weight bytes give valid models; most others must be caught.
  EXPECT_GT(rejected, 500);
  RecordProperty("accepted", accepted);
  RecordProperty("rejected", rejected);
}

}  // namespace
}  // namespace qrun

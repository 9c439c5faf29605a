// Op-level tests: tiny one-op models built with ModelBuilder must load (and
// run through the interpreter bit-exactly like a direct call of the reference
// kernel), and broken variants must be rejected with a message naming the op
// and the problem. A randomized pass mutates valid models and checks that
// whatever the validator accepts runs without touching memory out of bounds
// (meaningful under -DQRUN_SANITIZE=address,undefined).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/reference/binary.h"
#include "kernels/reference/concat.h"
#include "kernels/reference/conv2d.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/reference/pad.h"
#include "kernels/reference/pooling.h"
#include "kernels/reference/quantize.h"
#include "kernels/reference/softmax.h"
#include "kernels/reference/unary.h"
#include "kernels/requantize.h"
#include "runtime/builder/model_builder.h"
#include "runtime/interpreter.h"
#include "runtime/model.h"
#include "test_models.h"

namespace qrun {
namespace {

using qrun::testing::Rng;
using T = fb::DType;
namespace ref = kernels::ref;

QuantParams Q(float scale, int64_t zero_point) { return QuantParams::PerTensor(scale, zero_point); }

std::unique_ptr<fb::FusedActivationT> Act(fb::Activation kind, float lo = 0, float hi = 0) {
  auto a = std::make_unique<fb::FusedActivationT>();
  a->kind = kind;
  a->clamp_min = lo;
  a->clamp_max = hi;
  return a;
}

// The model keeps pointers into the bytes: they travel together. The copy is
// 64-byte aligned like a mapped file (a vector's heap block is only 8-byte
// aligned on 32-bit glibc; LoadBuffer needs 16).
struct Loaded {
  std::unique_ptr<AlignedBytes> bytes;
  std::shared_ptr<const Model> model;
  Status status;
};

Loaded Load(const ModelBuilder& b) {
  Loaded r;
  r.bytes = std::make_unique<AlignedBytes>(b.Finish());
  r.status = Model::LoadBuffer(r.bytes->data(), r.bytes->size(), &r.model);
  return r;
}

::testing::AssertionResult Loads(const ModelBuilder& b) {
  Loaded r = Load(b);
  if (r.status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "rejected: " << r.status.message();
}

// Rejected with `code` and a message containing every part.
::testing::AssertionResult Rejected(const ModelBuilder& b, std::initializer_list<const char*> parts,
                                    qrun_status code = QRUN_ERROR_INVALID_MODEL) {
  Loaded r = Load(b);
  if (r.status.ok()) return ::testing::AssertionFailure() << "model was accepted";
  if (r.status.code() != code) {
    return ::testing::AssertionFailure()
           << "code " << r.status.code() << " (want " << code << "): " << r.status.message();
  }
  for (const char* p : parts) {
    if (r.status.message().find(p) == std::string::npos) {
      return ::testing::AssertionFailure() << "'" << p << "' not in: " << r.status.message();
    }
  }
  return ::testing::AssertionSuccess() << r.status.message();
}
constexpr qrun_status kUnsupported = QRUN_ERROR_UNSUPPORTED;

template <typename V>
std::vector<uint8_t> Bytes(const std::vector<V>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(V));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// Output 0's bytes, the kernel name and MACs of op 0.
struct RunResult {
  std::vector<uint8_t> output;
  std::string kernel;
  uint64_t macs = 0;
};

RunResult RunOnce(const Loaded& r, int backend, const std::vector<std::vector<uint8_t>>& inputs) {
  RunResult result;
  InterpreterOptions options;
  options.backend = backend;
  std::unique_ptr<Interpreter> it;
  Status s = Interpreter::Create(r.model, options, &it);
  if (!s.ok()) {
    ADD_FAILURE() << "create: " << s.message();
    return result;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo& t = r.model->tensor(r.model->inputs()[i]);
    if (t.bytes != inputs[i].size()) {
      ADD_FAILURE() << "input " << i << " has " << inputs[i].size() << " bytes, needs " << t.bytes;
      return result;
    }
    std::memcpy(it->input_data(static_cast<int>(i)), inputs[i].data(), t.bytes);
  }
  s = it->Invoke();
  if (!s.ok()) {
    ADD_FAILURE() << "invoke: " << s.message();
    return result;
  }
  const TensorInfo& out = r.model->tensor(r.model->outputs()[0]);
  const auto* p = static_cast<const uint8_t*>(it->output_data(0));
  result.output.assign(p, p + out.bytes);
  result.kernel = it->kernel_name(0);
  result.macs = it->profile()[0].macs;
  return result;
}

// Runs the model on `inputs` (graph input order) with the reference backend,
// whose result is returned, and with the native one, which must agree bit for
// bit (optimized kernels share the reference rounding contract).
RunResult RunModel(const ModelBuilder& b, const std::vector<std::vector<uint8_t>>& inputs) {
  Loaded r = Load(b);
  if (!r.status.ok()) {
    ADD_FAILURE() << "load: " << r.status.message();
    return RunResult();
  }
  RunResult ref = RunOnce(r, QRUN_BACKEND_REFERENCE, inputs);
  RunResult native = RunOnce(r, QRUN_BACKEND_NATIVE, inputs);
  EXPECT_TRUE(native.output == ref.output)
      << "native kernel " << native.kernel << " differs from " << ref.kernel;
  EXPECT_EQ(native.macs, ref.macs);
  return ref;
}

// Bit-exact comparison (floats included: same kernel, same data).
template <typename V>
::testing::AssertionResult SameBytes(const std::vector<uint8_t>& got, const std::vector<V>& want) {
  if (got.size() != want.size() * sizeof(V)) {
    return ::testing::AssertionFailure()
           << got.size() << " bytes, want " << want.size() * sizeof(V);
  }
  if (!want.empty() && std::memcmp(got.data(), want.data(), got.size()) != 0) {
    return ::testing::AssertionFailure() << "output differs from the reference kernel";
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------- CONV_2D

// Input [1,5,5,4], weights [out_c][3][3][4 / groups], output [1,5,5,out_c].
ModelBuilder MakeConv(int groups, int out_c, std::vector<int32_t> out_shape = {}) {
  ModelBuilder b;
  const int in_per_group = 4 / groups;
  Rng rng(20);
  std::vector<int8_t> w = rng.int8s(static_cast<size_t>(out_c * 9 * in_per_group));
  std::vector<int32_t> bias = rng.int32s(static_cast<size_t>(out_c), -500, 500);
  int x = b.AddTensor("x", T::INT8, {1, 5, 5, 4}, Q(0.04f, -6));
  int wt = b.AddConstant("w", T::INT8, {out_c, 3, 3, in_per_group}, w,
                         QuantParams::PerChannel(std::vector<float>(out_c, 0.01f), 0));
  int bt = b.AddConstant("bias", T::INT32, {out_c}, bias);
  if (out_shape.empty()) out_shape = {1, 5, 5, out_c};
  int y = b.AddTensor("y", T::INT8, out_shape, Q(0.1f, 4));
  fb::Conv2DOptionsT o;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  o.groups = groups;
  b.AddOp(fb::OpType::CONV_2D, {x, wt, bt}, {y}, o, "conv");
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

TEST(Conv2DOp, DepthwiseRunsLikeReference) {
  ModelBuilder b = MakeConv(4, 4);
  Rng rng(21);
  std::vector<int8_t> x = rng.int8s(100);
  RunResult r = RunModel(b, {Bytes(x)});
  Loaded l = Load(b);
  ASSERT_TRUE(l.status.ok()) << l.status.message();
  const TensorInfo& w = l.model->tensor(1);
  kernels::Conv2DGeometry g;
  g.in_h = g.in_w = g.out_h = g.out_w = 5;
  g.in_c = g.out_c = g.groups = 4;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = 1;
  std::vector<float> requant(4, 0.04f * 0.01f / 0.1f);
  std::vector<int8_t> want(100);
  ref::conv2d_s8(g, x.data(), -6, reinterpret_cast<const int8_t*>(w.constant),
                 reinterpret_cast<const int32_t*>(l.model->tensor(2).constant), requant.data(),
                 kernels::QuantizedOutput{4, -128, 127}, want.data());
  EXPECT_TRUE(SameBytes(r.output, want));
  EXPECT_EQ(r.kernel, "conv2d_s8_ref");
  EXPECT_EQ(r.macs, 100u * 9u);
}

TEST(Conv2DOp, Rejects) {
  EXPECT_TRUE(Loads(MakeConv(2, 6)));
  EXPECT_TRUE(Rejected(MakeConv(3, 6), {"op 0 'conv' (CONV_2D)", "groups 3 must divide"}));
  EXPECT_TRUE(Rejected(MakeConv(4, 6), {"CONV_2D", "groups 4 must divide", "output channels 6"}));
  EXPECT_TRUE(Rejected(MakeConv(1, 4, {1, 3, 3, 4}), {"CONV_2D", "expected [1x5x5x4]"}));
  {
    ModelBuilder b = MakeConv(1, 4);
    b.model().operators[0]->options.AsConv2DOptions()->groups = 0;
    EXPECT_TRUE(Rejected(b, {"CONV_2D", "groups 0"}));
  }
  {
    ModelBuilder b = MakeConv(2, 4);  // weights [4,3,3,2] read as groups 1: 2 != 4 channels
    b.model().operators[0]->options.AsConv2DOptions()->groups = 1;
    EXPECT_TRUE(Rejected(b, {"CONV_2D", "do not match input channels 4"}));
  }
}

// ---------------------------------------------------------------- FULLY_CONNECTED

struct FcModel {
  ModelBuilder b;
  std::vector<int8_t> w = {1, -2, 3, 4, 5, -6, -7, 8, 9, 10, -11, 12};  // [4][3]
  std::vector<float> w_scales = {0.01f, 0.02f, 0.015f, 0.03f};
  std::vector<int32_t> bias = {100, -200, 300, -400};
};

FcModel MakeFcS8(std::vector<int32_t> in_shape = {2, 3}, std::vector<int32_t> out_shape = {2, 4}) {
  FcModel m;
  int x = m.b.AddTensor("x", T::INT8, in_shape, Q(0.05f, 3));
  int w = m.b.AddConstant("w", T::INT8, {4, 3}, m.w, QuantParams::PerChannel(m.w_scales, 0));
  int bias = m.b.AddConstant("bias", T::INT32, {4}, m.bias);
  int y = m.b.AddTensor("y", T::INT8, out_shape, Q(0.1f, -5));
  fb::FullyConnectedOptionsT o;
  o.activation = Act(fb::Activation::RELU);
  m.b.AddOp(fb::OpType::FULLY_CONNECTED, {x, w, bias}, {y}, o, "fc");
  m.b.SetInputs({x});
  m.b.SetOutputs({y});
  return m;
}

TEST(FullyConnectedOp, Int8RunsLikeReference) {
  FcModel m = MakeFcS8();
  Rng rng(1);
  std::vector<int8_t> x = rng.int8s(6);
  RunResult r = RunModel(m.b, {Bytes(x)});
  ref::FullyConnectedGeometry g;
  g.batch = 2, g.in_features = 3, g.out_features = 4;
  std::vector<float> requant;
  for (float sw : m.w_scales) requant.push_back(0.05f * sw / 0.1f);
  kernels::QuantizedOutput q{-5, -5, 127};  // ReLU: clamp at the zero point
  std::vector<int8_t> want(8);
  ref::fully_connected_s8(g, x.data(), 3, m.w.data(), m.bias.data(), requant.data(), q,
                          want.data());
  EXPECT_TRUE(SameBytes(r.output, want));
  EXPECT_EQ(r.kernel, "fully_connected_s8_ref");
  EXPECT_EQ(r.macs, 2u * 3u * 4u);
}

TEST(FullyConnectedOp, FloatFlattensLeadingDims) {
  for (bool keep_dims : {false, true}) {
    ModelBuilder b;
    std::vector<float> w = {0.5f, -1, 2, 1, 1, 1, -3, 0.25f, 4, 0, 0, 1};
    int x = b.AddTensor("x", T::FLOAT32, {2, 5, 3});
    int wt = b.AddConstant("w", T::FLOAT32, {4, 3}, w);
    int y = b.AddTensor("y", T::FLOAT32,
                        keep_dims ? std::vector<int32_t>{2, 5, 4} : std::vector<int32_t>{10, 4});
    fb::FullyConnectedOptionsT o;
    o.activation = Act(fb::Activation::CLAMP, -2.0f, 3.0f);
    b.AddOp(fb::OpType::FULLY_CONNECTED, {x, wt, -1}, {y}, o, "fc");
    b.SetInputs({x});
    b.SetOutputs({y});
    Rng rng(2);
    std::vector<float> in = rng.floats(30, -2, 2);
    RunResult r = RunModel(b, {Bytes(in)});
    ref::FullyConnectedGeometry g;
    g.batch = 10, g.in_features = 3, g.out_features = 4;
    std::vector<float> want(40);
    ref::fully_connected_f32(g, in.data(), w.data(), nullptr, -2.0f, 3.0f, want.data());
    EXPECT_TRUE(SameBytes(r.output, want)) << "keep_dims " << keep_dims;
    EXPECT_EQ(r.kernel, "fully_connected_f32_ref");
  }
}

TEST(FullyConnectedOp, RankOneAndOddBatches) {
  EXPECT_TRUE(Loads(MakeFcS8({3}, {1, 4}).b));
  EXPECT_TRUE(Loads(MakeFcS8({2, 6}, {4, 4}).b));  // 12 elements = 4 rows of 3
  EXPECT_TRUE(Rejected(MakeFcS8({2, 6}, {2, 4}).b, {"FULLY_CONNECTED", "output 'y'", "[4x4]"}));
  // Keep-dims is only for rank > 2 with in_features last.
  EXPECT_TRUE(Rejected(MakeFcS8({2, 2, 6}, {2, 2, 4}).b, {"FULLY_CONNECTED", "expected [8x4]"}));
}

TEST(FullyConnectedOp, Rejects) {
  EXPECT_TRUE(Rejected(MakeFcS8({2, 3}, {2, 5}).b,
                       {"op 0 'fc' (FULLY_CONNECTED)", "output", "expected [2x4]"}));
  EXPECT_TRUE(
      Rejected(MakeFcS8({2, 4}, {2, 4}).b, {"FULLY_CONNECTED", "not a multiple of in_features 3"}));
  {
    FcModel m = MakeFcS8();
    m.b.model().operators[0]->options.Set(fb::Pool2DOptionsT());
    EXPECT_TRUE(Rejected(m.b, {"FULLY_CONNECTED", "wrong type (Pool2DOptions)"}));
  }
  {
    FcModel m = MakeFcS8();
    m.b.model().tensors[1]->quantization->zero_point[2] = 1;
    EXPECT_TRUE(Rejected(m.b, {"FULLY_CONNECTED", "zero point 1"}, kUnsupported));
  }
  {
    FcModel m = MakeFcS8();
    m.b.model().tensors[3]->dtype = T::FLOAT32;
    m.b.model().tensors[3]->quantization.reset();
    EXPECT_TRUE(
        Rejected(m.b, {"FULLY_CONNECTED", "output 'y' must be per-tensor int8"}, kUnsupported));
  }
  {
    FcModel m = MakeFcS8();  // weights as an activation
    m.b.model().tensors[1]->buffer = 0;
    m.b.model().inputs.push_back(1);
    EXPECT_TRUE(Rejected(m.b, {"FULLY_CONNECTED", "weights 'w' must be a constant"}, kUnsupported));
  }
  {
    FcModel m = MakeFcS8();
    m.b.model().operators[0]->options.AsFullyConnectedOptions()->activation =
        Act(fb::Activation::CLAMP, 1.0f, -1.0f);
    EXPECT_TRUE(Rejected(m.b, {"FULLY_CONNECTED", "fused clamp"}));
  }
  {
    FcModel m = MakeFcS8();
    m.b.model().operators[0]->inputs = {0};
    EXPECT_TRUE(Rejected(m.b, {"FULLY_CONNECTED", "expects 2 to 3 inputs"}));
  }
}

TEST(FullyConnectedOp, RejectsPossibleAccumulatorOverflow) {
  // 70000 * 128 * |-128 - 127| > 2^31: some input overflows int32.
  const int in = 70000;
  for (int8_t wv : {int8_t{-128}, int8_t{1}}) {
    ModelBuilder b;
    int x = b.AddTensor("x", T::INT8, {1, in}, Q(0.1f, 127));
    int w = b.AddConstant("w", T::INT8, {1, in}, std::vector<int8_t>(in, wv), Q(0.1f, 0));
    int y = b.AddTensor("y", T::INT8, {1, 1}, Q(0.1f, 0));
    b.AddOp(fb::OpType::FULLY_CONNECTED, {x, w}, {y}, std::string("big"));
    b.SetInputs({x});
    b.SetOutputs({y});
    if (wv == 1) {
      EXPECT_TRUE(Loads(b));
    } else {
      EXPECT_TRUE(Rejected(b, {"FULLY_CONNECTED", "overflow the int32 accumulator"}, kUnsupported));
    }
  }
}

// ---------------------------------------------------------------- POOLING

fb::Pool2DOptionsT PoolOptions(int k, int s, int pad, bool include_pad = false) {
  fb::Pool2DOptionsT o;
  o.kernel_h = o.kernel_w = k;
  o.stride_h = o.stride_w = s;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = pad;
  o.count_include_pad = include_pad;
  return o;
}

ModelBuilder MakePool(fb::OpType type, T dtype, fb::Pool2DOptionsT o,
                      std::vector<int32_t> out_shape, QuantParams in_q = Q(0.1f, 2),
                      QuantParams out_q = Q(0.1f, 2)) {
  ModelBuilder b;
  const bool q = dtype == T::INT8;
  int x = b.AddTensor("x", dtype, {1, 5, 5, 2}, q ? in_q : QuantParams());
  int y = b.AddTensor("y", dtype, out_shape, q ? out_q : QuantParams());
  b.AddOp(type, {x}, {y}, std::move(o), "pool");
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

kernels::Pool2DGeometry PoolGeometry(int k, int s, int pad, int out) {
  kernels::Pool2DGeometry g;
  g.batch = 1, g.in_h = g.in_w = 5, g.channels = 2;
  g.out_h = g.out_w = out;
  g.kernel_h = g.kernel_w = k;
  g.stride_h = g.stride_w = s;
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = pad;
  return g;
}

TEST(PoolOp, MaxInt8RunsLikeReference) {
  fb::Pool2DOptionsT o = PoolOptions(3, 2, 1);
  o.activation = Act(fb::Activation::RELU6);
  ModelBuilder b = MakePool(fb::OpType::MAX_POOL_2D, T::INT8, std::move(o), {1, 3, 3, 2});
  Rng rng(3);
  std::vector<int8_t> x = rng.int8s(50);
  RunResult r = RunModel(b, {Bytes(x)});
  kernels::QuantizedOutput q{2, 2, 62};  // ReLU6 at scale 0.1, zero point 2
  std::vector<int8_t> want(18);
  ref::max_pool_s8(PoolGeometry(3, 2, 1, 3), x.data(), q, want.data());
  EXPECT_TRUE(SameBytes(r.output, want));
  EXPECT_EQ(r.kernel, "max_pool2d_s8_ref");
  EXPECT_EQ(r.macs, 18u * 9u);
}

TEST(PoolOp, AverageInt8RunsLikeReference) {
  for (bool include_pad : {false, true}) {
    ModelBuilder b =
        MakePool(fb::OpType::AVERAGE_POOL_2D, T::INT8, PoolOptions(3, 2, 1, include_pad),
                 {1, 3, 3, 2}, Q(0.1f, 2), Q(0.05f, -7));
    Rng rng(4);
    std::vector<int8_t> x = rng.int8s(50);
    RunResult r = RunModel(b, {Bytes(x)});
    std::vector<int8_t> want(18);
    ref::average_pool_s8(PoolGeometry(3, 2, 1, 3), include_pad, x.data(), 2, 0.1f / 0.05f,
                         kernels::QuantizedOutput{-7, -128, 127}, want.data());
    EXPECT_TRUE(SameBytes(r.output, want)) << "include_pad " << include_pad;
    EXPECT_EQ(r.kernel, "average_pool2d_s8_ref");
  }
}

TEST(PoolOp, FloatRunsLikeReference) {
  Rng rng(5);
  std::vector<float> x = rng.floats(50, -3, 3);
  for (bool max : {false, true}) {
    ModelBuilder b = MakePool(max ? fb::OpType::MAX_POOL_2D : fb::OpType::AVERAGE_POOL_2D,
                              T::FLOAT32, PoolOptions(2, 1, 0), {1, 4, 4, 2});
    RunResult r = RunModel(b, {Bytes(x)});
    std::vector<float> want(32);
    const float inf = std::numeric_limits<float>::infinity();
    if (max) {
      ref::max_pool_f32(PoolGeometry(2, 1, 0, 4), x.data(), -inf, inf, want.data());
    } else {
      ref::average_pool_f32(PoolGeometry(2, 1, 0, 4), false, x.data(), -inf, inf, want.data());
    }
    EXPECT_TRUE(SameBytes(r.output, want));
    EXPECT_EQ(r.kernel, max ? "max_pool2d_f32_ref" : "average_pool2d_f32_ref");
  }
}

TEST(PoolOp, Rejects) {
  const auto kMax = fb::OpType::MAX_POOL_2D;
  const auto kAvg = fb::OpType::AVERAGE_POOL_2D;
  EXPECT_TRUE(
      Rejected(MakePool(kMax, T::INT8, PoolOptions(3, 2, 1), {1, 3, 3, 2}, Q(0.1f, 2), Q(0.2f, 2)),
               {"MAX_POOL_2D", "same scale and zero point"}));
  EXPECT_TRUE(
      Loads(MakePool(kAvg, T::INT8, PoolOptions(3, 2, 1), {1, 3, 3, 2}, Q(0.1f, 2), Q(0.2f, 2))));
  EXPECT_TRUE(Rejected(MakePool(kMax, T::INT8, PoolOptions(3, 2, 1), {1, 2, 2, 2}),
                       {"op 0 'pool' (MAX_POOL_2D)", "output 'y'", "expected [1x3x3x2]"}));
  EXPECT_TRUE(Rejected(MakePool(kAvg, T::FLOAT32, PoolOptions(0, 1, 0), {1, 5, 5, 2}),
                       {"AVERAGE_POOL_2D", "kernel size 0"}));
  EXPECT_TRUE(Rejected(MakePool(kAvg, T::FLOAT32, PoolOptions(70000, 1, 0), {1, 5, 5, 2}),
                       {"AVERAGE_POOL_2D", "kernel size 70000"}));
  EXPECT_TRUE(Rejected(MakePool(kAvg, T::FLOAT32, PoolOptions(2, 0, 0), {1, 4, 4, 2}),
                       {"AVERAGE_POOL_2D", "stride/dilation 0"}));
  EXPECT_TRUE(Rejected(MakePool(kMax, T::FLOAT32, PoolOptions(2, 1, 2), {1, 8, 8, 2}),
                       {"MAX_POOL_2D", "smaller than the kernel"}));
  EXPECT_TRUE(Rejected(MakePool(kMax, T::FLOAT32, PoolOptions(2, 1, -1), {1, 2, 2, 2}),
                       {"MAX_POOL_2D", "padding -1"}));
  {
    ModelBuilder b = MakePool(kMax, T::FLOAT32, PoolOptions(2, 1, 0), {1, 4, 4, 2});
    b.model().operators[0]->options.Set(fb::ConcatOptionsT());
    EXPECT_TRUE(Rejected(b, {"MAX_POOL_2D", "wrong type (ConcatOptions)"}));
  }
  {
    ModelBuilder b = MakePool(kMax, T::FLOAT32, PoolOptions(2, 1, 0), {1, 4, 4, 2});
    b.model().tensors[0]->shape = {5, 5, 2};
    EXPECT_TRUE(Rejected(b, {"MAX_POOL_2D", "input 'x'", "expected rank 4"}));
  }
  {
    ModelBuilder b = MakePool(kAvg, T::FLOAT32, PoolOptions(2, 1, 0), {1, 4, 4, 2});
    b.model().tensors[1]->dtype = T::INT8;
    b.model().tensors[1]->quantization = std::make_unique<fb::QuantizationT>();
    b.model().tensors[1]->quantization->scale = {0.1f};
    EXPECT_TRUE(
        Rejected(b, {"AVERAGE_POOL_2D", "output 'y' is int8, expected float32"}, kUnsupported));
  }
  {
    ModelBuilder b = MakePool(kAvg, T::INT8, PoolOptions(2, 1, 0), {1, 4, 4, 2});
    b.model().tensors[0]->dtype = T::UINT8;
    EXPECT_TRUE(Rejected(b, {"AVERAGE_POOL_2D", "per-tensor int8"}, kUnsupported));
  }
  {
    fb::Pool2DOptionsT o = PoolOptions(2, 1, 0);
    o.activation = Act(fb::Activation::CLAMP, 2.0f, 1.0f);
    EXPECT_TRUE(Rejected(MakePool(kAvg, T::INT8, std::move(o), {1, 4, 4, 2}),
                         {"AVERAGE_POOL_2D", "fused clamp [2, 1] is invalid"}));
  }
}

// ---------------------------------------------------------------- GLOBAL_AVERAGE_POOL

ModelBuilder MakeGap(T dtype, std::vector<int32_t> out_shape) {
  ModelBuilder b;
  const bool q = dtype == T::INT8;
  int x = b.AddTensor("x", dtype, {2, 3, 3, 4}, q ? Q(0.2f, -3) : QuantParams());
  int y = b.AddTensor("y", dtype, out_shape, q ? Q(0.1f, 5) : QuantParams());
  b.AddOp(fb::OpType::GLOBAL_AVERAGE_POOL, {x}, {y}, std::string("gap"));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

TEST(GlobalAveragePoolOp, RunsLikeReference) {
  Rng rng(6);
  std::vector<int8_t> xq = rng.int8s(72);
  std::vector<float> xf = rng.floats(72, -1, 1);
  for (auto shape : {std::vector<int32_t>{2, 1, 1, 4}, std::vector<int32_t>{2, 4}}) {
    std::vector<int8_t> want_q(8);
    ref::global_average_pool_s8(2, 9, 4, xq.data(), -3, 0.2f / 0.1f,
                                kernels::QuantizedOutput{5, -128, 127}, want_q.data());
    RunResult rq = RunModel(MakeGap(T::INT8, shape), {Bytes(xq)});
    EXPECT_TRUE(SameBytes(rq.output, want_q));
    EXPECT_EQ(rq.kernel, "global_average_pool_s8_ref");
    std::vector<float> want_f(8);
    const float inf = std::numeric_limits<float>::infinity();
    ref::global_average_pool_f32(2, 9, 4, xf.data(), -inf, inf, want_f.data());
    RunResult rf = RunModel(MakeGap(T::FLOAT32, shape), {Bytes(xf)});
    EXPECT_TRUE(SameBytes(rf.output, want_f));
    EXPECT_EQ(rf.kernel, "global_average_pool_f32_ref");
  }
}

TEST(GlobalAveragePoolOp, Rejects) {
  EXPECT_TRUE(
      Rejected(MakeGap(T::INT8, {2, 4, 1, 1}), {"GLOBAL_AVERAGE_POOL", "expected [2x1x1x4]"}));
  EXPECT_TRUE(Rejected(MakeGap(T::INT8, {1, 4}), {"GLOBAL_AVERAGE_POOL", "expected [2x4]"}));
  {
    ModelBuilder b = MakeGap(T::FLOAT32, {2, 4});
    b.model().operators[0]->options.Set(fb::Pool2DOptionsT());
    EXPECT_TRUE(Rejected(b, {"GLOBAL_AVERAGE_POOL", "takes no options"}));
  }
  {
    ModelBuilder b = MakeGap(T::FLOAT32, {2, 4});
    b.model().tensors[0]->shape = {2, 9, 4};
    EXPECT_TRUE(Rejected(b, {"GLOBAL_AVERAGE_POOL", "expected rank 4"}));
  }
  {
    ModelBuilder b = MakeGap(T::INT8, {2, 4});
    b.model().tensors[1]->dtype = T::FLOAT32;
    b.model().tensors[1]->quantization.reset();
    EXPECT_TRUE(Rejected(b, {"GLOBAL_AVERAGE_POOL", "both per-tensor int8"}, kUnsupported));
  }
}

// ---------------------------------------------------------------- ADD / MUL

ModelBuilder MakeBinary(fb::OpType type, T dtype, std::vector<int32_t> a_shape,
                        std::vector<int32_t> b_shape, std::vector<int32_t> out_shape,
                        fb::Activation act = fb::Activation::NONE) {
  ModelBuilder b;
  const bool q = dtype == T::INT8;
  int x = b.AddTensor("a", dtype, a_shape, q ? Q(0.05f, -10) : QuantParams());
  int z = b.AddTensor("b", dtype, b_shape, q ? Q(0.02f, 7) : QuantParams());
  int y = b.AddTensor("y", dtype, out_shape, q ? Q(0.08f, 1) : QuantParams());
  fb::BinaryOptionsT o;
  o.activation = Act(act);
  b.AddOp(type, {x, z}, {y}, o, "bin");
  b.SetInputs({x, z});
  b.SetOutputs({y});
  return b;
}

kernels::BroadcastGeometry Broadcast(std::vector<int64_t> a, std::vector<int64_t> b) {
  kernels::BroadcastGeometry g;
  EXPECT_TRUE(ref::make_broadcast_geometry(a.data(), static_cast<int>(a.size()), b.data(),
                                           static_cast<int>(b.size()), &g));
  return g;
}

TEST(BinaryOp, Int8RunsLikeReference) {
  Rng rng(7);
  std::vector<int8_t> a = rng.int8s(6), bv = rng.int8s(4);
  const kernels::BroadcastGeometry g = Broadcast({2, 1, 3}, {1, 4, 1});
  const kernels::QuantizedOutput relu{1, 1, 127};
  {
    RunResult r = RunModel(
        MakeBinary(fb::OpType::ADD, T::INT8, {2, 1, 3}, {1, 4, 1}, {2, 4, 3}, fb::Activation::RELU),
        {Bytes(a), Bytes(bv)});
    std::vector<int8_t> want(24);
    ref::add_s8(g, a.data(), -10, 0.05f / 0.08f, bv.data(), 7, 0.02f / 0.08f, relu, want.data());
    EXPECT_TRUE(SameBytes(r.output, want));
    EXPECT_EQ(r.kernel, "add_s8_ref");
    EXPECT_EQ(r.macs, 0u);
  }
  {
    RunResult r = RunModel(
        MakeBinary(fb::OpType::MUL, T::INT8, {2, 1, 3}, {1, 4, 1}, {2, 4, 3}, fb::Activation::RELU),
        {Bytes(a), Bytes(bv)});
    std::vector<int8_t> want(24);
    ref::mul_s8(g, a.data(), -10, bv.data(), 7, 0.05f * 0.02f / 0.08f, relu, want.data());
    EXPECT_TRUE(SameBytes(r.output, want));
    EXPECT_EQ(r.kernel, "mul_s8_ref");
    EXPECT_EQ(r.macs, 24u);
  }
}

TEST(BinaryOp, ConstantFirstInputBroadcasts) {
  // A per-channel constant as input 0 against an NHWC activation.
  ModelBuilder b;
  std::vector<float> c = {1.5f, -2.0f, 0.25f};
  int k = b.AddConstant("c", T::FLOAT32, {3}, c);
  int x = b.AddTensor("x", T::FLOAT32, {1, 2, 2, 3});
  int y = b.AddTensor("y", T::FLOAT32, {1, 2, 2, 3});
  fb::BinaryOptionsT o;
  o.activation = Act(fb::Activation::RELU6);
  b.AddOp(fb::OpType::MUL, {k, x}, {y}, o, "scale");
  b.SetInputs({x});
  b.SetOutputs({y});
  Rng rng(8);
  std::vector<float> in = rng.floats(12, -5, 5);
  RunResult r = RunModel(b, {Bytes(in)});
  std::vector<float> want(12);
  ref::mul_f32(Broadcast({3}, {1, 2, 2, 3}), c.data(), in.data(), 0.0f, 6.0f, want.data());
  EXPECT_TRUE(SameBytes(r.output, want));
  EXPECT_EQ(r.kernel, "mul_f32_ref");
}

TEST(BinaryOp, FloatAddRunsLikeReference) {
  Rng rng(9);
  std::vector<float> a = rng.floats(12, -5, 5), bv = rng.floats(12, -5, 5);
  RunResult r = RunModel(MakeBinary(fb::OpType::ADD, T::FLOAT32, {3, 4}, {3, 4}, {3, 4}),
                         {Bytes(a), Bytes(bv)});
  std::vector<float> want(12);
  const float inf = std::numeric_limits<float>::infinity();
  ref::add_f32(Broadcast({3, 4}, {3, 4}), a.data(), bv.data(), -inf, inf, want.data());
  EXPECT_TRUE(SameBytes(r.output, want));
  EXPECT_EQ(r.kernel, "add_f32_ref");
}

TEST(BinaryOp, Rejects) {
  const auto kAdd = fb::OpType::ADD;
  EXPECT_TRUE(Rejected(MakeBinary(kAdd, T::INT8, {2, 3}, {4}, {2, 4}),
                       {"op 0 'bin' (ADD)", "do not broadcast"}));
  EXPECT_TRUE(Rejected(MakeBinary(fb::OpType::MUL, T::INT8, {2, 1, 3}, {4, 1}, {2, 4, 1}),
                       {"(MUL)", "output 'y'", "expected [2x4x3]"}));
  EXPECT_TRUE(Rejected(MakeBinary(kAdd, T::FLOAT32, {4}, {2, 4}, {4}), {"ADD", "expected [2x4]"}));
  EXPECT_TRUE(
      Rejected(MakeBinary(kAdd, T::FLOAT32, {1, 1, 1, 1, 1, 1, 2}, {2}, {1, 1, 1, 1, 1, 1, 2}),
               {"ADD", "rank 7", "at most 6"}, kUnsupported));
  {
    ModelBuilder b = MakeBinary(kAdd, T::INT8, {3}, {3}, {3});
    b.model().tensors[1]->dtype = T::FLOAT32;
    b.model().tensors[1]->quantization.reset();
    EXPECT_TRUE(Rejected(b, {"ADD", "'b' is float32", "all per-tensor int8"}, kUnsupported));
  }
  {
    ModelBuilder b = MakeBinary(kAdd, T::FLOAT32, {3}, {3}, {3});
    b.model().tensors[2]->dtype = T::INT32;
    EXPECT_TRUE(Rejected(b, {"ADD", "output 'y' is int32, expected float32"}, kUnsupported));
  }
  {
    ModelBuilder b = MakeBinary(kAdd, T::INT8, {2, 3}, {2, 3}, {2, 3});
    b.model().tensors[1]->quantization->scale = {0.1f, 0.2f, 0.3f};
    b.model().tensors[1]->quantization->zero_point = {0, 0, 0};
    b.model().tensors[1]->quantization->axis = 1;
    EXPECT_TRUE(Rejected(b, {"ADD", "'b' is int8 per-channel"}, kUnsupported));
  }
  {
    ModelBuilder b = MakeBinary(kAdd, T::FLOAT32, {3}, {3}, {3});
    b.model().operators[0]->options.Set(fb::SoftmaxOptionsT());
    EXPECT_TRUE(Rejected(b, {"ADD", "wrong type (SoftmaxOptions)"}));
  }
}

// ---------------------------------------------------------------- CONCAT

struct ConcatSpec {
  std::vector<int32_t> shape;
  QuantParams q;
};

ModelBuilder MakeConcat(T dtype, const std::vector<ConcatSpec>& ins, ConcatSpec out, int axis,
                        fb::Activation act = fb::Activation::NONE) {
  ModelBuilder b;
  const bool q = dtype == T::INT8;
  std::vector<int> xs;
  for (size_t k = 0; k < ins.size(); ++k) {
    xs.push_back(
        b.AddTensor("x" + std::to_string(k), dtype, ins[k].shape, q ? ins[k].q : QuantParams()));
  }
  int y = b.AddTensor("y", dtype, out.shape, q ? out.q : QuantParams());
  fb::ConcatOptionsT o;
  o.axis = axis;
  o.activation = Act(act);
  b.AddOp(fb::OpType::CONCAT, xs, {y}, o, "cat");
  b.SetInputs(xs);
  b.SetOutputs({y});
  return b;
}

TEST(ConcatOp, Int8RunsLikeReference) {
  const QuantParams qo = Q(0.1f, 3);
  const std::vector<ConcatSpec> ins = {
      {{2, 3, 1}, qo}, {{2, 3, 2}, Q(0.2f, -4)}, {{2, 3, 3}, Q(0.1f, 0)}};
  Rng rng(10);
  std::vector<std::vector<int8_t>> data = {rng.int8s(6), rng.int8s(12), rng.int8s(18)};
  for (fb::Activation act : {fb::Activation::NONE, fb::Activation::RELU}) {
    RunResult r = RunModel(MakeConcat(T::INT8, ins, {{2, 3, 6}, qo}, -1, act),
                           {Bytes(data[0]), Bytes(data[1]), Bytes(data[2])});
    const bool relu = act == fb::Activation::RELU;
    const kernels::QuantizedOutput q{3, relu ? 3 : -128, 127};
    std::vector<ref::ConcatInput> c(3);
    const float scales[3] = {0.1f, 0.2f, 0.1f};
    const int32_t zps[3] = {3, -4, 0};
    for (int k = 0; k < 3; ++k) {
      c[k].data = data[k].data();
      c[k].axis_inner = k + 1;
      c[k].zero_point = zps[k];
      c[k].scale = scales[k] / 0.1f;
      c[k].same_quantization = false;
    }
    std::vector<int8_t> want(36);
    ref::concat_s8(6, c.data(), 3, q, want.data());
    EXPECT_TRUE(SameBytes(r.output, want)) << "relu " << relu;
    EXPECT_EQ(r.kernel, "concat_s8_ref");
  }
}

TEST(ConcatOp, FloatMiddleAxis) {
  Rng rng(11);
  std::vector<float> a = rng.floats(8, -1, 1), bv = rng.floats(4, -1, 1);
  RunResult r =
      RunModel(MakeConcat(T::FLOAT32, {{{2, 2, 2}, {}}, {{2, 1, 2}, {}}}, {{2, 3, 2}, {}}, 1),
               {Bytes(a), Bytes(bv)});
  std::vector<ref::ConcatInput> c(2);
  c[0].data = a.data(), c[0].axis_inner = 4;
  c[1].data = bv.data(), c[1].axis_inner = 2;
  std::vector<float> want(12);
  ref::concat_f32(2, c.data(), 2, want.data());
  EXPECT_TRUE(SameBytes(r.output, want));
  EXPECT_EQ(r.kernel, "concat_f32_ref");
}

TEST(ConcatOp, Rejects) {
  const QuantParams q = Q(0.1f, 0);
  EXPECT_TRUE(Loads(MakeConcat(T::INT8, {{{2, 3}, q}}, {{2, 3}, q}, 0)));
  EXPECT_TRUE(Rejected(MakeConcat(T::INT8, {{{2, 3}, q}, {{2, 3}, q}}, {{2, 6}, q}, 2),
                       {"op 0 'cat' (CONCAT)", "axis 2 out of range for rank 2"}));
  EXPECT_TRUE(Rejected(MakeConcat(T::INT8, {{{2, 3}, q}, {{2, 3}, q}}, {{2, 6}, q}, -3),
                       {"CONCAT", "axis -3"}));
  EXPECT_TRUE(Rejected(
      MakeConcat(T::INT8, {{{2, 3}, q}, {{2, 3}, q}}, {{2, 6}, q}, std::numeric_limits<int>::min()),
      {"CONCAT", "out of range"}));
  EXPECT_TRUE(Rejected(MakeConcat(T::INT8, {{{2, 3}, q}, {{3, 3}, q}}, {{2, 6}, q}, 1),
                       {"CONCAT", "input 'x1' [3x3] does not match output [2x6] outside axis 1"}));
  EXPECT_TRUE(Rejected(MakeConcat(T::INT8, {{{2, 3}, q}, {{2, 3}, q}}, {{2, 7}, q}, 1),
                       {"CONCAT", "has 7 along axis 1, inputs sum to 6"}));
  EXPECT_TRUE(Rejected(MakeConcat(T::INT8, {{{2, 3}, q}, {{2, 3, 1}, q}}, {{2, 6}, q}, 1),
                       {"CONCAT", "x1"}));
  EXPECT_TRUE(Rejected(
      MakeConcat(T::FLOAT32, {{{2, 3}, {}}, {{2, 3}, {}}}, {{2, 6}, {}}, 1, fb::Activation::RELU),
      {"CONCAT", "fused activation RELU is not supported for float32"}, kUnsupported));
  {
    ModelBuilder b = MakeConcat(T::INT8, {{{2, 3}, q}, {{2, 3}, q}}, {{2, 6}, q}, 1);
    b.model().tensors[1]->dtype = T::FLOAT32;
    b.model().tensors[1]->quantization.reset();
    EXPECT_TRUE(Rejected(b, {"CONCAT", "input 'x1' must be per-tensor int8"}, kUnsupported));
  }
  {
    ModelBuilder b = MakeConcat(T::INT8, {{{2, 3}, q}, {{2, 3}, q}}, {{2, 3}, q}, 1);
    b.model().operators[0]->inputs = {0, -1};
    EXPECT_TRUE(Rejected(b, {"CONCAT", "input 1 is missing"}));
  }
  {
    ModelBuilder b = MakeConcat(T::FLOAT32, {{{2, 3}, {}}}, {{2, 3}, {}}, 1);
    b.model().operators[0]->options.Set(fb::PadOptionsT());
    EXPECT_TRUE(Rejected(b, {"CONCAT", "wrong type (PadOptions)"}));
  }
}

// ---------------------------------------------------------------- RESHAPE

TEST(ReshapeOp, CopiesBytesAndIgnoresShapeInput) {
  ModelBuilder b;
  int x = b.AddTensor("x", T::INT8, {1, 2, 3, 4}, Q(0.3f, 9));
  int s = b.AddConstant("shape", T::INT32, {2}, std::vector<int32_t>{1, 24});
  int y = b.AddTensor("y", T::INT8, {1, 24}, Q(0.3f, 9));
  b.AddOp(fb::OpType::RESHAPE, {x, s}, {y}, fb::ReshapeOptionsT(), "flatten");
  b.SetInputs({x});
  b.SetOutputs({y});
  Rng rng(12);
  std::vector<int8_t> in = rng.int8s(24);
  RunResult r = RunModel(b, {Bytes(in)});
  EXPECT_TRUE(SameBytes(r.output, in));
  EXPECT_EQ(r.kernel, "reshape_copy");
}

ModelBuilder MakeReshape(T dtype, std::vector<int32_t> in_shape, std::vector<int32_t> out_shape,
                         QuantParams in_q = {}, QuantParams out_q = {}) {
  ModelBuilder b;
  int x = b.AddTensor("x", dtype, in_shape, in_q);
  int y = b.AddTensor("y", dtype, out_shape, out_q);
  b.AddOp(fb::OpType::RESHAPE, {x}, {y}, std::string("rs"));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

TEST(ReshapeOp, Rejects) {
  EXPECT_TRUE(Loads(MakeReshape(T::FLOAT32, {2, 3}, {6})));
  EXPECT_TRUE(Loads(MakeReshape(T::INT32, {2, 3}, {3, 2})));
  EXPECT_TRUE(Rejected(MakeReshape(T::FLOAT32, {2, 3}, {7}),
                       {"op 0 'rs' (RESHAPE)", "different element counts"}));
  EXPECT_TRUE(Rejected(MakeReshape(T::INT8, {2, 3}, {6}, Q(0.1f, 1), Q(0.1f, 2)),
                       {"RESHAPE", "same scale and zero point"}));
  {
    ModelBuilder b = MakeReshape(T::FLOAT32, {2, 3}, {6});
    b.model().tensors[1]->dtype = T::INT32;
    EXPECT_TRUE(Rejected(b, {"RESHAPE", "output 'y' is int32, input 'x' is float32"}));
  }
  {
    ModelBuilder b = MakeReshape(T::FLOAT32, {2, 3}, {6});
    b.model().operators[0]->options.Set(fb::UnaryOptionsT());
    EXPECT_TRUE(Rejected(b, {"RESHAPE", "wrong type (UnaryOptions)"}));
  }
  // Per-channel along a dim that keeps its meaning: [3][2] axis 0 -> [1][3][2] axis 1.
  const QuantParams pc0 = QuantParams::PerChannel({0.1f, 0.2f, 0.3f}, 0);
  const QuantParams pc1 = QuantParams::PerChannel({0.1f, 0.2f, 0.3f}, 1);
  EXPECT_TRUE(Loads(MakeReshape(T::INT8, {3, 2}, {1, 3, 2}, pc0, pc1)));
  EXPECT_TRUE(Rejected(MakeReshape(T::INT8, {3, 2}, {2, 3}, pc0, pc1),
                       {"RESHAPE", "do not describe the same channels"}));
}

// ---------------------------------------------------------------- PAD

ModelBuilder MakePad(T dtype, std::vector<int32_t> in_shape, std::vector<int32_t> pads,
                     std::vector<int32_t> out_shape, float value = 0.0f,
                     QuantParams in_q = Q(0.5f, -3), QuantParams out_q = Q(0.5f, -3)) {
  ModelBuilder b;
  const bool q = dtype == T::INT8;
  int x = b.AddTensor("x", dtype, in_shape, q ? in_q : QuantParams());
  int y = b.AddTensor("y", dtype, out_shape, q ? out_q : QuantParams());
  fb::PadOptionsT o;
  o.pads = std::move(pads);
  o.value = value;
  b.AddOp(fb::OpType::PAD, {x}, {y}, o, "pad");
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

TEST(PadOp, RunsLikeReference) {
  Rng rng(13);
  ref::PadGeometry g;
  g.rank = 4;
  const int64_t in_dims[4] = {1, 2, 2, 1}, before[4] = {0, 1, 1, 0}, after[4] = {0, 1, 2, 0};
  for (int d = 0; d < 4; ++d) {
    g.in_dims[d] = in_dims[d], g.pad_before[d] = before[d], g.pad_after[d] = after[d];
  }
  {
    std::vector<int8_t> x = rng.int8s(4);
    RunResult r = RunModel(
        MakePad(T::INT8, {1, 2, 2, 1}, {0, 1, 1, 0, 0, 1, 2, 0}, {1, 4, 5, 1}, 1.5f), {Bytes(x)});
    const int8_t value = static_cast<int8_t>(kernels::quantize_value(1.5f, 0.5f, -3, -128, 127));
    EXPECT_EQ(value, 0);
    std::vector<int8_t> want(20);
    ref::pad(g, 1, x.data(), &value, want.data());
    EXPECT_TRUE(SameBytes(r.output, want));
    EXPECT_EQ(r.kernel, "pad_s8_ref");
  }
  {
    std::vector<float> x = rng.floats(4, -1, 1);
    const float value = -std::numeric_limits<float>::infinity();
    RunResult r =
        RunModel(MakePad(T::FLOAT32, {1, 2, 2, 1}, {0, 1, 1, 0, 0, 1, 2, 0}, {1, 4, 5, 1}, value),
                 {Bytes(x)});
    std::vector<float> want(20);
    ref::pad(g, 4, x.data(), &value, want.data());
    EXPECT_TRUE(SameBytes(r.output, want));
    EXPECT_EQ(r.kernel, "pad_f32_ref");
  }
}

TEST(PadOp, Rejects) {
  EXPECT_TRUE(Rejected(MakePad(T::FLOAT32, {2, 2}, {1, 1, 1}, {4, 4}),
                       {"op 0 'pad' (PAD)", "pads has 3 entries, expected 2 * rank = 4"}));
  EXPECT_TRUE(Rejected(MakePad(T::FLOAT32, {2, 2}, {}, {2, 2}), {"PAD", "pads has 0 entries"}));
  EXPECT_TRUE(Rejected(MakePad(T::FLOAT32, {4, 4}, {-1, 0, 0, 0}, {3, 4}), {"PAD", "negative pads"},
                       kUnsupported));
  EXPECT_TRUE(Rejected(MakePad(T::FLOAT32, {2, 2}, {1, 0, 1, 0}, {4, 3}),
                       {"PAD", "output 'y'", "expected [4x2]"}));
  EXPECT_TRUE(Rejected(MakePad(T::INT8, {2, 2}, {1, 0, 1, 0}, {4, 2}, 0, Q(0.5f, 0), Q(0.25f, 0)),
                       {"PAD", "same scale and zero point"}));
  EXPECT_TRUE(Rejected(MakePad(T::FLOAT32, {1, 1, 1, 1, 1, 1, 2}, std::vector<int32_t>(14, 0),
                               {1, 1, 1, 1, 1, 1, 2}),
                       {"PAD", "rank 7"}, kUnsupported));
  {
    ModelBuilder b = MakePad(T::FLOAT32, {2, 2}, {1, 0, 1, 0}, {4, 2});
    b.model().operators[0]->options.Set(fb::ReshapeOptionsT());
    EXPECT_TRUE(Rejected(b, {"PAD", "wrong type (ReshapeOptions)"}));
  }
  {
    ModelBuilder b = MakePad(T::FLOAT32, {2, 2}, {1, 0, 1, 0}, {4, 2});
    b.model().tensors[0]->dtype = T::INT32;
    b.model().tensors[1]->dtype = T::INT32;
    EXPECT_TRUE(Rejected(b, {"PAD", "float32 or per-tensor int8, is int32"}, kUnsupported));
  }
}

// ---------------------------------------------------------------- UNARY

ModelBuilder MakeUnary(T dtype, fb::UnaryOptionsT o, std::vector<int32_t> out_shape = {2, 8}) {
  ModelBuilder b;
  const bool q = dtype == T::INT8;
  int x = b.AddTensor("x", dtype, {2, 8}, q ? Q(0.05f, 10) : QuantParams());
  int y = b.AddTensor("y", dtype, out_shape, q ? Q(1.0f / 128, -20) : QuantParams());
  b.AddOp(fb::OpType::UNARY, {x}, {y}, o, "act");
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

TEST(UnaryOp, EveryKindRunsLikeReference) {
  const std::pair<fb::UnaryKind, ref::UnaryKind> kinds[] = {
      {fb::UnaryKind::RELU, ref::UnaryKind::kRelu},
      {fb::UnaryKind::RELU6, ref::UnaryKind::kRelu6},
      {fb::UnaryKind::HARD_SWISH, ref::UnaryKind::kHardSwish},
      {fb::UnaryKind::HARD_SIGMOID, ref::UnaryKind::kHardSigmoid},
      {fb::UnaryKind::SIGMOID, ref::UnaryKind::kSigmoid},
      {fb::UnaryKind::TANH, ref::UnaryKind::kTanh},
      {fb::UnaryKind::LEAKY_RELU, ref::UnaryKind::kLeakyRelu},
      {fb::UnaryKind::CLAMP, ref::UnaryKind::kClamp},
  };
  Rng rng(14);
  std::vector<int8_t> xq = rng.int8s(16);
  std::vector<float> xf = rng.floats(16, -8, 8);
  for (const auto& [fk, rk] : kinds) {
    fb::UnaryOptionsT o;
    o.kind = fk;
    o.alpha = 0.3f, o.beta = 0.4f, o.min = -0.5f, o.max = 0.75f;
    ref::UnaryParams p;
    p.kind = rk, p.alpha = 0.3f, p.beta = 0.4f, p.min = -0.5f, p.max = 0.75f;
    RunResult rq = RunModel(MakeUnary(T::INT8, o), {Bytes(xq)});
    int8_t table[256];
    ref::build_unary_table_s8(p, 0.05f, 10, 1.0f / 128, -20, -128, 127, table);
    std::vector<int8_t> want_q(16);
    ref::lookup_s8(16, xq.data(), table, want_q.data());
    EXPECT_TRUE(SameBytes(rq.output, want_q)) << fb::EnumNameUnaryKind(fk);
    EXPECT_EQ(rq.kernel, "unary_s8_lut_ref");
    RunResult rf = RunModel(MakeUnary(T::FLOAT32, o), {Bytes(xf)});
    std::vector<float> want_f(16);
    ref::unary_f32(p, 16, xf.data(), want_f.data());
    EXPECT_TRUE(SameBytes(rf.output, want_f)) << fb::EnumNameUnaryKind(fk);
    EXPECT_EQ(rf.kernel, "unary_f32_ref");
  }
}

TEST(UnaryOp, Rejects) {
  fb::UnaryOptionsT o;
  EXPECT_TRUE(Rejected(MakeUnary(T::FLOAT32, o, {16}),
                       {"op 0 'act' (UNARY)", "output 'y'", "expected [2x8]"}));
  {
    fb::UnaryOptionsT bad;
    bad.kind = static_cast<fb::UnaryKind>(42);
    EXPECT_TRUE(Rejected(MakeUnary(T::INT8, bad), {"UNARY", "unknown unary kind 42"}));
  }
  {
    fb::UnaryOptionsT bad;
    bad.kind = fb::UnaryKind::CLAMP;
    bad.min = 1.0f, bad.max = -1.0f;
    EXPECT_TRUE(Rejected(MakeUnary(T::INT8, bad), {"UNARY", "clamp range [1, -1] is invalid"}));
    bad.min = std::nanf("");
    EXPECT_TRUE(Rejected(MakeUnary(T::INT8, bad), {"UNARY", "clamp range"}));
  }
  {
    fb::UnaryOptionsT bad;
    bad.kind = fb::UnaryKind::LEAKY_RELU;
    bad.alpha = std::numeric_limits<float>::infinity();
    EXPECT_TRUE(Rejected(MakeUnary(T::FLOAT32, bad), {"UNARY", "alpha inf must be finite"}));
  }
  {
    ModelBuilder b = MakeUnary(T::INT8, o);
    b.model().tensors[1]->dtype = T::FLOAT32;
    b.model().tensors[1]->quantization.reset();
    EXPECT_TRUE(Rejected(b, {"UNARY", "both per-tensor int8"}, kUnsupported));
  }
  {
    ModelBuilder b = MakeUnary(T::FLOAT32, o);
    b.model().operators[0]->options.Set(fb::SoftmaxOptionsT());
    EXPECT_TRUE(Rejected(b, {"UNARY", "wrong type (SoftmaxOptions)"}));
  }
}

// ---------------------------------------------------------------- SOFTMAX

ModelBuilder MakeSoftmax(T dtype, float beta, std::vector<int32_t> out_shape = {3, 5}) {
  ModelBuilder b;
  const bool q = dtype == T::INT8;
  int x = b.AddTensor("x", dtype, {3, 5}, q ? Q(0.1f, 4) : QuantParams());
  int y = b.AddTensor("y", dtype, out_shape, q ? Q(1.0f / 256, -128) : QuantParams());
  fb::SoftmaxOptionsT o;
  o.beta = beta;
  b.AddOp(fb::OpType::SOFTMAX, {x}, {y}, o, "sm");
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

TEST(SoftmaxOp, RunsLikeReference) {
  Rng rng(15);
  std::vector<int8_t> xq = rng.int8s(15);
  std::vector<float> xf = rng.floats(15, -4, 4);
  RunResult rq = RunModel(MakeSoftmax(T::INT8, 0.7f), {Bytes(xq)});
  std::vector<int8_t> want_q(15);
  ref::softmax_s8(3, 5, 0.7f, xq.data(), 0.1f, 4, 1.0f / 256, -128, want_q.data());
  EXPECT_TRUE(SameBytes(rq.output, want_q));
  EXPECT_EQ(rq.kernel, "softmax_s8_ref");
  RunResult rf = RunModel(MakeSoftmax(T::FLOAT32, 2.0f), {Bytes(xf)});
  std::vector<float> want_f(15);
  ref::softmax_f32(3, 5, 2.0f, xf.data(), want_f.data());
  EXPECT_TRUE(SameBytes(rf.output, want_f));
  EXPECT_EQ(rf.kernel, "softmax_f32_ref");
}

TEST(SoftmaxOp, Rejects) {
  EXPECT_TRUE(Rejected(MakeSoftmax(T::FLOAT32, 0.0f),
                       {"op 0 'sm' (SOFTMAX)", "beta 0 must be finite and > 0"}));
  EXPECT_TRUE(Rejected(MakeSoftmax(T::FLOAT32, -1.0f), {"SOFTMAX", "beta -1"}));
  EXPECT_TRUE(Rejected(MakeSoftmax(T::FLOAT32, std::numeric_limits<float>::infinity()),
                       {"SOFTMAX", "beta inf"}));
  EXPECT_TRUE(Rejected(MakeSoftmax(T::FLOAT32, std::nanf("")), {"SOFTMAX", "beta nan"}));
  EXPECT_TRUE(Rejected(MakeSoftmax(T::INT8, 1.0f, {5, 3}), {"SOFTMAX", "expected [3x5]"}));
  {
    ModelBuilder b = MakeSoftmax(T::INT8, 1.0f);
    b.model().tensors[0]->quantization->scale = {0.1f, 0.1f, 0.1f, 0.1f, 0.1f};
    b.model().tensors[0]->quantization->zero_point = {0, 0, 0, 0, 0};
    b.model().tensors[0]->quantization->axis = 1;
    EXPECT_TRUE(Rejected(b, {"SOFTMAX", "per-tensor int8"}, kUnsupported));
  }
}

// ---------------------------------------------------------------- QUANTIZE / DEQUANTIZE

ModelBuilder MakeQuantize(bool quantize, std::vector<int32_t> out_shape = {2, 6}) {
  ModelBuilder b;
  const QuantParams q = Q(0.03f, -7);
  int x = b.AddTensor("x", quantize ? T::FLOAT32 : T::INT8, {2, 6}, quantize ? QuantParams() : q);
  int y =
      b.AddTensor("y", quantize ? T::INT8 : T::FLOAT32, out_shape, quantize ? q : QuantParams());
  b.AddOp(quantize ? fb::OpType::QUANTIZE : fb::OpType::DEQUANTIZE, {x}, {y}, std::string("q"));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

TEST(QuantizeOp, RunsLikeReference) {
  Rng rng(16);
  std::vector<float> xf = rng.floats(12, -5, 5);
  xf[0] = std::numeric_limits<float>::infinity();
  xf[1] = std::nanf("");
  RunResult rq = RunModel(MakeQuantize(true), {Bytes(xf)});
  std::vector<int8_t> want_q(12);
  ref::quantize_f32_s8(12, xf.data(), 0.03f, -7, want_q.data());
  EXPECT_TRUE(SameBytes(rq.output, want_q));
  EXPECT_EQ(rq.kernel, "quantize_f32_s8_ref");
  std::vector<int8_t> xq = rng.int8s(12);
  RunResult rd = RunModel(MakeQuantize(false), {Bytes(xq)});
  std::vector<float> want_f(12);
  ref::dequantize_s8_f32(12, xq.data(), 0.03f, -7, want_f.data());
  EXPECT_TRUE(SameBytes(rd.output, want_f));
  EXPECT_EQ(rd.kernel, "dequantize_s8_f32_ref");
}

TEST(QuantizeOp, Rejects) {
  EXPECT_TRUE(Rejected(MakeQuantize(true, {12}), {"op 0 'q' (QUANTIZE)", "expected [2x6]"}));
  EXPECT_TRUE(Rejected(MakeQuantize(false, {6, 2}), {"(DEQUANTIZE)", "expected [2x6]"}));
  {
    ModelBuilder b = MakeQuantize(true);
    b.model().operators[0]->options.Set(fb::UnaryOptionsT());
    EXPECT_TRUE(Rejected(b, {"QUANTIZE", "takes no options"}));
  }
  {
    ModelBuilder b = MakeQuantize(true);
    b.model().tensors[1]->quantization = std::make_unique<fb::QuantizationT>();
    b.model().tensors[1]->quantization->scale = {0.1f, 0.2f};
    b.model().tensors[1]->quantization->axis = 0;
    EXPECT_TRUE(Rejected(b, {"QUANTIZE", "output 'y' must be per-tensor int8, is int8 per-channel"},
                         kUnsupported));
  }
  {
    ModelBuilder b = MakeQuantize(false);
    b.model().tensors[0]->dtype = T::UINT8;
    b.model().tensors[0]->quantization->zero_point = {128};
    EXPECT_TRUE(
        Rejected(b, {"DEQUANTIZE", "input 'x' must be per-tensor int8, is uint8"}, kUnsupported));
  }
  {
    ModelBuilder b = MakeQuantize(false);
    b.model().tensors[1]->dtype = T::INT32;
    EXPECT_TRUE(Rejected(b, {"DEQUANTIZE", "output 'y' is int32, expected float32"}, kUnsupported));
  }
}

// ---------------------------------------------------------------- robustness

// Valid one-op models of every type, used as seeds for mutation.
std::vector<std::function<ModelBuilder()>> Seeds() {
  const QuantParams q = Q(0.1f, 0);
  return {
      [] { return MakeConv(2, 4); },
      [] { return MakeFcS8().b; },
      [] {
        return MakePool(fb::OpType::MAX_POOL_2D, T::INT8, PoolOptions(3, 2, 1), {1, 3, 3, 2});
      },
      [] {
        return MakePool(fb::OpType::AVERAGE_POOL_2D, T::FLOAT32, PoolOptions(3, 2, 1, true),
                        {1, 3, 3, 2});
      },
      [] {
        return MakeGap(T::INT8, {2, 4});
      },
      [] {
        return MakeBinary(fb::OpType::ADD, T::INT8, {2, 1, 3}, {1, 4, 1}, {2, 4, 3});
      },
      [] {
        return MakeBinary(fb::OpType::MUL, T::FLOAT32, {2, 1, 3}, {1, 4, 1}, {2, 4, 3});
      },
      [q] {
        return MakeConcat(T::INT8, {{{2, 3}, q}, {{2, 2}, Q(0.2f, 1)}}, {{2, 5}, q}, 1);
      },
      [] {
        return MakeReshape(T::FLOAT32, {2, 3}, {6});
      },
      [] {
        return MakePad(T::INT8, {1, 2, 2, 1}, {0, 1, 1, 0, 0, 1, 2, 0}, {1, 4, 5, 1});
      },
      [] { return MakeUnary(T::INT8, fb::UnaryOptionsT()); },
      [] { return MakeSoftmax(T::FLOAT32, 1.0f); },
      [] { return MakeQuantize(true); },
      [] { return MakeQuantize(false); },
  };
}

std::vector<int32_t> RandomShape(Rng& rng) {
  std::vector<int32_t> s(static_cast<size_t>(rng.uniform_int(0, 5)));
  for (int32_t& d : s) d = rng.uniform_int(1, 5);
  return s;
}

// A value in [lo, hi], or now and then an extreme one.
int32_t Pick(Rng& rng, int lo, int hi) {
  constexpr int32_t kExtremes[] = {std::numeric_limits<int32_t>::min(), -65537, 65537,
                                   std::numeric_limits<int32_t>::max()};
  if (rng.uniform_int(0, 15) == 0) return kExtremes[rng.uniform_int(0, 3)];
  return rng.uniform_int(lo, hi);
}

// Randomizes activation shapes, dtypes and option values.
void Mutate(Rng& rng, fb::ModelT& m) {
  for (auto& t : m.tensors) {
    if (t->buffer != 0) continue;  // constants keep their byte count
    switch (rng.uniform_int(0, 5)) {
      case 0:
        t->shape = RandomShape(rng);
        break;
      case 1:
        if (!t->shape.empty()) {
          const int d = rng.uniform_int(0, static_cast<int>(t->shape.size()) - 1);
          t->shape[static_cast<size_t>(d)] = rng.uniform_int(1, 6);
        }
        break;
      case 2:
        t->dtype = rng.coin() ? T::FLOAT32 : T::INT8;
        t->quantization = std::make_unique<fb::QuantizationT>();
        t->quantization->scale = {rng.scale()};
        t->quantization->zero_point = {rng.uniform_int(-128, 127)};
        break;
      default:
        break;
    }
  }
  if (rng.coin()) return;  // keep the options: the shapes alone may still fit
  fb::OpOptionsUnion& o = m.operators[0]->options;
  if (auto* cv = o.AsConv2DOptions()) {
    cv->stride_h = Pick(rng, 0, 3), cv->stride_w = Pick(rng, 0, 3);
    cv->dilation_h = Pick(rng, 0, 3), cv->dilation_w = Pick(rng, 0, 3);
    cv->pad_top = Pick(rng, -1, 3), cv->pad_bottom = Pick(rng, -1, 3);
    cv->pad_left = Pick(rng, -1, 3), cv->pad_right = Pick(rng, -1, 3);
    cv->groups = Pick(rng, 0, 4);
  } else if (auto* p = o.AsPool2DOptions()) {
    p->kernel_h = Pick(rng, 0, 6), p->kernel_w = Pick(rng, 0, 6);
    p->stride_h = Pick(rng, 0, 3), p->stride_w = Pick(rng, 0, 3);
    p->pad_top = Pick(rng, -1, 3), p->pad_bottom = Pick(rng, -1, 3);
    p->pad_left = Pick(rng, -1, 3), p->pad_right = Pick(rng, -1, 3);
    p->count_include_pad = rng.coin();
  } else if (auto* c = o.AsConcatOptions()) {
    c->axis = Pick(rng, -6, 6);
  } else if (auto* pd = o.AsPadOptions()) {
    pd->pads.resize(static_cast<size_t>(rng.uniform_int(0, 10)));
    for (int32_t& v : pd->pads) v = Pick(rng, -1, 3);
    pd->value = rng.uniform_float(-100, 100);
  } else if (auto* u = o.AsUnaryOptions()) {
    u->kind = static_cast<fb::UnaryKind>(rng.uniform_int(0, 9));
    u->min = rng.uniform_float(-2, 2), u->max = rng.uniform_float(-2, 2);
  }
}

TEST(OpsRobustness, MutatedModelsFailCleanlyOrRunInBounds) {
  Rng rng(17);
  const auto seeds = Seeds();
  int accepted = 0, total = 0;
  std::vector<int> accepted_by_seed(seeds.size(), 0);
  for (int iter = 0; iter < 3000; ++iter) {
    ModelBuilder b = seeds[static_cast<size_t>(iter) % seeds.size()]();
    Mutate(rng, b.model());
    Loaded r = Load(b);
    ++total;
    if (!r.status.ok()) {
      // Every op-level rejection names the op.
      if (r.status.message().rfind("op 0 ", 0) != 0 &&
          r.status.message().find("tensor") == std::string::npos &&
          r.status.message().find("graph") == std::string::npos) {
        ADD_FAILURE() << "unlabelled error: " << r.status.message();
      }
      continue;
    }
    ++accepted;
    ++accepted_by_seed[static_cast<size_t>(iter) % seeds.size()];
    std::unique_ptr<Interpreter> it;
    Status s = Interpreter::Create(r.model, InterpreterOptions(), &it);
    ASSERT_TRUE(s.ok()) << "validated model failed to prepare: " << s.message();
    for (size_t i = 0; i < r.model->inputs().size(); ++i) {
      const TensorInfo& t = r.model->tensor(r.model->inputs()[i]);
      auto* p = static_cast<uint8_t*>(it->input_data(static_cast<int>(i)));
      for (size_t k = 0; k < t.bytes; ++k) p[k] = static_cast<uint8_t>(rng.uniform_int(0, 255));
    }
    ASSERT_TRUE(it->Invoke().ok());
  }
  std::printf("mutated models: %d of %d accepted and run\n", accepted, total);
  EXPECT_GT(accepted, total / 20);
  for (size_t i = 0; i < seeds.size(); ++i) {
    EXPECT_GT(accepted_by_seed[i], 0) << "no mutation of seed model " << i << " ever ran";
  }
}

}  // namespace
}  // namespace qrun

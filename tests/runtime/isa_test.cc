// Forced instruction-set levels (InterpreterOptions::isa, QRUN_ISA): every
// level this CPU runs gives the reference backend's bytes on a small
// multi-op model (3x3 conv, 1x1 conv, grouped strided 3x3 conv, fully
// connected), at 1 and 2 threads; kernel names say the level; levels the CPU
// lacks and unknown names are clear errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "runtime/interpreter.h"
#include "runtime/model.h"
#include "test_models.h"

namespace qrun {
namespace {

using kernels::Isa;

std::vector<int8_t> Pattern(size_t n, int mul, int add) {
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int8_t>(static_cast<int>((i * mul + add) % 255) - 127);
  return v;
}

std::vector<float> Scales(size_t n, float base) {
  std::vector<float> s(n);
  for (size_t i = 0; i < n; ++i) s[i] = base * (1.0f + 0.37f * static_cast<float>(i % 5));
  return s;
}

// input [1,9,7,6] -> conv3x3 pad1 (20, relu) -> conv1x1 (36) ->
// conv3x3 s2 pad1 groups 2 (10) -> fully connected 200 -> 13.
ModelBuilder MultiOpNet() {
  ModelBuilder b("isa test");
  int x = b.AddTensor("input", fb::DType::INT8, {1, 9, 7, 6}, QuantParams::PerTensor(0.05f, -128));
  int w1 = b.AddConstant("w1", fb::DType::INT8, {20, 3, 3, 6}, Pattern(20 * 9 * 6, 37, 3),
                         QuantParams::PerChannel(Scales(20, 0.002f), 0));
  int b1 = b.AddConstant("b1", fb::DType::INT32, {20}, std::vector<int32_t>(20, 300));
  int y1 = b.AddTensor("y1", fb::DType::INT8, {1, 9, 7, 20}, QuantParams::PerTensor(0.04f, -128));
  int w2 = b.AddConstant("w2", fb::DType::INT8, {36, 1, 1, 20}, Pattern(36 * 20, 53, 1),
                         QuantParams::PerChannel(Scales(36, 0.003f), 0));
  int y2 = b.AddTensor("y2", fb::DType::INT8, {1, 9, 7, 36}, QuantParams::PerTensor(0.06f, 127));
  int w3 = b.AddConstant("w3", fb::DType::INT8, {10, 3, 3, 18}, Pattern(10 * 9 * 18, 29, 7),
                         QuantParams::PerChannel(Scales(10, 0.001f), 0));
  int b3 = b.AddConstant("b3", fb::DType::INT32, {10}, std::vector<int32_t>(10, -500));
  int y3 = b.AddTensor("y3", fb::DType::INT8, {1, 5, 4, 10}, QuantParams::PerTensor(0.05f, 3));
  int w4 = b.AddConstant("w4", fb::DType::INT8, {13, 200}, Pattern(13 * 200, 41, 5),
                         QuantParams::PerChannel(Scales(13, 0.0005f), 0));
  int y4 = b.AddTensor("output", fb::DType::INT8, {1, 13}, QuantParams::PerTensor(0.1f, -9));
  fb::Conv2DOptionsT c1;
  c1.pad_top = c1.pad_left = c1.pad_bottom = c1.pad_right = 1;
  c1.activation = std::make_unique<fb::FusedActivationT>();
  c1.activation->kind = fb::Activation::RELU;
  b.AddOp(fb::OpType::CONV_2D, {x, w1, b1}, {y1}, std::move(c1), "conv3x3");
  b.AddOp(fb::OpType::CONV_2D, {y1, w2, -1}, {y2}, fb::Conv2DOptionsT(), "conv1x1");
  fb::Conv2DOptionsT c3;
  c3.pad_top = c3.pad_left = c3.pad_bottom = c3.pad_right = 1;
  c3.stride_h = c3.stride_w = 2;
  c3.groups = 2;
  b.AddOp(fb::OpType::CONV_2D, {y2, w3, b3}, {y3}, std::move(c3), "grouped");
  b.AddOp(fb::OpType::FULLY_CONNECTED, {y3, w4, -1}, {y4}, fb::FullyConnectedOptionsT(), "fc");
  b.SetInputs({x});
  b.SetOutputs({y1, y2, y3, y4});  // all kept live, so all can be compared
  return b;
}

struct Net {
  std::unique_ptr<AlignedBytes> bytes;
  std::shared_ptr<const Model> model;
};

Net LoadNet() {
  Net n;
  n.bytes = std::make_unique<AlignedBytes>(MultiOpNet().Finish());
  Status s = Model::LoadBuffer(n.bytes->data(), n.bytes->size(), &n.model);
  EXPECT_TRUE(s.ok()) << s.message();
  return n;
}

// Runs the net; returns all intermediate and final outputs concatenated.
std::vector<int8_t> RunNet(const Net& n, InterpreterOptions o, std::string* names = nullptr) {
  std::unique_ptr<Interpreter> it;
  Status s = Interpreter::Create(n.model, o, &it);
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok()) return {};
  auto* in = static_cast<int8_t*>(it->input_data(0));
  const size_t bytes = n.model->tensor(n.model->inputs()[0]).bytes;
  for (size_t i = 0; i < bytes; ++i) in[i] = static_cast<int8_t>((i * 97 + 13) % 256 - 128);
  EXPECT_TRUE(it->Invoke().ok());
  std::vector<int8_t> out;
  const auto& ops = n.model->ops();
  for (size_t op = 0; op < ops.size(); ++op) {
    const int t = ops[op].outputs[0];
    const auto* p = static_cast<const int8_t*>(it->tensor_data(t));
    out.insert(out.end(), p, p + n.model->tensor(t).bytes);
    if (names) *names += std::string(it->kernel_name(static_cast<int>(op))) + " ";
  }
  return out;
}

TEST(IsaLevels, EveryLevelGivesTheReferenceBytes) {
  Net n = LoadNet();
  InterpreterOptions ref;
  ref.backend = QRUN_BACKEND_REFERENCE;
  const std::vector<int8_t> want = RunNet(n, ref);
  ASSERT_FALSE(want.empty());
  int levels_run = 0;
  for (Isa isa : {Isa::kReference, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon,
                  Isa::kNeonDot, Isa::kNeonI8mm}) {
    if (!kernels::IsaSupported(isa)) {
      std::printf("  [skip] %s: not supported by this CPU\n", kernels::IsaName(isa));
      continue;
    }
    for (int threads : {1, 2}) {
      InterpreterOptions o;
      o.isa = kernels::IsaName(isa);
      o.num_threads = threads;
      std::string names;
      const std::vector<int8_t> got = RunNet(n, o, &names);
      EXPECT_EQ(got, want) << o.isa << " threads " << threads << ": " << names;
      std::printf("  %s x%d: %s\n", o.isa.c_str(), threads, names.c_str());
      if (isa == Isa::kReference) {
        EXPECT_EQ(names.find("conv2d_s8_ref"), 0u) << names;
      } else if (kernels::IsaAtLeast(isa, Isa::kAvx2)) {
        // Every conv / fc here has an optimized x86 kernel.
        EXPECT_EQ(names.find("_ref"), std::string::npos) << names;
      }
    }
    ++levels_run;
  }
  EXPECT_GE(levels_run, 1);
}

TEST(IsaLevels, ReferenceBackendForcesReferenceKernels) {
  Net n = LoadNet();
  InterpreterOptions o;
  o.backend = QRUN_BACKEND_REFERENCE;
  o.isa = kernels::IsaName(kernels::BestIsa());
  std::string names;
  RunNet(n, o, &names);
  EXPECT_EQ(names, "conv2d_s8_ref conv2d_s8_ref conv2d_s8_ref fully_connected_s8_ref ");
}

TEST(IsaLevels, UnsupportedAndUnknownLevelsAreErrors) {
  Net n = LoadNet();
  std::unique_ptr<Interpreter> it;
  InterpreterOptions o;
  o.isa = "sse9";
  Status s = Interpreter::Create(n.model, o, &it);
  EXPECT_EQ(s.code(), QRUN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(s.message()).find("sse9"), std::string::npos) << s.message();
  for (Isa isa : {Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon, Isa::kNeonDot}) {
    if (kernels::IsaSupported(isa)) continue;
    o.isa = kernels::IsaName(isa);
    s = Interpreter::Create(n.model, o, &it);
    EXPECT_EQ(s.code(), QRUN_ERROR_UNSUPPORTED) << o.isa;
    EXPECT_NE(std::string(s.message()).find("not supported by this CPU"), std::string::npos)
        << s.message();
  }
}

TEST(IsaLevels, EnvironmentVariableForcesALevel) {
  Net n = LoadNet();
  ASSERT_EQ(setenv("QRUN_ISA", "reference", 1), 0);
  std::string names;
  RunNet(n, InterpreterOptions(), &names);
  EXPECT_EQ(names.find("conv2d_s8_ref"), 0u) << names;
  // An explicit option wins over the environment.
  if (kernels::BestIsa() != Isa::kReference) {
    InterpreterOptions o;
    o.isa = kernels::IsaName(kernels::BestIsa());
    names.clear();
    RunNet(n, o, &names);
    EXPECT_EQ(names.find("_ref"), std::string::npos) << names;
  }
  ASSERT_EQ(setenv("QRUN_ISA", "bogus", 1), 0);
  std::unique_ptr<Interpreter> it;
  EXPECT_EQ(Interpreter::Create(n.model, InterpreterOptions(), &it).code(),
            QRUN_ERROR_INVALID_ARGUMENT);
  unsetenv("QRUN_ISA");
}

}  // namespace
}  // namespace qrun

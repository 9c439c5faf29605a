// Interpreter: results equal direct reference-kernel calls, the arena never
// overlaps two live tensors, options are checked (thread tests: tests/threads/).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels/reference/conv2d.h"
#include "runtime/interpreter.h"
#include "runtime/model.h"
#include "test_models.h"

namespace qrun {
namespace {

struct Loaded {
  std::unique_ptr<AlignedBytes> bytes;
  std::shared_ptr<const Model> model;
};

Loaded Load(const ModelBuilder& b) {
  Loaded l;
  l.bytes = std::make_unique<AlignedBytes>(b.Finish());
  Status s = Model::LoadBuffer(l.bytes->data(), l.bytes->size(), &l.model);
  EXPECT_TRUE(s.ok()) << s.message();
  return l;
}

std::unique_ptr<Interpreter> MakeInterpreter(std::shared_ptr<const Model> model,
                                             InterpreterOptions options = {}) {
  std::unique_ptr<Interpreter> it;
  Status s = Interpreter::Create(std::move(model), options, &it);
  EXPECT_TRUE(s.ok()) << s.message();
  return it;
}

void FillInput(Interpreter& it, uint32_t seed) {
  auto* p = static_cast<int8_t*>(it.input_data(0));
  const size_t n = it.model().tensor(it.model().inputs()[0]).bytes;
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>((i * 131 + seed * 17) % 256 - 128);
}

// The two convolutions of SmallConvNet, run by hand with the reference kernel.
std::vector<int8_t> RunSmallConvNetByHand(const Model& m, const int8_t* input) {
  auto run_conv = [&](int op, const int8_t* in, int pad) {
    const OpInfo& info = m.ops()[static_cast<size_t>(op)];
    const TensorInfo& x = m.tensor(info.inputs[0]);
    const TensorInfo& w = m.tensor(info.inputs[1]);
    const TensorInfo& b = m.tensor(info.inputs[2]);
    const TensorInfo& y = m.tensor(info.outputs[0]);
    kernels::Conv2DGeometry g;
    g.in_h = static_cast<int>(x.dims[1]);
    g.in_w = static_cast<int>(x.dims[2]);
    g.in_c = static_cast<int>(x.dims[3]);
    g.out_h = static_cast<int>(y.dims[1]);
    g.out_w = static_cast<int>(y.dims[2]);
    g.out_c = static_cast<int>(y.dims[3]);
    g.kernel_h = static_cast<int>(w.dims[1]);
    g.kernel_w = static_cast<int>(w.dims[2]);
    g.pad_top = g.pad_left = pad;
    std::vector<float> scale(static_cast<size_t>(g.out_c));
    for (int c = 0; c < g.out_c; ++c) scale[static_cast<size_t>(c)] = x.scale() * w.quant.scale[static_cast<size_t>(c)] / y.scale();
    kernels::QuantizedOutput q;
    q.zero_point = y.zero_point();
    std::vector<int8_t> out(y.bytes);
    kernels::ref::conv2d_s8(g, in, x.zero_point(), reinterpret_cast<const int8_t*>(w.constant),
                            reinterpret_cast<const int32_t*>(b.constant), scale.data(), q, out.data());
    return out;
  };
  std::vector<int8_t> mid = run_conv(0, input, 1);
  return run_conv(1, mid.data(), 0);
}

TEST(Interpreter, MatchesReferenceKernelsCalledDirectly) {
  Loaded l = Load(testmodels::SmallConvNet());
  auto it = MakeInterpreter(l.model);
  ASSERT_TRUE(it);
  for (uint32_t seed = 0; seed < 3; ++seed) {
    FillInput(*it, seed);
    ASSERT_TRUE(it->Invoke().ok());
    std::vector<int8_t> want = RunSmallConvNetByHand(*l.model, static_cast<int8_t*>(it->input_data(0)));
    const auto* got = static_cast<const int8_t*>(it->output_data(0));
    EXPECT_EQ(0, std::memcmp(got, want.data(), want.size())) << "seed " << seed;
  }
}

TEST(Interpreter, InputsSurviveInvokeSoRepeatedRunsAgree) {
  Loaded l = Load(testmodels::SmallConvNet());
  auto it = MakeInterpreter(l.model);
  ASSERT_TRUE(it);
  FillInput(*it, 4);
  const size_t in_bytes = l.model->tensor(l.model->inputs()[0]).bytes;
  const size_t out_bytes = l.model->tensor(l.model->outputs()[0]).bytes;
  std::vector<uint8_t> input(static_cast<uint8_t*>(it->input_data(0)),
                             static_cast<uint8_t*>(it->input_data(0)) + in_bytes);
  ASSERT_TRUE(it->Invoke().ok());
  std::vector<uint8_t> first(static_cast<uint8_t*>(it->output_data(0)),
                             static_cast<uint8_t*>(it->output_data(0)) + out_bytes);
  EXPECT_EQ(0, std::memcmp(it->input_data(0), input.data(), in_bytes));
  ASSERT_TRUE(it->Invoke().ok());
  EXPECT_EQ(0, std::memcmp(it->output_data(0), first.data(), out_bytes));
}

TEST(Interpreter, LiveTensorsNeverOverlapInTheArena) {
  Loaded l = Load(testmodels::SmallConvNet());
  auto it = MakeInterpreter(l.model);
  ASSERT_TRUE(it);
  const Model& m = *l.model;
  const int num_ops = static_cast<int>(m.ops().size());
  // Recompute lifetimes independently and check every live pair per step.
  for (int step = 0; step < num_ops; ++step) {
    std::vector<int> live;
    for (size_t t = 0; t < m.tensors().size(); ++t) {
      if (m.tensor(static_cast<int>(t)).is_constant()) continue;
      int first = num_ops + 1, last = -1;
      for (int i = 0; i < num_ops; ++i) {
        const OpInfo& op = m.ops()[static_cast<size_t>(i)];
        bool uses = std::count(op.inputs.begin(), op.inputs.end(), static_cast<int>(t)) ||
                    std::count(op.outputs.begin(), op.outputs.end(), static_cast<int>(t));
        if (uses) first = std::min(first, i), last = std::max(last, i);
      }
      if (std::count(m.inputs().begin(), m.inputs().end(), static_cast<int>(t))) first = 0, last = num_ops;
      if (std::count(m.outputs().begin(), m.outputs().end(), static_cast<int>(t))) last = num_ops;
      if (first <= step && step <= last) live.push_back(static_cast<int>(t));
    }
    for (size_t a = 0; a < live.size(); ++a) {
      for (size_t b = a + 1; b < live.size(); ++b) {
        auto* pa = static_cast<uint8_t*>(it->tensor_data(live[a]));
        auto* pb = static_cast<uint8_t*>(it->tensor_data(live[b]));
        const size_t na = m.tensor(live[a]).bytes, nb = m.tensor(live[b]).bytes;
        EXPECT_TRUE(pa + na <= pb || pb + nb <= pa) << "tensors " << live[a] << " and " << live[b];
      }
    }
  }
  EXPECT_GE(it->arena_bytes(), it->arena_lower_bound());
  EXPECT_LE(it->arena_bytes(), it->arena_lower_bound() * 11 / 10);
}

TEST(Interpreter, RejectsBadOptions) {
  Loaded l = Load(testmodels::SmallConvNet());
  std::unique_ptr<Interpreter> it;
  InterpreterOptions o;
  o.num_threads = -2;
  EXPECT_EQ(Interpreter::Create(l.model, o, &it).code(), QRUN_ERROR_INVALID_ARGUMENT);
  o.num_threads = 1;
  o.backend = 42;
  EXPECT_EQ(Interpreter::Create(l.model, o, &it).code(), QRUN_ERROR_INVALID_ARGUMENT);
}

TEST(Interpreter, ProfileCountsMacsAndTimes) {
  Loaded l = Load(testmodels::SmallConvNet());
  InterpreterOptions o;
  o.profiling = true;
  auto it = MakeInterpreter(l.model, o);
  ASSERT_TRUE(it);
  ASSERT_TRUE(it->Invoke().ok());
  ASSERT_EQ(it->profile().size(), 2u);
  EXPECT_EQ(it->profile()[0].macs, 6u * 6 * 8 * 3 * 3 * 4);
  EXPECT_EQ(it->profile()[1].macs, 6u * 6 * 4 * 8);
  EXPECT_GE(it->profile()[0].time_ms, 0.0);
  // The native backend picks the best kernel for this CPU: reference
  // ("conv2d_s8_ref") or optimized ("qs8-conv2d-3x3-igemm/4x16c2-avx2").
  EXPECT_NE(std::string(it->kernel_name(0)).find("conv2d"), std::string::npos) << it->kernel_name(0);
}

}  // namespace
}  // namespace qrun

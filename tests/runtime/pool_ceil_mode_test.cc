// AVERAGE_POOL_2D with ceil_mode and explicit end padding, through the
// loader and interpreter (ONNX semantics: overhang beyond the end pad never
// counts, explicit end pad counts with count_include_pad).
#include <gtest/gtest.h>

#include <vector>

#include "runtime/interpreter.h"
#include "runtime/model.h"
#include "test_models.h"

namespace qrun {
namespace {

// float32 [1,1,W,1] -> AVERAGE_POOL 1x2 stride 2 -> [1,1,out_w,1].
std::vector<uint8_t> PoolModel(int in_w, int out_w, int pad_right, bool ceil_mode,
                               bool include_pad) {
  ModelBuilder b;
  int x = b.AddTensor("x", fb::DType::FLOAT32, {1, 1, in_w, 1});
  int y = b.AddTensor("y", fb::DType::FLOAT32, {1, 1, out_w, 1});
  fb::Pool2DOptionsT o;
  o.kernel_h = 1;
  o.kernel_w = 2;
  o.stride_w = 2;
  o.pad_right = pad_right;
  o.ceil_mode = ceil_mode;
  o.count_include_pad = include_pad;
  b.AddOp(fb::OpType::AVERAGE_POOL_2D, {x}, {y}, std::move(o), "pool");
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

std::vector<float> RunPool(const std::vector<uint8_t>& bytes, const std::vector<float>& input,
                       Status* status) {
  AlignedBytes copy(bytes);
  std::shared_ptr<const Model> model;
  *status = Model::LoadBuffer(copy.data(), copy.size(), &model);
  if (!status->ok()) return {};
  std::unique_ptr<Interpreter> it;
  *status = Interpreter::Create(model, {}, &it);
  if (!status->ok()) return {};
  std::copy(input.begin(), input.end(), static_cast<float*>(it->input_data(0)));
  *status = it->Invoke();
  const auto* out = static_cast<const float*>(it->output_data(0));
  return std::vector<float>(out, out + model->tensor(model->outputs()[0]).elements);
}

TEST(PoolCeilMode, OutputSizeFollowsCeilMode) {
  Status s;
  RunPool(PoolModel(3, 2, 0, /*ceil_mode=*/false, false), {4, 6, 9}, &s);
  EXPECT_FALSE(s.ok()) << "floor mode gives 1 output, not 2";
  std::vector<float> y = RunPool(PoolModel(3, 2, 0, /*ceil_mode=*/true, false), {4, 6, 9}, &s);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(y, (std::vector<float>{5, 9}));
}

TEST(PoolCeilMode, OverhangNeverCountsButExplicitPadDoes) {
  Status s;
  // No end pad: the last window holds one cell either way.
  std::vector<float> y = RunPool(PoolModel(3, 2, 0, true, /*include_pad=*/true), {4, 6, 9}, &s);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(y, (std::vector<float>{5, 9}));
  // Explicit end pad of 1: it counts with count_include_pad.
  y = RunPool(PoolModel(3, 2, 1, false, /*include_pad=*/true), {4, 6, 9}, &s);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(y, (std::vector<float>{5, 4.5f}));
  y = RunPool(PoolModel(3, 2, 1, false, /*include_pad=*/false), {4, 6, 9}, &s);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(y, (std::vector<float>{5, 9}));
}

}  // namespace
}  // namespace qrun

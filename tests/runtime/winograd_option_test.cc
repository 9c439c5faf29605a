// qrun_options.winograd: a 3x3 stride-1 int8 conv runs through the Winograd
// kernel by default where the CPU has one (x86 AVX2) and through the direct
// kernel with the option off; both give the same bytes, and the Winograd
// run's packed weights are larger (16 vs 9 int16 per filter and channel).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "qrun/qrun.h"
#include "test_models.h"

namespace {

using qrun::AlignedBytes;
using qrun::ModelBuilder;
using qrun::QuantParams;
namespace fb = qrun::fb;
namespace kernels = qrun::kernels;

std::vector<uint8_t> ThreeByThreeConv() {
  ModelBuilder b("qrun tests");
  const int c = 24, oc = 20, hw = 11;
  int input = b.AddTensor("input", fb::DType::INT8, {1, hw, hw, c}, QuantParams::PerTensor(0.05f, -9));
  std::vector<int8_t> w(static_cast<size_t>(oc) * 9 * c);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  std::vector<float> s(oc);
  for (int i = 0; i < oc; ++i) s[static_cast<size_t>(i)] = 0.0005f * static_cast<float>(i + 1);
  std::vector<int32_t> bias(oc);
  for (int i = 0; i < oc; ++i) bias[static_cast<size_t>(i)] = 100 * i - 900;
  int conv_w = b.AddConstant("w", fb::DType::INT8, {oc, 3, 3, c}, w, QuantParams::PerChannel(s, 0));
  int conv_b = b.AddConstant("b", fb::DType::INT32, {oc}, bias);
  int output = b.AddTensor("output", fb::DType::INT8, {1, hw, hw, oc}, QuantParams::PerTensor(0.1f, 3));
  fb::Conv2DOptionsT o;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  b.AddOp(fb::OpType::CONV_2D, {input, conv_w, conv_b}, {output}, std::move(o), "conv3x3");
  b.SetInputs({input});
  b.SetOutputs({output});
  return b.Finish();
}

struct RunResult {
  std::string kernel;
  std::vector<int8_t> output;
};

RunResult RunWith(const qrun_model* model, int winograd, int threads) {
  qrun_options options = qrun_options_default();
  options.winograd = winograd;
  options.num_threads = threads;
  options.enable_profiling = 1;
  qrun_interpreter* it = nullptr;
  EXPECT_EQ(qrun_interpreter_create(model, &options, &it), QRUN_OK) << qrun_last_error();
  if (it == nullptr) return {};
  qrun_tensor in, out;
  EXPECT_EQ(qrun_interpreter_input(it, 0, &in), QRUN_OK);
  auto* x = static_cast<int8_t*>(in.data);
  for (size_t i = 0; i < in.bytes; ++i) x[i] = static_cast<int8_t>(static_cast<int>(i * 29 % 256) - 128);
  EXPECT_EQ(qrun_interpreter_invoke(it), QRUN_OK) << qrun_last_error();
  EXPECT_EQ(qrun_interpreter_output(it, 0, &out), QRUN_OK);
  qrun_op_profile p;
  EXPECT_EQ(qrun_interpreter_op_profile(it, 0, &p), QRUN_OK);
  const auto* y = static_cast<const int8_t*>(out.data);
  RunResult r{p.kernel, std::vector<int8_t>(y, y + out.bytes)};
  qrun_interpreter_free(it);
  return r;
}

TEST(WinogradOption, DefaultOnSameResultsAsDirect) {
  EXPECT_EQ(qrun_options_default().winograd, 1);
  const std::vector<uint8_t> bytes = ThreeByThreeConv();
  AlignedBytes aligned(bytes);
  qrun_model* model = nullptr;
  ASSERT_EQ(qrun_model_load_buffer(aligned.data(), aligned.size(), &model), QRUN_OK) << qrun_last_error();
  const RunResult direct = RunWith(model, 0, 1);
  EXPECT_EQ(direct.kernel.find("winograd"), std::string::npos) << direct.kernel;
  for (int threads : {1, 2}) {
    const RunResult wino = RunWith(model, 1, threads);
    if (kernels::IsaSupported(kernels::Isa::kAvx2) &&
        !kernels::IsaSupported(kernels::Isa::kAvx512Vnni)) {
      EXPECT_NE(wino.kernel.find("winograd"), std::string::npos) << wino.kernel;
    }
    EXPECT_EQ(wino.output, direct.output) << wino.kernel << " vs " << direct.kernel;
  }
  qrun_model_free(model);
}

}  // namespace

// The XNNPACK backend end to end on the real models of ../shared/models
// (converted here: QDQ files import as int8, the others as float32, and the
// float MobileNetV3-Small also as calibrated static int8): the outputs'
// cosine similarity with the native backend is >= 0.999, every op ran on
// one backend or the other, and the ops that fell back are printed. Skipped
// when ../shared is not beside the checkout or XNNPACK is not built in.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "converter/converter.h"
#include "runtime/interpreter.h"
#include "runtime/model.h"
#include "test_models.h"

namespace qrun::conv {
namespace {

std::string SourceDir() {
  const char* src = std::getenv("QRUN_SOURCE_DIR");
  return src ? src : ".";
}

// The eval image for ImageNet-shaped inputs, the MNIST digit for MNIST,
// fixed pseudo-random values otherwise.
std::vector<uint8_t> InputBytes(const TensorInfo& t) {
  for (const std::string& path : {SourceDir() + "/../shared/data/images/eval/eval_00.f32",
                                  SourceDir() + "/examples/mnist/digit_7_3.f32"}) {
    std::ifstream f(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (t.dtype == DType::kFloat32 && bytes.size() == t.bytes) return bytes;
  }
  std::vector<uint8_t> bytes(t.bytes);
  std::mt19937 gen(1);
  if (t.dtype == DType::kFloat32) {
    std::uniform_real_distribution<float> d(-2.0f, 2.0f);
    for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
      const float v = d(gen);
      std::memcpy(&bytes[i], &v, 4);
    }
  } else {
    for (auto& b : bytes) b = static_cast<uint8_t>(gen());
  }
  return bytes;
}

// Graph output 0 as floats (int8 outputs dequantized).
std::vector<double> OutputValues(const Interpreter& it) {
  const TensorInfo& t = it.model().tensor(it.model().outputs()[0]);
  std::vector<double> v(static_cast<size_t>(t.elements));
  for (size_t i = 0; i < v.size(); ++i) {
    if (t.dtype == DType::kFloat32) {
      v[i] = static_cast<const float*>(it.output_data(0))[i];
    } else {
      v[i] = t.scale() * (static_cast<const int8_t*>(it.output_data(0))[i] - t.zero_point());
    }
  }
  return v;
}

double Cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : (aa == bb ? 1.0 : 0.0);
}

void CheckModel(const std::string& file, bool quantize, int calib_random = 0) {
  const std::string path = SourceDir() + "/../shared/models/" + file;
  if (!std::ifstream(path).good()) GTEST_SKIP() << path << " not found";
  ConvertOptions o;
  o.model_path = path;
  o.quantize = quantize;
  o.calib_random = calib_random;
  std::vector<uint8_t> bytes;
  ConvertSummary summary;
  Status s = ConvertToBytes(o, &bytes, &summary);
  ASSERT_TRUE(s.ok()) << s.message();
  AlignedBytes aligned(bytes);
  std::shared_ptr<const Model> model;
  s = Model::LoadBuffer(aligned.data(), aligned.size(), &model);
  ASSERT_TRUE(s.ok()) << s.message();

  InterpreterOptions xo;
  xo.backend = QRUN_BACKEND_XNNPACK;
  xo.profiling = true;
  std::unique_ptr<Interpreter> xnn, native;
  s = Interpreter::Create(model, xo, &xnn);
  if (s.code() == QRUN_ERROR_UNSUPPORTED && s.message().find("not available") != std::string::npos) {
    GTEST_SKIP() << "built without XNNPACK";
  }
  ASSERT_TRUE(s.ok()) << s.message();
  s = Interpreter::Create(model, {}, &native);
  ASSERT_TRUE(s.ok()) << s.message();

  const TensorInfo& in = model->tensor(model->inputs()[0]);
  const std::vector<uint8_t> input = InputBytes(in);
  for (Interpreter* it : {xnn.get(), native.get()}) {
    std::memcpy(it->input_data(0), input.data(), input.size());
    ASSERT_TRUE(it->Invoke().ok());
  }
  const double cosine = Cosine(OutputValues(*xnn), OutputValues(*native));

  // Every op ran, on XNNPACK or natively; tally the fallbacks by type.
  const int ops = static_cast<int>(model->ops().size());
  int on_xnn = 0;
  std::map<std::string, int> fallbacks;
  for (int i = 0; i < ops; ++i) {
    const std::string backend = xnn->op_backend(i);
    EXPECT_TRUE(backend == "xnnpack" || backend == "native") << i << ": " << backend;
    EXPECT_GT(xnn->profile()[static_cast<size_t>(i)].time_ms, 0.0) << model->op_label(i) << " did not run";
    if (backend == "xnnpack") {
      ++on_xnn;
    } else {
      const OpInfo& op = model->ops()[static_cast<size_t>(i)];
      fallbacks[std::string(op_type_name(op.type)) + " (" + xnn->kernel_name(i) + ")"]++;
    }
  }
  std::printf("%s%s: %d ops, %d on XNNPACK, cosine vs native %.6f\n", file.c_str(),
              calib_random ? " (calibrated int8)" : "", ops, on_xnn, cosine);
  for (const auto& [what, n] : fallbacks) std::printf("    native: %dx %s\n", n, what.c_str());
  ::testing::Test::RecordProperty("cosine", std::to_string(cosine));
  EXPECT_GE(cosine, 0.999);
  EXPECT_GT(on_xnn, 0);
}

TEST(XnnpackOnSharedModels, MnistFloat) { CheckModel("mnist_cnn.onnx", false); }
TEST(XnnpackOnSharedModels, MnistInt8) { CheckModel("mnist_cnn.qdq.onnx", true); }
TEST(XnnpackOnSharedModels, MnistInt8U8S8) { CheckModel("mnist_cnn.qdq_u8s8.onnx", true); }
TEST(XnnpackOnSharedModels, MobileNetV2Float) { CheckModel("mobilenet_v2.onnx", false); }
TEST(XnnpackOnSharedModels, MobileNetV2Int8) { CheckModel("mobilenet_v2.qdq.onnx", true); }
TEST(XnnpackOnSharedModels, MobileNetV2Int8U8S8) { CheckModel("mobilenet_v2.qdq_u8s8.onnx", true); }
TEST(XnnpackOnSharedModels, MobileNetV3SmallFloat) { CheckModel("mobilenet_v3_small.onnx", false); }
TEST(XnnpackOnSharedModels, MobileNetV3SmallInt8) { CheckModel("mobilenet_v3_small.qdq.onnx", true); }
TEST(XnnpackOnSharedModels, MobileNetV3SmallInt8U8S8) { CheckModel("mobilenet_v3_small.qdq_u8s8.onnx", true); }
TEST(XnnpackOnSharedModels, MobileNetV3SmallCalibrated) { CheckModel("mobilenet_v3_small.onnx", true, 2); }
TEST(XnnpackOnSharedModels, ResNet18Float) { CheckModel("resnet18.onnx", false); }
TEST(XnnpackOnSharedModels, ResNet18Int8) { CheckModel("resnet18.qdq.onnx", true); }
TEST(XnnpackOnSharedModels, ResNet18Int8U8S8) { CheckModel("resnet18.qdq_u8s8.onnx", true); }

}  // namespace
}  // namespace qrun::conv

// qconvert --dynamic end to end: the bundled MNIST CNN with int8 weights and
// run-time activation quantization against its float conversion, plus the
// option's errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "converter/converter.h"
#include "converter/runner.h"
#include "runtime/model.h"

namespace qrun::conv {
namespace {

std::string MnistDir() {
  const char* src = std::getenv("QRUN_SOURCE_DIR");
  return std::string(src ? src : ".") + "/examples/mnist";
}

TEST(DynamicConvert, MnistAgreesWithFloatAndIsSmaller) {
  ConvertOptions f;
  f.model_path = MnistDir() + "/mnist_cnn.onnx";
  f.quantize = false;
  ConvertOptions d;
  d.model_path = f.model_path;
  d.dynamic = true;  // no --calib needed
  std::vector<uint8_t> fb, db;
  ConvertSummary fs, ds;
  Status st = ConvertToBytes(f, &fb, &fs);
  ASSERT_TRUE(st.ok()) << st.message();
  st = ConvertToBytes(d, &db, &ds);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_NE(ds.line.find("dynamic int8"), std::string::npos) << ds.line;
  EXPECT_EQ(ds.int8_ops, 4) << ds.line;  // 2 convs + 2 fully connected
  // Weights are almost all of the model: int8 is about 4x smaller.
  EXPECT_LT(db.size() * 3, fb.size()) << db.size() << " vs " << fb.size();

  Runner fr, dr;
  ASSERT_TRUE(fr.Load(fb).ok());
  ASSERT_TRUE(dr.Load(db).ok());
  int dynamic_layers = 0;
  for (size_t i = 0; i < dr.model().ops().size(); ++i) {
    const std::string type = op_type_name(dr.model().ops()[i].type);
    if (type == "QUANTIZE" || type == "DEQUANTIZE") ADD_FAILURE() << "no boundary ops expected";
    const TensorInfo& w = dr.model().ops()[i].inputs.size() > 1
                              ? dr.model().tensor(dr.model().ops()[i].inputs[1])
                              : dr.model().tensor(dr.model().ops()[i].inputs[0]);
    if (type == "CONV_2D" || type == "FULLY_CONNECTED") {
      EXPECT_EQ(w.dtype, DType::kInt8);
      ++dynamic_layers;
    }
  }
  EXPECT_EQ(dynamic_layers, 4);

  std::vector<std::vector<float>> x;
  InputTransform mnist;
  ASSERT_TRUE(ParseTransform("mnist", &mnist).ok());
  ASSERT_TRUE(LoadSamples(MnistDir() + "/test_images_200.u8", {1, 1, 28, 28}, mnist,
                          SampleFormat::kUInt8, -1, &x).ok());
  std::vector<uint8_t> labels;
  ASSERT_TRUE(ReadFileBytes(MnistDir() + "/test_labels_200.u8", &labels).ok());
  ASSERT_EQ(x.size(), 200u);
  auto argmax = [](const std::vector<float>& v) { return std::max_element(v.begin(), v.end()) - v.begin(); };
  int agree = 0, fc = 0, dc = 0;
  double worst_rel = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_TRUE(fr.Run({x[i]}).ok());
    ASSERT_TRUE(dr.Run({x[i]}).ok());
    const std::vector<float> a = fr.Get(fr.model().outputs()[0]);
    const std::vector<float> b = dr.Get(dr.model().outputs()[0]);
    agree += argmax(a) == argmax(b);
    fc += argmax(a) == labels[i];
    dc += argmax(b) == labels[i];
    double num = 0, den = 0;
    for (size_t k = 0; k < a.size(); ++k) {
      num += (a[k] - b[k]) * (a[k] - b[k]);
      den += a[k] * a[k];
    }
    worst_rel = std::max(worst_rel, num / den);
  }
  EXPECT_GE(agree, 198);
  EXPECT_LE(std::abs(fc - dc), 2);
  EXPECT_LT(worst_rel, 1e-3);  // every sample's logits within 30 dB SQNR
}

TEST(DynamicConvert, RefusesWhatItCannotDo) {
  ConvertOptions d;
  d.model_path = MnistDir() + "/mnist_cnn.onnx";
  d.dynamic = true;
  d.int8_io = true;
  std::vector<uint8_t> bytes;
  ConvertSummary s;
  Status st = ConvertToBytes(d, &bytes, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("--io int8"), std::string::npos) << st.message();
  d.int8_io = false;
  d.quantize = false;
  st = ConvertToBytes(d, &bytes, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("--float"), std::string::npos) << st.message();
  d.quantize = true;
  d.keep_float = {"no_such_node"};
  st = ConvertToBytes(d, &bytes, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no_such_node"), std::string::npos) << st.message();
}

// --keep-float keeps the named layer's weights float32.
TEST(DynamicConvert, KeepFloatKeepsFloatWeights) {
  ConvertOptions d;
  d.model_path = MnistDir() + "/mnist_cnn.onnx";
  d.dynamic = true;
  d.keep_float = {"/fc2/Gemm"};
  std::vector<uint8_t> bytes;
  ConvertSummary s;
  Status st = ConvertToBytes(d, &bytes, &s);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(s.int8_ops, 3) << s.line;
}

}  // namespace
}  // namespace qrun::conv

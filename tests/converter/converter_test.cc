// qconvert's library on small ONNX graphs built here with the protobuf API:
// each rewrite and op against a float reference computed in the test, QDQ
// scale preservation, error messages, and MNIST end to end.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "converter/converter.h"
#include "converter/runner.h"
#include "runtime/model.h"

namespace qrun::conv {
namespace {

// ---- building ONNX models ----
struct OnnxBuilder {
  onnx::ModelProto m;
  onnx::GraphProto* g;
  explicit OnnxBuilder(int opset = 13) {
    m.set_ir_version(8);
    auto* o = m.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    g = m.mutable_graph();
    g->set_name("test");
  }
  void Input(const std::string& name, const std::vector<int64_t>& dims, const std::string& dyn = "") {
    auto* i = g->add_input();
    i->set_name(name);
    auto* t = i->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) {
      auto* dim = t->mutable_shape()->add_dim();
      if (d < 0) dim->set_dim_param(dyn);
      else dim->set_dim_value(d);
    }
  }
  void Output(const std::string& name) { g->add_output()->set_name(name); }
  void Floats(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float x : v) t->add_float_data(x);
  }
  void Ints(const std::string& name, int type, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t x : v) {
      if (type == onnx::TensorProto::INT64) t->add_int64_data(x);
      else t->add_int32_data(static_cast<int32_t>(x));
    }
  }
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out, const std::string& name = "") {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + "_" + std::to_string(g->node_size()) : name);
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return n;
  }
  static void AttrI(onnx::NodeProto* n, const std::string& k, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void AttrF(onnx::NodeProto* n, const std::string& k, float v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void AttrInts(onnx::NodeProto* n, const std::string& k, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  // The process id in the name: ctest -j runs each test in its own process,
  // and two tests saving the same model must not share (and truncate) a file.
  // Removed when the process exits.
  std::string Save(const std::string& tag) {
    struct Cleanup {
      std::vector<std::string> paths;
      ~Cleanup() {
        for (const std::string& p : paths) std::remove(p.c_str());
      }
    };
    static Cleanup cleanup;
    const std::string path = ::testing::TempDir() + "qconvert_" + std::to_string(getpid()) + "_" +
                             tag + ".onnx";
    cleanup.paths.push_back(path);
    std::ofstream f(path, std::ios::binary);
    m.SerializeToOstream(&f);
    return path;
  }
};

std::vector<float> Random(size_t n, uint32_t seed, float lo = -1, float hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Plain NCHW conv reference (no padding, stride 1).
std::vector<float> ConvNchw(const std::vector<float>& x, int c, int h, int w, const std::vector<float>& wt,
                            int oc, int k, const std::vector<float>& b) {
  const int oh = h - k + 1, ow = w - k + 1;
  std::vector<float> y(static_cast<size_t>(oc * oh * ow));
  for (int o = 0; o < oc; ++o)
    for (int i = 0; i < oh; ++i)
      for (int j = 0; j < ow; ++j) {
        double acc = b[static_cast<size_t>(o)];
        for (int ci = 0; ci < c; ++ci)
          for (int a = 0; a < k; ++a)
            for (int bb = 0; bb < k; ++bb)
              acc += double{x[static_cast<size_t>((ci * h + i + a) * w + j + bb)]} * wt[static_cast<size_t>(((o * c + ci) * k + a) * k + bb)];
        y[static_cast<size_t>((o * oh + i) * ow + j)] = static_cast<float>(acc);
      }
  return y;
}

Status ConvertAndRun(const std::string& path, ConvertOptions o, const std::vector<float>& input,
                     std::vector<float>* out, std::vector<uint8_t>* bytes_out = nullptr) {
  o.model_path = path;
  std::vector<uint8_t> bytes;
  ConvertSummary s;
  QRUN_RETURN_IF_ERROR(ConvertToBytes(o, &bytes, &s));
  if (bytes_out) *bytes_out = bytes;
  Runner r;
  QRUN_RETURN_IF_ERROR(r.Load(bytes));
  QRUN_RETURN_IF_ERROR(r.Run({input}));
  *out = r.Get(r.model().outputs()[0]);
  return Status::Ok();
}

ConvertOptions FloatOptions() {
  ConvertOptions o;
  o.quantize = false;
  return o;
}

float MaxDiff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

// ---- tests ----

TEST(Converter, BatchNormFoldedIntoConv) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 5, 5});
  const auto w = Random(3 * 2 * 9, 1), bias = Random(3, 2);
  b.Floats("w", {3, 2, 3, 3}, w);
  b.Floats("b", {3}, bias);
  const std::vector<float> gamma = {1.5f, -0.5f, 2.0f}, beta = {0.1f, 0.2f, -0.3f}, mean = {0.3f, -0.2f, 0.0f},
                           var = {0.5f, 2.0f, 1.0f};
  b.Floats("g", {3}, gamma);
  b.Floats("be", {3}, beta);
  b.Floats("m", {3}, mean);
  b.Floats("v", {3}, var);
  b.Node("Conv", {"x", "w", "b"}, {"c"});
  auto* bn = b.Node("BatchNormalization", {"c", "g", "be", "m", "v"}, {"y"}, "bn");
  OnnxBuilder::AttrF(bn, "epsilon", 1e-5f);
  b.Output("y");
  const std::string path = b.Save("bn");
  Graph g;
  bool pq = false;
  ASSERT_TRUE(ImportAndOptimize(path, {}, &g, &pq).ok());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Conv");

  const auto x = Random(50, 3);
  std::vector<float> ref = ConvNchw(x, 2, 5, 5, w, 3, 3, bias);
  for (size_t i = 0; i < ref.size(); ++i) {
    const size_t c = i / 9;
    ref[i] = static_cast<float>((ref[i] - mean[c]) / std::sqrt(var[c] + 1e-5) * gamma[c] + beta[c]);
  }
  std::vector<float> y;
  Status s = ConvertAndRun(path, FloatOptions(), x, &y);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_LT(MaxDiff(y, ref), 1e-4f);
}

// A negative variance (or a statistic of the wrong length) is a corrupt
// model: folded, it would give NaN weights in a float conversion.
TEST(Converter, BatchNormRejectsNegativeVarianceAndShortStatistics) {
  for (const bool short_stats : {false, true}) {
    OnnxBuilder b;
    b.Input("x", {1, 2, 3, 3});
    b.Floats("w", {2, 2, 1, 1}, Random(4, 1));
    b.Floats("g", {2}, {1.0f, 1.0f});
    b.Floats("be", {2}, {0.0f, 0.0f});
    b.Floats("m", {2}, {0.0f, 0.0f});
    if (short_stats) b.Floats("v", {1}, {1.0f});
    else b.Floats("v", {2}, {1.0f, -2.0f});
    b.Node("Conv", {"x", "w"}, {"c"});
    b.Node("BatchNormalization", {"c", "g", "be", "m", "v"}, {"y"}, "bn");
    b.Output("y");
    Graph g;
    bool pq = false;
    const Status s = ImportAndOptimize(b.Save(short_stats ? "bn_short" : "bn_negvar"), {}, &g, &pq);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("node 'bn'"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(short_stats ? "one value per channel" : "variance"), std::string::npos)
        << s.message();
  }
}

// A zero dimension (here: a Conv with no output channels) is rejected by
// the converter with the node named (before, the runtime's validator caught
// this one, and a mutant of the QDQ seed with an empty weight got as far as
// the weight quantization and divided by zero there).
TEST(Converter, EmptyTensorsAreRejected) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 3, 3});
  b.Floats("w", {0, 2, 1, 1}, {});
  b.Node("Conv", {"x", "w"}, {"y"}, "empty_conv");
  b.Output("y");
  const std::string path = b.Save("empty_conv");
  for (const bool quantize : {false, true}) {
    ConvertOptions o;
    o.model_path = path;
    o.quantize = quantize;
    o.calib_random = 2;
    std::vector<uint8_t> bytes;
    ConvertSummary summary;
    const Status s = ConvertToBytes(o, &bytes, &summary);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("node 'empty_conv'"), std::string::npos) << s.message();
  }
}

TEST(Converter, ReluAndClipFusedIntoProducer) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 4, 4});
  b.Floats("w", {2, 1, 1, 1}, {2.0f, -3.0f});
  b.Floats("lo", {}, {0.0f});
  b.Floats("hi", {}, {6.0f});
  b.Node("Conv", {"x", "w"}, {"c"});
  b.Node("Clip", {"c", "lo", "hi"}, {"y"});
  b.Output("y");
  const std::string path = b.Save("clip");
  Graph g;
  bool pq = false;
  ASSERT_TRUE(ImportAndOptimize(path, {}, &g, &pq).ok());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(ActivationName(g.nodes[0]), "relu6");
  const auto x = Random(16, 4, -4, 4);
  std::vector<float> y;
  ASSERT_TRUE(ConvertAndRun(path, FloatOptions(), x, &y).ok());
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 16; ++i)
      EXPECT_FLOAT_EQ(y[static_cast<size_t>(c * 16 + i)], std::min(6.0f, std::max(0.0f, x[static_cast<size_t>(i)] * (c ? -3.0f : 2.0f))));
}

TEST(Converter, DecomposedHardSwishRecognized) {
  OnnxBuilder b;
  b.Input("x", {1, 3, 2, 2});
  b.Floats("three", {}, {3.0f});
  b.Floats("zero", {}, {0.0f});
  b.Floats("six", {}, {6.0f});
  b.Node("Add", {"x", "three"}, {"a"});
  b.Node("Clip", {"a", "zero", "six"}, {"r"});
  b.Node("Mul", {"x", "r"}, {"m"});
  b.Node("Div", {"m", "six"}, {"y"});
  b.Output("y");
  const std::string path = b.Save("hswish");
  Graph g;
  bool pq = false;
  ASSERT_TRUE(ImportAndOptimize(path, {}, &g, &pq).ok());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "HardSwish");
  const auto x = Random(12, 5, -5, 5);
  std::vector<float> y;
  ASSERT_TRUE(ConvertAndRun(path, FloatOptions(), x, &y).ok());
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_NEAR(y[i], x[i] * std::min(6.0f, std::max(0.0f, x[i] + 3)) / 6, 1e-5);
  }
}

// Conv -> Flatten -> Gemm: NHWC inside, FC columns permuted to the NHWC
// flatten order; output must equal the NCHW computation.
std::string ConvFlattenGemm(std::vector<float>* w, std::vector<float>* fw, std::vector<float>* fb) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 5, 5});
  *w = Random(3 * 2 * 9, 11);
  *fw = Random(4 * 27, 12);
  *fb = Random(4, 13);
  b.Floats("w", {3, 2, 3, 3}, *w);
  b.Floats("b", {3}, {0.1f, -0.2f, 0.3f});
  b.Floats("fw", {4, 27}, *fw);
  b.Floats("fb", {4}, *fb);
  b.Node("Conv", {"x", "w", "b"}, {"c"});
  b.Node("Relu", {"c"}, {"r"});
  b.Node("Flatten", {"r"}, {"f"});
  auto* gemm = b.Node("Gemm", {"f", "fw", "fb"}, {"y"});
  OnnxBuilder::AttrI(gemm, "transB", 1);
  b.Output("y");
  return b.Save("flatten");
}

std::vector<float> ConvFlattenGemmRef(const std::vector<float>& x, const std::vector<float>& w,
                                      const std::vector<float>& fw, const std::vector<float>& fb) {
  std::vector<float> c = ConvNchw(x, 2, 5, 5, w, 3, 3, {0.1f, -0.2f, 0.3f});
  for (float& v : c) v = std::max(0.0f, v);
  std::vector<float> y(4);
  for (int o = 0; o < 4; ++o) {
    double acc = fb[static_cast<size_t>(o)];
    for (int k = 0; k < 27; ++k) acc += double{c[static_cast<size_t>(k)]} * fw[static_cast<size_t>(o * 27 + k)];
    y[static_cast<size_t>(o)] = static_cast<float>(acc);
  }
  return y;
}

TEST(Converter, FlattenToGemmPermutesWeightColumns) {
  std::vector<float> w, fw, fb;
  const std::string path = ConvFlattenGemm(&w, &fw, &fb);
  const auto x = Random(50, 14);
  const std::vector<float> ref = ConvFlattenGemmRef(x, w, fw, fb);
  std::vector<float> y;
  std::vector<uint8_t> bytes;
  Status s = ConvertAndRun(path, FloatOptions(), x, &y, &bytes);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_LT(MaxDiff(y, ref), 1e-4f);
  // The model keeps the ONNX boundary: input 'x' float32 NCHW.
  Runner r;
  ASSERT_TRUE(r.Load(bytes).ok());
  const TensorInfo& in = r.model().tensor(r.model().inputs()[0]);
  EXPECT_EQ(in.name, "x");
  EXPECT_EQ(in.dims, (std::vector<int64_t>{1, 2, 5, 5}));
  EXPECT_EQ(in.dtype, DType::kFloat32);
}

TEST(Converter, StaticInt8CloseToFloat) {
  std::vector<float> w, fw, fb;
  const std::string path = ConvFlattenGemm(&w, &fw, &fb);
  ConvertOptions o;
  o.calib_random = 16;
  double cos_sum = 0;
  for (uint32_t seed = 0; seed < 8; ++seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0, 1);
    std::vector<float> x(50);
    for (float& v : x) v = nd(rng);
    std::vector<float> y;
    Status s = ConvertAndRun(path, o, x, &y);
    ASSERT_TRUE(s.ok()) << s.message();
    const std::vector<float> ref = ConvFlattenGemmRef(x, w, fw, fb);
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < 4; ++i) { ab += y[i] * ref[i]; aa += y[i] * y[i]; bb += ref[i] * ref[i]; }
    cos_sum += ab / std::sqrt(aa * bb);
  }
  EXPECT_GT(cos_sum / 8, 0.995);
}

// Input -> Q -> DQ -> Conv(DQ weights, DQ bias) -> Q -> DQ -> output.
std::string QdqConv(bool u8) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 3, 3});
  const int act_t = u8 ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  b.Floats("xs", {}, {0.02f});
  b.Ints("xz", act_t, {}, {u8 ? 131 : 3});
  b.Floats("ys", {}, {0.05f});
  b.Ints("yz", act_t, {}, {u8 ? 123 : -5});
  b.Ints("wq", onnx::TensorProto::INT8, {2, 2, 1, 1}, {10, -20, 127, -127});
  b.Floats("ws", {2}, {0.01f, 0.003f});
  b.Ints("wz", onnx::TensorProto::INT8, {2}, {0, 0});
  b.Ints("bq", onnx::TensorProto::INT32, {2}, {100, -250});
  b.Floats("bs", {2}, {0.02f * 0.01f, 0.02f * 0.003f});
  b.Ints("bz", onnx::TensorProto::INT32, {2}, {0, 0});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  OnnxBuilder::AttrI(b.Node("DequantizeLinear", {"wq", "ws", "wz"}, {"wd"}), "axis", 0);
  OnnxBuilder::AttrI(b.Node("DequantizeLinear", {"bq", "bs", "bz"}, {"bd"}), "axis", 0);
  b.Node("Conv", {"xd", "wd", "bd"}, {"c"}, "conv");
  b.Node("QuantizeLinear", {"c", "ys", "yz"}, {"cq"});
  b.Node("DequantizeLinear", {"cq", "ys", "yz"}, {"y"});
  b.Output("y");
  return b.Save(u8 ? "qdq_u8" : "qdq_s8");
}

TEST(Converter, QdqKeepsScalesExactly) {
  for (bool u8 : {false, true}) {
    const std::string path = QdqConv(u8);
    ConvertOptions o;
    o.model_path = path;
    std::vector<uint8_t> bytes;
    ConvertSummary sum;
    Status s = ConvertToBytes(o, &bytes, &sum);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_TRUE(sum.prequantized);
    std::shared_ptr<const Model> m;
    ASSERT_TRUE(Model::LoadBuffer(bytes.data(), bytes.size(), &m).ok());
    bool saw_conv = false;
    for (const OpInfo& op : m->ops()) {
      if (op.type != fb::OpType::CONV_2D) continue;
      saw_conv = true;
      const TensorInfo& x = m->tensor(op.inputs[0]);
      const TensorInfo& w = m->tensor(op.inputs[1]);
      const TensorInfo& bias = m->tensor(op.inputs[2]);
      const TensorInfo& y = m->tensor(op.outputs[0]);
      EXPECT_EQ(x.scale(), 0.02f);
      EXPECT_EQ(x.zero_point(), 3);  // uint8 131 -> int8 3
      EXPECT_EQ(y.scale(), 0.05f);
      EXPECT_EQ(y.zero_point(), -5);  // uint8 123 -> int8 -5
      EXPECT_EQ(w.quant.scale, (std::vector<float>{0.01f, 0.003f}));
      const auto* wd = reinterpret_cast<const int8_t*>(w.constant);
      EXPECT_EQ((std::vector<int>{wd[0], wd[1], wd[2], wd[3]}), (std::vector<int>{10, -20, 127, -127}));
      const auto* bd = reinterpret_cast<const int32_t*>(bias.constant);
      EXPECT_EQ(bd[0], 100);
      EXPECT_EQ(bd[1], -250);
    }
    EXPECT_TRUE(saw_conv);
    // Output equals the QDQ graph's semantics computed here.
    const auto x = Random(18, 21);
    Runner r;
    ASSERT_TRUE(r.Load(bytes).ok());
    ASSERT_TRUE(r.Run({x}).ok());
    const std::vector<float> y = r.Get(r.model().outputs()[0]);
    const float ws[2] = {0.01f, 0.003f};
    const int wq[2][2] = {{10, -20}, {127, -127}};
    const int bq[2] = {100, -250};
    for (int o = 0; o < 2; ++o)
      for (int p = 0; p < 9; ++p) {
        double acc = bq[o] * 0.02 * ws[o];
        for (int c = 0; c < 2; ++c) {
          const double xq = std::clamp(std::nearbyint(x[static_cast<size_t>(c * 9 + p)] / 0.02) + 3, -128.0, 127.0);
          acc += (xq - 3) * 0.02 * wq[o][c] * ws[o];
        }
        const double yq = std::clamp(std::nearbyint(acc / 0.05) - 5, -128.0, 127.0);
        EXPECT_NEAR(y[static_cast<size_t>(o * 9 + p)], (yq + 5) * 0.05, 0.05 + 1e-6);
      }
  }
}

TEST(Converter, UnsupportedOpNamesNodeOpAndOpset) {
  OnnxBuilder b(13);
  b.Input("x", {1, 4});
  b.Node("Cos", {"x"}, {"y"}, "my_cos");
  b.Output("y");
  ConvertOptions o = FloatOptions();
  o.model_path = b.Save("cos");
  std::vector<uint8_t> bytes;
  ConvertSummary s;
  Status st = ConvertToBytes(o, &bytes, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("my_cos"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("Cos"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("opset 13"), std::string::npos) << st.message();
}

TEST(Converter, DynamicShapeNeedsInputShape) {
  OnnxBuilder b;
  b.Input("x", {-1, 4}, "batch");
  b.Node("Relu", {"x"}, {"y"});
  b.Output("y");
  ConvertOptions o = FloatOptions();
  o.model_path = b.Save("dyn");
  std::vector<uint8_t> bytes;
  ConvertSummary s;
  Status st = ConvertToBytes(o, &bytes, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("--input-shape x="), std::string::npos) << st.message();
  o.input_shapes["x"] = {2, 4};
  st = ConvertToBytes(o, &bytes, &s);
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST(Converter, StaticQuantizationWithoutCalibrationTellsWhatToDo) {
  OnnxBuilder b;
  b.Input("x", {1, 4});
  b.Node("Relu", {"x"}, {"y"});
  b.Output("y");
  ConvertOptions o;
  o.model_path = b.Save("nocalib");
  std::vector<uint8_t> bytes;
  ConvertSummary s;
  Status st = ConvertToBytes(o, &bytes, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("--calib"), std::string::npos) << st.message();
  o.calib_path = "/nonexistent/calib";
  st = ConvertToBytes(o, &bytes, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("does not exist"), std::string::npos) << st.message();
}

// MatMul + Add(bias) becomes one FULLY_CONNECTED with that bias; an Add of
// a full-shape constant (not a bias) stays an ADD.
TEST(Converter, MatMulAddFusedIntoFullyConnected) {
  for (bool bias_like : {true, false}) {
    OnnxBuilder b;
    b.Input("x", {2, 5});
    const std::vector<float> w = Random(15, 3), bias = Random(bias_like ? 3 : 6, 4);
    b.Floats("w", {5, 3}, w);
    b.Floats("b", bias_like ? std::vector<int64_t>{3} : std::vector<int64_t>{2, 3}, bias);
    b.Node("MatMul", {"x", "w"}, {"h"}, "mm");
    b.Node("Add", {"h", "b"}, {"y"}, "add");
    b.Output("y");
    const std::string path = b.Save(bias_like ? "mm_add" : "mm_add_full");
    const std::vector<float> x = Random(10, 5);
    std::vector<float> y;
    std::vector<uint8_t> bytes;
    Status s = ConvertAndRun(path, FloatOptions(), x, &y, &bytes);
    ASSERT_TRUE(s.ok()) << s.message();
    std::shared_ptr<const Model> m;
    ASSERT_TRUE(Model::LoadBuffer(bytes.data(), bytes.size(), &m).ok());
    ASSERT_EQ(m->ops().size(), bias_like ? 1u : 2u);
    EXPECT_EQ(m->ops()[0].type, fb::OpType::FULLY_CONNECTED);
    if (bias_like) {
      EXPECT_EQ(m->ops()[0].inputs.size(), 3u);
    }
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 3; ++c) {
        double want = bias[static_cast<size_t>(bias_like ? c : r * 3 + c)];
        for (int k = 0; k < 5; ++k) want += double{x[static_cast<size_t>(r * 5 + k)]} * w[static_cast<size_t>(k * 3 + c)];
        EXPECT_NEAR(y[static_cast<size_t>(r * 3 + c)], want, 1e-5);
      }
  }
}

// Two convolutions feeding a Concat write the concat's parameters directly
// (no requantization in the concat); a MaxPool input keeps its own (it must
// pass its input's parameters through).
TEST(Converter, ConcatInputsShareItsQuantization) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 4, 4});
  b.Floats("w1", {3, 2, 1, 1}, Random(6, 1));
  b.Floats("w2", {2, 2, 1, 1}, Random(4, 2, -3, 3));
  b.Node("Conv", {"x", "w1"}, {"c1"}, "conv1");
  b.Node("Conv", {"x", "w2"}, {"c2"}, "conv2");
  OnnxBuilder::AttrInts(b.Node("MaxPool", {"x"}, {"p"}, "pool"), "kernel_shape", {1, 1});
  OnnxBuilder::AttrI(b.Node("Concat", {"c1", "c2", "p"}, {"y"}, "concat"), "axis", 1);
  b.Output("y");
  ConvertOptions o;
  o.calib_random = 8;
  std::vector<float> y;
  std::vector<uint8_t> bytes;
  Status s = ConvertAndRun(b.Save("concat_share"), o, Random(32, 9), &y, &bytes);
  ASSERT_TRUE(s.ok()) << s.message();
  std::shared_ptr<const Model> m;
  ASSERT_TRUE(Model::LoadBuffer(bytes.data(), bytes.size(), &m).ok());
  int concats = 0;
  for (const OpInfo& op : m->ops()) {
    if (op.type != fb::OpType::CONCAT) continue;
    ++concats;
    const TensorInfo& out = m->tensor(op.outputs[0]);
    ASSERT_EQ(out.dtype, DType::kInt8);
    ASSERT_EQ(op.inputs.size(), 3u);
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(m->tensor(op.inputs[static_cast<size_t>(i)]).scale(), out.scale()) << i;
      EXPECT_EQ(m->tensor(op.inputs[static_cast<size_t>(i)]).zero_point(), out.zero_point()) << i;
    }
    const TensorInfo& pooled = m->tensor(op.inputs[2]);
    EXPECT_TRUE(pooled.scale() != out.scale() || pooled.zero_point() != out.zero_point());
  }
  EXPECT_EQ(concats, 1);
}

// End to end: the bundled MNIST CNN and 200 test digits.
TEST(Converter, MnistInt8AgreesWithFloat) {
  const char* src = std::getenv("QRUN_SOURCE_DIR");
  const std::string dir = std::string(src ? src : ".") + "/examples/mnist";
  ConvertOptions f = FloatOptions();
  f.model_path = dir + "/mnist_cnn.onnx";
  ConvertOptions q;
  q.model_path = f.model_path;
  q.calib_path = dir + "/test_images_200.u8";
  q.calib_count = 64;
  ASSERT_TRUE(ParseTransform("mnist", &q.calib_transform).ok());
  std::vector<uint8_t> fb, qb;
  ConvertSummary s;
  Status st = ConvertToBytes(f, &fb, &s);
  ASSERT_TRUE(st.ok()) << st.message();
  st = ConvertToBytes(q, &qb, &s);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(s.int8_ops, s.ops);
  Runner fr, qr;
  ASSERT_TRUE(fr.Load(fb).ok());
  ASSERT_TRUE(qr.Load(qb).ok());
  std::vector<std::vector<float>> x;
  ASSERT_TRUE(LoadSamples(dir + "/test_images_200.u8", {1, 1, 28, 28}, q.calib_transform, SampleFormat::kUInt8, -1, &x).ok());
  std::vector<uint8_t> labels;
  ASSERT_TRUE(ReadFileBytes(dir + "/test_labels_200.u8", &labels).ok());
  ASSERT_EQ(x.size(), 200u);
  int agree = 0, fc = 0, qc = 0;
  auto argmax = [](const std::vector<float>& v) { return std::max_element(v.begin(), v.end()) - v.begin(); };
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_TRUE(fr.Run({x[i]}).ok());
    ASSERT_TRUE(qr.Run({x[i]}).ok());
    const auto a = argmax(fr.Get(fr.model().outputs()[0]));
    const auto b = argmax(qr.Get(qr.model().outputs()[0]));
    agree += a == b;
    fc += a == labels[i];
    qc += b == labels[i];
  }
  EXPECT_GE(agree, 197);
  EXPECT_GE(fc, 190);
  EXPECT_LE(std::abs(fc - qc), 2);
}

}  // namespace
}  // namespace qrun::conv

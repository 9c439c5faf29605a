// qconvert on corrupted ONNX models: small valid graphs (a CNN with the
// usual float ops, a shape-computation graph that constant folding reduces,
// a QDQ graph) are mutated field by field through protobuf reflection (dims,
// attributes, tensor data, names, op types, element types, repeated fields
// dropped or duplicated), and each result is converted. The converter must
// either convert (and the .qfb must then load and run) or return an error
// with a message: no crash, no exception, no sanitizer report (CI runs this
// under ASan/UBSan), no huge allocation. Longer runs by hand:
// QRUN_MUTATION_CASES=3000 QRUN_MUTATION_SEED=7 QRUN_MUTATION_LOG=1 (prints
// every error message).
#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "converter/converter.h"
#include "converter/runner.h"

namespace qrun::conv {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// ---- seed models ----

struct Graph {
  onnx::ModelProto m;
  onnx::GraphProto* g;
  Graph() {
    m.set_ir_version(8);
    auto* o = m.add_opset_import();
    o->set_domain("");
    o->set_version(13);
    g = m.mutable_graph();
    g->set_name("seed");
  }
  void Input(const std::string& name, const std::vector<int64_t>& dims) {
    auto* t = g->add_input();
    t->set_name(name);
    auto* tt = t->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void Output(const std::string& name) { g->add_output()->set_name(name); }
  void Floats(const std::string& name, const std::vector<int64_t>& dims, uint32_t seed) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-0.5f, 1.0f);
    for (int64_t i = 0; i < n; ++i) t->add_float_data(u(rng));
  }
  void Ints(const std::string& name, const std::vector<int64_t>& v) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
  }
  void Scalar(const std::string& name, int type, double v) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    if (type == onnx::TensorProto::FLOAT) t->add_float_data(static_cast<float>(v));
    else if (type == onnx::TensorProto::INT64) t->add_int64_data(static_cast<int64_t>(v));
    else t->add_int32_data(static_cast<int32_t>(v));  // int8 / uint8 zero points
  }
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(g->node_size()));
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return n;
  }
  static void Int(onnx::NodeProto* n, const std::string& k, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void Ints(onnx::NodeProto* n, const std::string& k, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void Float(onnx::NodeProto* n, const std::string& k, float v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
};

// Conv + BN + ReLU, max pool, depthwise conv + clip, residual add, average
// pools, flatten, Gemm, softmax: the float CNN path.
onnx::ModelProto CnnSeed() {
  Graph b;
  b.Input("x", {1, 3, 8, 8});
  b.Floats("w1", {4, 3, 3, 3}, 1);
  b.Floats("b1", {4}, 2);
  auto* c1 = b.Node("Conv", {"x", "w1", "b1"}, {"c1"});
  Graph::Ints(c1, "pads", {1, 1, 1, 1});
  Graph::Ints(c1, "kernel_shape", {3, 3});
  b.Floats("bn_s", {4}, 3);
  b.Floats("bn_b", {4}, 4);
  b.Floats("bn_m", {4}, 5);
  b.Floats("bn_v", {4}, 6);
  for (float& v : *b.g->mutable_initializer(b.g->initializer_size() - 1)->mutable_float_data()) {
    v = 0.5f + std::fabs(v);  // variances
  }
  b.Node("BatchNormalization", {"c1", "bn_s", "bn_b", "bn_m", "bn_v"}, {"bn"});
  b.Node("Relu", {"bn"}, {"r1"});
  auto* mp = b.Node("MaxPool", {"r1"}, {"p1"});
  Graph::Ints(mp, "kernel_shape", {2, 2});
  Graph::Ints(mp, "strides", {2, 2});
  b.Floats("wd", {4, 1, 3, 3}, 7);
  auto* dw = b.Node("Conv", {"p1", "wd"}, {"d1"});
  Graph::Int(dw, "group", 4);
  Graph::Ints(dw, "pads", {1, 1, 1, 1});
  b.Scalar("lo", onnx::TensorProto::FLOAT, 0.0);
  b.Scalar("hi", onnx::TensorProto::FLOAT, 6.0);
  b.Node("Clip", {"d1", "lo", "hi"}, {"k1"});
  b.Node("Add", {"k1", "p1"}, {"a1"});
  auto* ap = b.Node("AveragePool", {"a1"}, {"ap"});
  Graph::Ints(ap, "kernel_shape", {2, 2});
  Graph::Ints(ap, "strides", {1, 1});
  b.Node("GlobalAveragePool", {"ap"}, {"g1"});
  auto* fl = b.Node("Flatten", {"g1"}, {"f1"});
  Graph::Int(fl, "axis", 1);
  b.Floats("wf", {5, 4}, 8);
  b.Floats("bf", {5}, 9);
  auto* gm = b.Node("Gemm", {"f1", "wf", "bf"}, {"fc"});
  Graph::Int(gm, "transB", 1);
  auto* sm = b.Node("Softmax", {"fc"}, {"y"});
  Graph::Int(sm, "axis", 1);
  b.Output("y");
  return b.m;
}

// Shape arithmetic that constant folding must reduce (Shape, Gather,
// Concat, Cast, ConstantOfShape), then Reshape, MatMul + Add,
// sigmoid, hard-swish, a Mul by a constant, Transpose.
onnx::ModelProto ShapeSeed() {
  Graph b;
  b.Input("x", {1, 4, 2, 2});
  b.Node("Shape", {"x"}, {"s"});
  b.Ints("i0", {0});
  auto* ga = b.Node("Gather", {"s", "i0"}, {"n"});
  Graph::Int(ga, "axis", 0);
  b.Ints("m1", {-1});
  auto* cc = b.Node("Concat", {"n", "m1"}, {"shape"});
  Graph::Int(cc, "axis", 0);
  b.Node("Reshape", {"x", "shape"}, {"flat"});
  b.Floats("wm", {16, 6}, 10);
  b.Node("MatMul", {"flat", "wm"}, {"mm"});
  b.Ints("ci", {0, 1, 2, 3, 4, 5});
  Graph::Int(b.Node("Cast", {"ci"}, {"cf"}), "to", onnx::TensorProto::FLOAT);
  b.Ints("cs", {1, 6});
  b.Node("ConstantOfShape", {"cs"}, {"ones0"});
  b.Node("Add", {"mm", "cf"}, {"mb"});
  b.Node("Add", {"mb", "ones0"}, {"me"});
  b.Node("Sigmoid", {"me"}, {"sg"});
  b.Node("HardSwish", {"sg"}, {"hs"});
  b.Scalar("two", onnx::TensorProto::FLOAT, 2.0);
  b.Node("Mul", {"hs", "two"}, {"ml"});
  auto* tr = b.Node("Transpose", {"ml"}, {"y"});
  Graph::Ints(tr, "perm", {1, 0});
  b.Output("y");
  return b.m;
}

// A QDQ graph: quantized conv, add and matmul with explicit scales.
onnx::ModelProto QdqSeed() {
  Graph b;
  b.Input("x", {1, 2, 4, 4});
  b.Scalar("sx", onnx::TensorProto::FLOAT, 0.02);
  b.Scalar("zx", onnx::TensorProto::INT8, -3);
  b.Node("QuantizeLinear", {"x", "sx", "zx"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "sx", "zx"}, {"xd"});
  auto* wq = b.g->add_initializer();
  wq->set_name("wq");
  wq->set_data_type(onnx::TensorProto::INT8);
  for (int64_t d : {3, 2, 1, 1}) wq->add_dims(d);
  for (int i = 0; i < 6; ++i) wq->add_int32_data(i * 17 % 255 - 127);
  b.Scalar("sw", onnx::TensorProto::FLOAT, 0.01);
  b.Scalar("zw", onnx::TensorProto::INT8, 0);
  b.Node("DequantizeLinear", {"wq", "sw", "zw"}, {"wd"});
  b.Node("Conv", {"xd", "wd"}, {"c"});
  b.Scalar("sc", onnx::TensorProto::FLOAT, 0.05);
  b.Scalar("zc", onnx::TensorProto::INT8, 1);
  b.Node("QuantizeLinear", {"c", "sc", "zc"}, {"cq"});
  b.Node("DequantizeLinear", {"cq", "sc", "zc"}, {"cd"});
  b.Node("Relu", {"cd"}, {"r"});
  b.Node("QuantizeLinear", {"r", "sc", "zc"}, {"rq"});
  b.Node("DequantizeLinear", {"rq", "sc", "zc"}, {"y"});
  b.Output("y");
  return b.m;
}

// ---- mutation by reflection ----

// One mutable place in the model: a singular field, one element of a
// repeated field, or a whole repeated field (elem == -1).
struct Place {
  Message* msg;
  const FieldDescriptor* field;
  int elem;
};

void CollectPlaces(Message* msg, std::vector<Place>* places, std::vector<std::string>* strings) {
  const Reflection* r = msg->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*msg, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->is_repeated()) {
      const int n = r->FieldSize(*msg, f);
      places->push_back({msg, f, -1});
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int i = 0; i < n; ++i) CollectPlaces(r->MutableRepeatedMessage(msg, f, i), places, strings);
      } else {
        // Long numeric arrays (weights) count as a few places, not thousands.
        for (int i = 0; i < std::min(n, 4); ++i) places->push_back({msg, f, i});
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          for (int i = 0; i < n; ++i) strings->push_back(r->GetRepeatedString(*msg, f, i));
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      CollectPlaces(r->MutableMessage(msg, f), places, strings);
    } else {
      places->push_back({msg, f, 0});
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) strings->push_back(r->GetString(*msg, f));
    }
  }
}

int64_t InterestingInt(std::mt19937& rng, int64_t old) {
  static const int64_t kValues[] = {0, 1, -1, 2, 3, 4, 7, 16, 255, 256, -128, 65535, 1 << 20,
                                    std::numeric_limits<int32_t>::max(),
                                    std::numeric_limits<int32_t>::min(),
                                    int64_t{1} << 33, int64_t{1} << 62,
                                    std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min(), -(int64_t{1} << 40)};
  const uint64_t u = static_cast<uint64_t>(old);  // wraps instead of overflowing
  switch (rng() % 4) {
    case 0: return static_cast<int64_t>(u + 1);
    case 1: return static_cast<int64_t>(u - 1);
    case 2: return static_cast<int64_t>(u * 2);
    default: return kValues[rng() % (sizeof(kValues) / sizeof(kValues[0]))];
  }
}

double InterestingFloat(std::mt19937& rng) {
  static const double kValues[] = {0.0, -0.0, 1.0, -1.0, 1e-30, 1e30, 1e-45, 65504.0,
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(),
                                   std::numeric_limits<double>::quiet_NaN()};
  return kValues[rng() % (sizeof(kValues) / sizeof(kValues[0]))];
}

std::string InterestingString(std::mt19937& rng, const std::vector<std::string>& strings,
                              const std::string& old) {
  switch (rng() % 5) {
    case 0: return "";
    case 1: return old.substr(0, old.size() / 2);
    case 2: return "Bogus";
    case 3: {  // an op type the importer handles, in a place it does not expect
      static const char* kOps[] = {"Conv", "Reshape", "Concat", "Gather", "Slice", "MatMul",
                                   "QuantizeLinear", "Identity", "Shape", "Pad"};
      return kOps[rng() % (sizeof(kOps) / sizeof(kOps[0]))];
    }
    default: return strings.empty() ? old : strings[rng() % strings.size()];
  }
}

void MutateScalar(std::mt19937& rng, const Place& p, const std::vector<std::string>& strings) {
  Message* m = p.msg;
  const FieldDescriptor* f = p.field;
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  const int i = p.elem;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      const int64_t v = InterestingInt(rng, rep ? r->GetRepeatedInt32(*m, f, i) : r->GetInt32(*m, f));
      const int32_t v32 = static_cast<int32_t>(static_cast<uint64_t>(v));
      rep ? r->SetRepeatedInt32(m, f, i, v32) : r->SetInt32(m, f, v32);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t v = InterestingInt(rng, rep ? r->GetRepeatedInt64(*m, f, i) : r->GetInt64(*m, f));
      rep ? r->SetRepeatedInt64(m, f, i, v) : r->SetInt64(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      const uint64_t v = static_cast<uint64_t>(InterestingInt(rng, 0));
      rep ? r->SetRepeatedUInt64(m, f, i, v) : r->SetUInt64(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const float v = static_cast<float>(InterestingFloat(rng));
      rep ? r->SetRepeatedFloat(m, f, i, v) : r->SetFloat(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      const double v = InterestingFloat(rng);
      rep ? r->SetRepeatedDouble(m, f, i, v) : r->SetDouble(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {  // another declared value of the enum
      const auto* e = f->enum_type();
      const auto* v = e->value(static_cast<int>(rng() % static_cast<uint32_t>(e->value_count())));
      rep ? r->SetRepeatedEnum(m, f, i, v) : r->SetEnum(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      const std::string old = rep ? r->GetRepeatedString(*m, f, i) : r->GetString(*m, f);
      std::string v = InterestingString(rng, strings, old);
      if (f->type() == FieldDescriptor::TYPE_BYTES && !old.empty() && rng() % 2) {
        v = old;  // raw tensor data: cut or grow by a few bytes
        v.resize(rng() % 2 ? old.size() - 1 - rng() % old.size() / 2 : old.size() + 1 + rng() % 7);
      }
      rep ? r->SetRepeatedString(m, f, i, v) : r->SetString(m, f, v);
      break;
    }
    default:
      break;
  }
}

void MutateRepeated(std::mt19937& rng, const Place& p) {
  Message* m = p.msg;
  const Reflection* r = m->GetReflection();
  const int n = r->FieldSize(*m, p.field);
  switch (rng() % 4) {
    case 0:  // drop the last element
      if (n > 0) r->RemoveLast(m, p.field);
      break;
    case 1:  // drop all
      r->ClearField(m, p.field);
      break;
    case 2:  // swap two
      if (n > 1) r->SwapElements(m, p.field, static_cast<int>(rng() % n), static_cast<int>(rng() % n));
      break;
    default:  // duplicate one (messages: a copy; scalars: append a copy of element 0)
      if (n == 0) break;
      if (p.field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        r->AddMessage(m, p.field)->CopyFrom(r->GetRepeatedMessage(*m, p.field, static_cast<int>(rng() % n)));
      } else if (p.field->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
        r->AddInt64(m, p.field, r->GetRepeatedInt64(*m, p.field, 0));
      } else if (p.field->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
        r->AddInt32(m, p.field, r->GetRepeatedInt32(*m, p.field, 0));
      } else if (p.field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        r->AddFloat(m, p.field, r->GetRepeatedFloat(*m, p.field, 0));
      } else if (p.field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        r->AddString(m, p.field, r->GetRepeatedString(*m, p.field, 0));
      }
      break;
  }
}

void Mutate(std::mt19937& rng, onnx::ModelProto* model) {
  std::vector<Place> places;
  std::vector<std::string> strings;
  CollectPlaces(model, &places, &strings);
  if (places.empty()) return;
  const Place& p = places[rng() % places.size()];
  if (p.elem < 0) MutateRepeated(rng, p);
  else MutateScalar(rng, p, strings);
}

std::string TempModelPath(const std::string& tag) {
  return ::testing::TempDir() + "qconvert_mut_" + std::to_string(getpid()) + "_" + tag + ".onnx";
}

void Save(const onnx::ModelProto& m, const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  m.SerializeToOstream(&f);
}

// The model at `path` as a float (quantize false) or calibrated int8 .qfb.
Status ConvertFile(const std::string& path, bool quantize, std::vector<uint8_t>* bytes) {
  ConvertOptions o;
  o.model_path = path;
  o.quantize = quantize;
  o.calib_random = 2;
  ConvertSummary s;
  return ConvertToBytes(o, bytes, &s);
}

std::vector<float> Ramp(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 13) / 6.0f - 1.0f;
  return v;
}

// Converts `cases` mutants of `seed` (1-3 mutations each), both as a float
// and as a calibrated int8 model; checks that some but not all converted
// (otherwise only the parser's first check, or nothing, was exercised).
void RunMutants(const onnx::ModelProto& seed, const std::string& tag, uint32_t rng_seed, int cases) {
  const std::string path = TempModelPath(tag);
  if (const char* e = std::getenv("QRUN_MUTATION_CASES")) cases = std::atoi(e);
  if (const char* e = std::getenv("QRUN_MUTATION_SEED")) rng_seed += static_cast<uint32_t>(std::atoi(e));
  std::mt19937 rng(rng_seed);
  int converted = 0;
  for (int c = 0; c < cases; ++c) {
    onnx::ModelProto m = seed;
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < mutations; ++k) Mutate(rng, &m);
    Save(m, path);
    SCOPED_TRACE(tag + " case " + std::to_string(c));
    for (const bool quantize : {false, true}) {
      std::vector<uint8_t> bytes;
      const Status st = ConvertFile(path, quantize, &bytes);
      if (!st.ok()) {
        EXPECT_FALSE(st.message().empty());
        // An exception the converter's own checks did not anticipate.
        EXPECT_NE(st.code(), QRUN_ERROR_INTERNAL) << st.message();
        if (std::getenv("QRUN_MUTATION_LOG")) std::printf("ERR %s\n", st.message().c_str());
        continue;
      }
      ++converted;
      // A model that converted must load, and run on inputs of its size
      // (or refuse them with an error): the runtime validates it again.
      Runner r;
      const Status ls = r.Load(bytes);
      if (!ls.ok()) {
        ADD_FAILURE() << "converted model does not load: " << ls.message();
        continue;
      }
      std::vector<std::vector<float>> inputs;
      for (int t : r.model().inputs()) inputs.push_back(Ramp(r.model().tensor(t).elements));
      const Status rs = r.Run(inputs);
      if (!rs.ok()) {
        EXPECT_FALSE(rs.message().empty());
      }
    }
  }
  std::remove(path.c_str());
  std::printf("%s: %d of %d conversions succeeded\n", tag.c_str(), converted, 2 * cases);
  EXPECT_GT(converted, cases / 10);
  EXPECT_LT(converted, 2 * cases);
}

// The seeds themselves convert and run: mutants start from working models.
TEST(OnnxMutation, SeedsConvert) {
  const onnx::ModelProto seeds[] = {CnnSeed(), ShapeSeed(), QdqSeed()};
  const char* tags[] = {"cnn", "shape", "qdq"};
  for (int i = 0; i < 3; ++i) {
    const std::string path = TempModelPath(std::string("seed_") + tags[i]);
    Save(seeds[i], path);
    for (const bool quantize : {false, true}) {
      std::vector<uint8_t> bytes;
      const Status st = ConvertFile(path, quantize, &bytes);
      EXPECT_TRUE(st.ok()) << tags[i] << (quantize ? " int8: " : " float: ") << st.message();
    }
    std::remove(path.c_str());
  }
}

TEST(OnnxMutation, CnnMutantsConvertOrFailCleanly) {
  RunMutants(CnnSeed(), "cnn", 101, 300);
}

TEST(OnnxMutation, ShapeMutantsConvertOrFailCleanly) {
  RunMutants(ShapeSeed(), "shape", 202, 300);
}

TEST(OnnxMutation, QdqMutantsConvertOrFailCleanly) {
  RunMutants(QdqSeed(), "qdq", 303, 300);
}

// By hand: QRUN_MUTATION_MODEL=model.onnx mutates a real model instead
// (e.g. ../shared/models/*.qdq.onnx; keep QRUN_MUTATION_CASES small for big
// models).
TEST(OnnxMutation, FileMutantsConvertOrFailCleanly) {
  const char* path = std::getenv("QRUN_MUTATION_MODEL");
  if (path == nullptr) GTEST_SKIP() << "set QRUN_MUTATION_MODEL to a .onnx file";
  onnx::ModelProto m;
  std::ifstream f(path, std::ios::binary);
  ASSERT_TRUE(m.ParseFromIstream(&f)) << path;
  RunMutants(m, "file", 404, 50);
}

}  // namespace
}  // namespace qrun::conv

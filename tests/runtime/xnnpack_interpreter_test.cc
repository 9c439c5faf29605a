// The XNNPACK backend in the interpreter: per-op backend assignment with
// native fallback, the backend in profiles (C++ and C API). Threads and
// concurrent interpreters: tests/threads/.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "qrun/qrun.h"
#include "xnnpack_test_util.h"

namespace qrun::xnntest {
namespace {

using qrun::testing::Rng;

TEST(XnnpackBackend, UnavailableWithoutXnnpack) {
#ifdef QRUN_WITH_XNNPACK
  GTEST_SKIP() << "built with XNNPACK";
#else
  Loaded r = Load(testmodels::SmallConvNet());
  ASSERT_TRUE(r.status.ok());
  InterpreterOptions o;
  o.backend = QRUN_BACKEND_XNNPACK;
  std::unique_ptr<Interpreter> it;
  Status s = Interpreter::Create(r.model, o, &it);
  EXPECT_EQ(s.code(), QRUN_ERROR_UNSUPPORTED);
  EXPECT_NE(s.message().find("not available"), std::string::npos) << s.message();
#endif
}

TEST(XnnpackBackend, AssignsOpsAndFallsBack) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Loaded r = Load(MixedNet());
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  std::vector<uint8_t> x = Bytes(Rng(7).int8s(256));
  std::vector<std::string> backends;
  for (int backend : {QRUN_BACKEND_XNNPACK, QRUN_BACKEND_NATIVE, QRUN_BACKEND_REFERENCE}) {
    InterpreterOptions o;
    o.backend = backend;
    std::unique_ptr<Interpreter> it;
    Status s = Interpreter::Create(r.model, o, &it);
    ASSERT_TRUE(s.ok()) << s.message();
    for (int i = 0; i < 7; ++i) {
      const std::string b = it->op_backend(i);
      if (backend == QRUN_BACKEND_XNNPACK) {
        const bool native = i == 6;  // SOFTMAX with beta != 1
        EXPECT_EQ(b, native ? "native" : "xnnpack") << i;
        EXPECT_EQ(it->fallback_reason(i).empty(), !native) << it->fallback_reason(i);
        if (!native) {
          EXPECT_EQ(std::string(it->kernel_name(i)).rfind("xnn:", 0), 0u);
        }
      } else {
        EXPECT_EQ(b, backend == QRUN_BACKEND_NATIVE ? "native" : "reference");
        EXPECT_TRUE(it->fallback_reason(i).empty());
      }
    }
    if (backend == QRUN_BACKEND_XNNPACK) {
      EXPECT_STREQ(it->kernel_name(0), "xnn:convolution_nhwc_qc8");
      // XNNPACK's own packed weights are measured: at least the int8
      // weights of every XNNPACK conv / FC.
      size_t weights = 0;
      for (int i = 0; i < 7; ++i) {
        const OpInfo& op = r.model->ops()[static_cast<size_t>(i)];
        const bool weighted = op.type == fb::OpType::CONV_2D || op.type == fb::OpType::FULLY_CONNECTED;
        if (weighted && it->op_backend(i) == std::string("xnnpack")) {
          weights += r.model->tensor(op.inputs[1]).bytes;
        }
      }
      EXPECT_GT(weights, 0u);
      EXPECT_GE(it->packed_bytes(), weights);
    }
    EXPECT_GT(it->packed_bytes(), 0u);
  }
  // Same result as the reference backend (float probabilities).
  EXPECT_TRUE(CompareBackends("mixed net", MixedNet(), {x}, 1, 1e-6f));
}

TEST(XnnpackBackend, CApiProfileNamesTheBackend) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  AlignedBytes bytes(MixedNet().Finish());
  qrun_model* model = nullptr;
  ASSERT_EQ(qrun_model_load_buffer(bytes.data(), bytes.size(), &model), QRUN_OK);
  for (qrun_backend backend : {QRUN_BACKEND_XNNPACK, QRUN_BACKEND_NATIVE, QRUN_BACKEND_REFERENCE}) {
    qrun_options o = qrun_options_default();
    o.backend = backend;
    o.enable_profiling = 1;
    qrun_interpreter* it = nullptr;
    ASSERT_EQ(qrun_interpreter_create(model, &o, &it), QRUN_OK);
    ASSERT_EQ(qrun_interpreter_invoke(it), QRUN_OK);
    ASSERT_EQ(qrun_interpreter_op_count(it), 7);
    for (int i = 0; i < 7; ++i) {
      qrun_op_profile p;
      ASSERT_EQ(qrun_interpreter_op_profile(it, i, &p), QRUN_OK);
      ASSERT_NE(p.backend, nullptr);
      const char* want = backend == QRUN_BACKEND_NATIVE      ? "native"
                         : backend == QRUN_BACKEND_REFERENCE ? "reference"
                         : i == 6                            ? "native"
                                                             : "xnnpack";
      EXPECT_STREQ(p.backend, want) << i << " " << p.kernel;
    }
    qrun_interpreter_free(it);
  }
  qrun_model_free(model);
}

}  // namespace
}  // namespace qrun::xnntest

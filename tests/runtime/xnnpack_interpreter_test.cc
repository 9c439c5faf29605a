// The XNNPACK backend in the interpreter: per-op backend assignment with
// native fallback, the backend in profiles (C++ and C API), threads, and
// concurrent interpreters (one-time, thread-safe XNNPACK initialization).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
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

TEST(XnnpackBackend, ThreadsGiveTheSameResult) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Loaded r = Load(MixedNet());
  ASSERT_TRUE(r.status.ok());
  Rng rng(8);
  for (int run = 0; run < 3; ++run) {
    std::vector<uint8_t> x = Bytes(rng.int8s(256));
    Outcome one = RunModel(r, QRUN_BACKEND_XNNPACK, {x}, 1);
    for (int threads : {2, 3, 4}) {
      Outcome many = RunModel(r, QRUN_BACKEND_XNNPACK, {x}, threads);
      EXPECT_EQ(one.output, many.output) << threads << " threads";
    }
  }
}

TEST(XnnpackBackend, ConcurrentInterpreters) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Loaded r = Load(MixedNet());
  ASSERT_TRUE(r.status.ok());
  std::vector<uint8_t> x = Bytes(Rng(9).int8s(256));
  const Outcome want = RunModel(r, QRUN_BACKEND_XNNPACK, {x});
  std::vector<std::vector<uint8_t>> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      InterpreterOptions o;
      o.backend = QRUN_BACKEND_XNNPACK;
      std::unique_ptr<Interpreter> it;
      if (!Interpreter::Create(r.model, o, &it).ok()) return;
      std::memcpy(it->input_data(0), x.data(), x.size());
      for (int i = 0; i < 20; ++i) {
        if (!it->Invoke().ok()) return;
      }
      const auto* p = static_cast<const uint8_t*>(it->output_data(0));
      got[t].assign(p, p + want.output.size());
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& g : got) EXPECT_EQ(g, want.output);
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

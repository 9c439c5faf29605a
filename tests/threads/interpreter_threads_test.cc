// The C++ interpreter on several threads: internal thread pools give the
// single-threaded result for any thread count (native and XNNPACK backends),
// and one model shared by interpreters invoking in parallel on user threads
// gives every thread the same result (for XNNPACK this also exercises its
// one-time, thread-safe initialization). Run under ThreadSanitizer by
// scripts/check-tsan.sh (tests named *Thread*).
#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "kernel_test_util.h"
#include "xnnpack_test_util.h"

namespace qrun::xnntest {
namespace {

using qrun::testing::Rng;

std::vector<uint8_t> RandomInput(const Loaded& r, uint32_t seed) {
  const TensorInfo& t = r.model->tensor(r.model->inputs()[0]);
  return Bytes(Rng(seed).int8s(t.bytes));
}

// Invokes `repeats` times on this thread; empty on any failure or if two
// invocations disagree.
std::vector<uint8_t> InvokeRepeatedly(const Loaded& r, int backend, const std::vector<uint8_t>& x,
                                      int repeats) {
  InterpreterOptions o;
  o.backend = backend;
  std::unique_ptr<Interpreter> it;
  if (!Interpreter::Create(r.model, o, &it).ok()) return {};
  std::memcpy(it->input_data(0), x.data(), x.size());
  const size_t n = r.model->tensor(r.model->outputs()[0]).bytes;
  std::vector<uint8_t> first;
  for (int i = 0; i < repeats; ++i) {
    if (!it->Invoke().ok()) return {};
    const auto* p = static_cast<const uint8_t*>(it->output_data(0));
    if (i == 0) {
      first.assign(p, p + n);
    } else if (std::memcmp(p, first.data(), n) != 0) {
      return {};
    }
  }
  return first;
}

void ExpectSameResultForAnyThreadCount(const ModelBuilder& net, int backend, uint32_t seed) {
  Loaded r = Load(net);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  for (int run = 0; run < 3; ++run) {
    const std::vector<uint8_t> x = RandomInput(r, seed + static_cast<uint32_t>(run));
    const Outcome one = RunModel(r, backend, {x}, 1);
    ASSERT_TRUE(one.ok);
    for (int threads : {2, 3, 4}) {
      EXPECT_EQ(one.output, RunModel(r, backend, {x}, threads).output) << threads << " threads";
    }
  }
}

void ExpectSharedModelWorksOnThreads(const ModelBuilder& net, int backend, uint32_t seed) {
  Loaded r = Load(net);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const std::vector<uint8_t> x = RandomInput(r, seed);
  const Outcome want = RunModel(r, backend, {x});
  ASSERT_TRUE(want.ok);
  std::vector<std::vector<uint8_t>> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] { got[t] = InvokeRepeatedly(r, backend, x, 20); });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < got.size(); ++t) EXPECT_EQ(got[t], want.output) << "thread " << t;
}

TEST(InterpreterThreadPool, ThreadCountDoesNotChangeResults) {
  ExpectSameResultForAnyThreadCount(testmodels::SmallConvNet(), QRUN_BACKEND_NATIVE, 5);
}

TEST(InterpreterThreads, OneModelSharedByInterpretersOnSeveralThreads) {
  ExpectSharedModelWorksOnThreads(testmodels::SmallConvNet(), QRUN_BACKEND_NATIVE, 9);
}

TEST(XnnpackThreadPool, ThreadCountDoesNotChangeResults) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  ExpectSameResultForAnyThreadCount(MixedNet(), QRUN_BACKEND_XNNPACK, 8);
}

TEST(XnnpackThreads, OneModelSharedByInterpretersOnSeveralThreads) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  ExpectSharedModelWorksOnThreads(MixedNet(), QRUN_BACKEND_XNNPACK, 9);
}

}  // namespace
}  // namespace qrun::xnntest

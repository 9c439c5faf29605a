// The C API's thread contract: one qrun_model shared read-only by several
// interpreters that are created and invoked in parallel on their own threads
// (some with internal thread pools) gives every thread the single-threaded
// result; qrun_last_error is per thread. Run under ThreadSanitizer by
// scripts/check-tsan.sh (tests named *Thread*).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "qrun/qrun.h"
#include "test_models.h"

namespace qrun {
namespace {

std::vector<int8_t> RunOnce(const qrun_model* model, int num_threads, uint32_t seed, int repeats,
                            std::string* error) {
  qrun_options o = qrun_options_default();
  o.num_threads = num_threads;
  qrun_interpreter* it = nullptr;
  if (qrun_interpreter_create(model, &o, &it) != QRUN_OK) {
    *error = qrun_last_error();
    return {};
  }
  qrun_tensor in, out;
  qrun_interpreter_input(it, 0, &in);
  auto* p = static_cast<int8_t*>(in.data);
  for (size_t i = 0; i < in.bytes; ++i) p[i] = static_cast<int8_t>((i * 131 + seed * 17) % 256 - 128);
  std::vector<int8_t> first;
  for (int r = 0; r < repeats; ++r) {
    if (qrun_interpreter_invoke(it) != QRUN_OK) *error = qrun_last_error();
    qrun_interpreter_output(it, 0, &out);
    const auto* o8 = static_cast<const int8_t*>(out.data);
    if (r == 0) {
      first.assign(o8, o8 + out.bytes);
    } else if (std::memcmp(o8, first.data(), out.bytes) != 0) {
      *error = "repeat " + std::to_string(r) + " differs";
    }
  }
  qrun_interpreter_free(it);
  return first;
}

// Interpreters on kThreads threads, all invoking at once; each interpreter
// itself single-threaded (num_threads 1) or with its own pool (2).
void SharedModelOnThreads(int pool_threads) {
  AlignedBytes bytes(testmodels::SmallConvNet().Finish());
  qrun_model* model = nullptr;
  ASSERT_EQ(qrun_model_load_buffer(bytes.data(), bytes.size(), &model), QRUN_OK) << qrun_last_error();
  constexpr int kThreads = 4;
  std::vector<std::vector<int8_t>> want(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    std::string error;
    want[static_cast<size_t>(t)] = RunOnce(model, 1, static_cast<uint32_t>(t), 1, &error);
    ASSERT_TRUE(error.empty()) << error;
  }
  std::vector<std::vector<int8_t>> got(kThreads);
  std::vector<std::string> errors(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();  // start together
      got[static_cast<size_t>(t)] = RunOnce(model, pool_threads, static_cast<uint32_t>(t), 20,
                                            &errors[static_cast<size_t>(t)]);
    });
  }
  for (auto& th : threads) th.join();
  qrun_model_free(model);  // the last interpreter is gone: the model goes now
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(errors[static_cast<size_t>(t)].empty()) << "thread " << t << ": " << errors[static_cast<size_t>(t)];
    EXPECT_EQ(got[static_cast<size_t>(t)], want[static_cast<size_t>(t)]) << "thread " << t;
  }
}

TEST(CApiThreads, OneModelSharedByInterpretersOnSeveralThreads) { SharedModelOnThreads(1); }

// The same with a thread pool inside every interpreter. (Under TSan this one
// runs with scripts/tsan.supp: libpthreadpool is not instrumented.)
TEST(CApiThreadPool, OneModelSharedByInterpretersWithThreadPools) { SharedModelOnThreads(2); }

TEST(CApiThreads, ModelFreedWhileInterpretersRunOnOtherThreads) {
  AlignedBytes bytes(testmodels::SmallConvNet().Finish());
  qrun_model* model = nullptr;
  ASSERT_EQ(qrun_model_load_buffer(bytes.data(), bytes.size(), &model), QRUN_OK);
  std::vector<qrun_interpreter*> its(3, nullptr);
  for (auto& it : its) ASSERT_EQ(qrun_interpreter_create(model, nullptr, &it), QRUN_OK);
  qrun_model_free(model);  // interpreters hold their own references
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (qrun_interpreter* it : its) {
    threads.emplace_back([it, &failures] {
      for (int r = 0; r < 10; ++r) {
        if (qrun_interpreter_invoke(it) != QRUN_OK) failures.fetch_add(1);
      }
      qrun_interpreter_free(it);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(CApiThreads, LastErrorIsPerThread) {
  qrun_model* model = nullptr;
  ASSERT_EQ(qrun_model_load_file("/nonexistent/main-thread.qfb", &model), QRUN_ERROR_IO);
  std::string other;
  std::thread th([&] {
    qrun_model* m = nullptr;
    qrun_model_load_file("/nonexistent/other-thread.qfb", &m);
    other = qrun_last_error();
  });
  th.join();
  EXPECT_NE(std::string(qrun_last_error()).find("main-thread"), std::string::npos) << qrun_last_error();
  EXPECT_NE(other.find("other-thread"), std::string::npos) << other;
}

TEST(CApi, MemoryQueries) {
  AlignedBytes bytes(testmodels::SmallConvNet().Finish());
  qrun_model* model = nullptr;
  ASSERT_EQ(qrun_model_load_buffer(bytes.data(), bytes.size(), &model), QRUN_OK);
  EXPECT_EQ(qrun_model_size_bytes(model), bytes.size());
  qrun_interpreter* it = nullptr;
  ASSERT_EQ(qrun_interpreter_create(model, nullptr, &it), QRUN_OK);
  const size_t arena = qrun_interpreter_arena_bytes(it);
  // Input, conv_out and output: 144 + 288 + 144 bytes, 64-byte aligned.
  EXPECT_GE(arena, 576u);
  // Packed weights can never exceed a generous multiple of the weights.
  EXPECT_LE(qrun_interpreter_packed_bytes(it), 16 * bytes.size());
  qrun_interpreter_free(it);

  qrun_options o = qrun_options_default();
  o.max_arena_bytes = arena;  // exactly enough
  ASSERT_EQ(qrun_interpreter_create(model, &o, &it), QRUN_OK) << qrun_last_error();
  qrun_interpreter_free(it);
  o.max_arena_bytes = arena - 1;
  EXPECT_EQ(qrun_interpreter_create(model, &o, &it), QRUN_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(it, nullptr);
  EXPECT_NE(std::string(qrun_last_error()).find("max_arena_bytes"), std::string::npos);
  qrun_model_free(model);
}

}  // namespace
}  // namespace qrun

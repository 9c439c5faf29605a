// invoke() must not allocate: this test binary counts every operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "runtime/interpreter.h"
#include "test_models.h"
#include "xnnpack_test_util.h"
#ifdef QRUN_WITH_XNNPACK
#include "runtime/xnnpack/xnn_op.h"
#endif

namespace {
std::atomic<long> g_allocations{0};
}

// Replacing the global allocation functions with malloc/free is legal; GCC's
// heuristic does not know that.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace qrun {
namespace {

TEST(InvokeAllocation, InvokeAllocatesNothing) {
  AlignedBytes bytes(testmodels::SmallConvNet().Finish());
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(Model::LoadBuffer(bytes.data(), bytes.size(), &model).ok());
  for (bool profiling : {false, true}) {
    InterpreterOptions o;
    o.profiling = profiling;
    std::unique_ptr<Interpreter> it;
    ASSERT_TRUE(Interpreter::Create(model, o, &it).ok());
    ASSERT_TRUE(it->Invoke().ok());  // warm
    const long before = g_allocations.load();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(it->Invoke().ok());
    EXPECT_EQ(g_allocations.load() - before, 0) << "profiling=" << profiling;
  }
  // The counter itself works.
  const long before = g_allocations.load();
  void* p = ::operator new(16);
  ::operator delete(p);
  EXPECT_EQ(g_allocations.load() - before, 1);
}

#ifdef QRUN_WITH_XNNPACK
// XNNPACK is C and allocates with malloc: a counting allocator, installed
// when this test is the first to initialize XNNPACK in the process (ctest
// runs each test in its own process), sees its allocations too.
std::atomic<long> g_xnn_allocations{0};
void* XnnAllocate(void*, size_t n) { g_xnn_allocations++; return std::malloc(n); }
void* XnnReallocate(void*, void* p, size_t n) { g_xnn_allocations++; return std::realloc(p, n); }
void XnnDeallocate(void*, void* p) { std::free(p); }
void* XnnAlignedAllocate(void*, size_t alignment, size_t n) {
  g_xnn_allocations++;
  return std::aligned_alloc(alignment, (n + alignment - 1) / alignment * alignment);
}
void XnnAlignedDeallocate(void*, void* p) { std::free(p); }
const xnn_allocator kCountingAllocator = {nullptr, XnnAllocate, XnnReallocate, XnnDeallocate,
                                          XnnAlignedAllocate, XnnAlignedDeallocate};
#endif

TEST(InvokeAllocation, XnnpackInvokeAllocatesNothing) {
  QRUN_SKIP_WITHOUT_XNNPACK();
#ifdef QRUN_WITH_XNNPACK
  ASSERT_TRUE(xnn::Initialize(&kCountingAllocator).ok());
  const bool counting = xnn::InitializedAllocator() == &kCountingAllocator;
  for (int model_index = 0; model_index < 2; ++model_index) {
    AlignedBytes bytes(model_index == 0 ? testmodels::SmallConvNet().Finish() : xnntest::MixedNet().Finish());
    std::shared_ptr<const Model> model;
    ASSERT_TRUE(Model::LoadBuffer(bytes.data(), bytes.size(), &model).ok());
    for (int threads : {1, 2}) {
      for (bool profiling : {false, true}) {
        InterpreterOptions o;
        o.backend = QRUN_BACKEND_XNNPACK;
        o.num_threads = threads;
        o.profiling = profiling;
        std::unique_ptr<Interpreter> it;
        Status s = Interpreter::Create(model, o, &it);
        ASSERT_TRUE(s.ok()) << s.message();
        if (counting) {
          EXPECT_GT(g_xnn_allocations.load(), 0);
        }  // the operators' packed weights
        ASSERT_TRUE(it->Invoke().ok());  // warm
        const long before = g_allocations.load();
        const long xnn_before = g_xnn_allocations.load();
        for (int i = 0; i < 10; ++i) ASSERT_TRUE(it->Invoke().ok());
        EXPECT_EQ(g_allocations.load() - before, 0) << "model " << model_index << " threads " << threads;
        EXPECT_EQ(g_xnn_allocations.load() - xnn_before, 0) << "model " << model_index << " threads " << threads;
      }
    }
  }
  if (!counting) std::printf("XNNPACK was initialized before this test: only operator new counted\n");
#endif
}

}  // namespace
}  // namespace qrun

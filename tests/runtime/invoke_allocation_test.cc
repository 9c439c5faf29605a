// invoke() must not allocate: this test binary counts every operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "runtime/interpreter.h"
#include "test_models.h"

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

}  // namespace
}  // namespace qrun

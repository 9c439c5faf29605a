// Tests for the activation-arena offset planner: hand cases for the contract,
// randomized graphs for the safety invariants (and a report of how close the
// plans come to the lower bound), and CNN-shaped graphs where the plan must be
// within 10% of the lower bound.
#include "runtime/arena_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace qrun {
namespace {

constexpr size_t kSizeMax = std::numeric_limits<size_t>::max();

size_t RoundUp(size_t size, size_t alignment) {
  return (size + alignment - 1) / alignment * alignment;
}

// The invariants every successful plan must satisfy.
::testing::AssertionResult PlanIsValid(const std::vector<BufferRequest>& requests,
                                       size_t alignment, const ArenaPlan& plan) {
  if (plan.offsets.size() != requests.size()) {
    return ::testing::AssertionFailure()
           << plan.offsets.size() << " offsets for " << requests.size() << " requests";
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    size_t offset = plan.offsets[i];
    size_t size = RoundUp(requests[i].size, alignment);
    if (offset % alignment != 0) {
      return ::testing::AssertionFailure() << "request " << i << " offset " << offset
                                           << " not aligned to " << alignment;
    }
    if (size == 0 && offset != 0) {
      return ::testing::AssertionFailure() << "empty request " << i << " at offset " << offset;
    }
    if (offset > plan.arena_bytes || size > plan.arena_bytes - offset) {
      return ::testing::AssertionFailure() << "request " << i << " [" << offset << ", +" << size
                                           << ") outside arena of " << plan.arena_bytes;
    }
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    for (size_t j = i + 1; j < requests.size(); ++j) {
      const BufferRequest& a = requests[i];
      const BufferRequest& b = requests[j];
      if (a.size == 0 || b.size == 0) continue;
      if (a.first_use > b.last_use || b.first_use > a.last_use) continue;
      size_t a_end = plan.offsets[i] + RoundUp(a.size, alignment);
      size_t b_end = plan.offsets[j] + RoundUp(b.size, alignment);
      if (plan.offsets[i] < b_end && plan.offsets[j] < a_end) {
        return ::testing::AssertionFailure()
               << "requests " << i << " and " << j << " are live together and overlap in memory";
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// Independent oracle for ArenaLowerBound: sum live sizes op by op.
size_t NaiveLowerBound(const std::vector<BufferRequest>& requests, size_t alignment) {
  int last_op = 0;
  for (const BufferRequest& r : requests) last_op = std::max(last_op, r.last_use);
  size_t peak = 0;
  for (int op = 0; op <= last_op; ++op) {
    size_t live = 0;
    for (const BufferRequest& r : requests) {
      if (r.first_use <= op && op <= r.last_use) live += RoundUp(r.size, alignment);
    }
    peak = std::max(peak, live);
  }
  return peak;
}

ArenaPlan PlanOrDie(const std::vector<BufferRequest>& requests, size_t alignment) {
  ArenaPlan plan;
  Status s = PlanArena(requests, alignment, &plan);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(PlanIsValid(requests, alignment, plan));
  return plan;
}

double Ratio(const ArenaPlan& plan, size_t lower_bound) {
  return lower_bound == 0 ? 1.0 : static_cast<double>(plan.arena_bytes) / lower_bound;
}

// Running mean/max of arena/lower-bound, reported to stdout and the XML output.
class RatioStats {
 public:
  void Add(double r) {
    sum_ += r;
    max_ = std::max(max_, r);
    ++count_;
  }
  double mean() const { return count_ ? sum_ / count_ : 0.0; }
  double max() const { return max_; }
  void Report(const std::string& name) const {
    std::cout << "[ ratio    ] " << name << ": " << count_ << " graphs, arena/lower-bound mean "
              << mean() << ", max " << max() << "\n";
    ::testing::Test::RecordProperty(name + "_mean_ratio", std::to_string(mean()));
    ::testing::Test::RecordProperty(name + "_max_ratio", std::to_string(max()));
  }

 private:
  double sum_ = 0.0;
  double max_ = 0.0;
  int count_ = 0;
};

// ---------------------------------------------------------------------------
// Hand cases.

TEST(ArenaPlannerTest, EmptyRequestsGiveEmptyArena) {
  ArenaPlan plan;
  plan.arena_bytes = 123;  // must be overwritten
  ASSERT_TRUE(PlanArena({}, 16, &plan).ok());
  EXPECT_TRUE(plan.offsets.empty());
  EXPECT_EQ(plan.arena_bytes, 0u);
  EXPECT_EQ(ArenaLowerBound({}, 16), 0u);
}

TEST(ArenaPlannerTest, SingleRequest) {
  std::vector<BufferRequest> r = {{100, 0, 3}};
  ArenaPlan plan = PlanOrDie(r, 1);
  EXPECT_EQ(plan.offsets, std::vector<size_t>({0}));
  EXPECT_EQ(plan.arena_bytes, 100u);
  EXPECT_EQ(ArenaLowerBound(r, 1), 100u);
}

TEST(ArenaPlannerTest, DisjointLifetimesShareOffsetZero) {
  std::vector<BufferRequest> r = {{100, 0, 1}, {60, 2, 3}};
  ArenaPlan plan = PlanOrDie(r, 1);
  EXPECT_EQ(plan.offsets, std::vector<size_t>({0, 0}));
  EXPECT_EQ(plan.arena_bytes, 100u);
  EXPECT_EQ(ArenaLowerBound(r, 1), 100u);
}

TEST(ArenaPlannerTest, OverlappingLifetimesDoNotOverlapInMemory) {
  // Inclusive lifetimes: sharing only op 1 is still an overlap.
  std::vector<BufferRequest> r = {{100, 0, 1}, {60, 1, 2}};
  ArenaPlan plan = PlanOrDie(r, 1);
  EXPECT_EQ(plan.arena_bytes, 160u);
  EXPECT_EQ(ArenaLowerBound(r, 1), 160u);
  // The bigger buffer goes first, at offset 0.
  EXPECT_EQ(plan.offsets, std::vector<size_t>({0, 100}));
}

TEST(ArenaPlannerTest, SizesRoundUpToAlignment) {
  std::vector<BufferRequest> r = {{1, 0, 0}, {17, 0, 0}, {64, 0, 0}};
  ArenaPlan plan = PlanOrDie(r, 64);
  EXPECT_EQ(plan.arena_bytes, 192u);
  EXPECT_EQ(ArenaLowerBound(r, 64), 192u);
  for (size_t offset : plan.offsets) EXPECT_EQ(offset % 64, 0u);
  // Alignment 1 packs bytes tightly.
  EXPECT_EQ(PlanOrDie(r, 1).arena_bytes, 82u);
}

TEST(ArenaPlannerTest, ZeroSizeRequestsTakeNoSpace) {
  std::vector<BufferRequest> r = {{0, 0, 5}, {32, 0, 5}, {0, 2, 2}};
  ArenaPlan plan = PlanOrDie(r, 16);
  EXPECT_EQ(plan.offsets, std::vector<size_t>({0, 0, 0}));
  EXPECT_EQ(plan.arena_bytes, 32u);
  EXPECT_EQ(ArenaLowerBound(r, 16), 32u);
}

TEST(ArenaPlannerTest, FillsGapBetweenPlacedBuffers) {
  // X (op 0) and V (op 1) share offset 0; Y (ops 0-2) must sit above X at
  // 1000. That leaves [700, 1000) free at ops 1-2, exactly where Z fits.
  std::vector<BufferRequest> r = {{1000, 0, 0}, {300, 0, 2}, {250, 1, 2}, {700, 1, 1}};
  ArenaPlan plan = PlanOrDie(r, 1);
  EXPECT_EQ(plan.offsets, std::vector<size_t>({0, 1000, 700, 0}));
  EXPECT_EQ(plan.arena_bytes, 1300u);
  EXPECT_EQ(ArenaLowerBound(r, 1), 1300u);
}

TEST(ArenaPlannerTest, PrefersTheTightestGap) {
  // Placed in size order: A@0, B@1000 (above A), C@0 (A is dead by op 1),
  // D@400 (between C and B). At op 3 only B and D are live, leaving gaps
  // [0, 400) and [700, 1000); best fit puts E in the smaller one.
  std::vector<BufferRequest> r = {
      {1000, 0, 0}, {500, 0, 3}, {400, 1, 1}, {300, 1, 3}, {100, 3, 3}};
  ArenaPlan plan = PlanOrDie(r, 1);
  EXPECT_EQ(plan.offsets, std::vector<size_t>({0, 1000, 0, 400, 700}));
  EXPECT_EQ(plan.arena_bytes, 1500u);
}

TEST(ArenaPlannerTest, ChainOfEqualNeighboursReachesLowerBound) {
  // Tensor i lives over ops i..i+1. A one-pass greedy puts the 100 at 0 and
  // then stacks the three 60s (180 bytes or more); the optimum alternates
  // offsets and needs only the largest neighbouring pair, 160.
  std::vector<BufferRequest> r = {{60, 0, 1}, {60, 1, 2}, {60, 2, 3}, {100, 3, 4}};
  ASSERT_EQ(ArenaLowerBound(r, 1), 160u);
  EXPECT_EQ(PlanOrDie(r, 1).arena_bytes, 160u);
}

TEST(ArenaPlannerTest, RejectsBadAlignment) {
  std::vector<BufferRequest> r = {{10, 0, 0}};
  ArenaPlan plan;
  for (size_t alignment : {size_t{0}, size_t{3}, size_t{24}, size_t{100}}) {
    Status s = PlanArena(r, alignment, &plan);
    EXPECT_EQ(s.code(), QRUN_ERROR_INVALID_ARGUMENT) << "alignment " << alignment;
  }
  EXPECT_TRUE(PlanArena(r, 1, &plan).ok());
  EXPECT_TRUE(PlanArena(r, size_t{1} << 12, &plan).ok());
}

TEST(ArenaPlannerTest, RejectsBadLifetimes) {
  ArenaPlan plan;
  plan.arena_bytes = 7;
  const std::vector<std::vector<BufferRequest>> bad = {
      {{10, 2, 1}},              // ends before it starts
      {{10, -1, 3}},             // negative first use
      {{10, 0, -1}},             // negative last use
      {{10, 0, 1}, {10, 5, 4}},  // a later request is bad
  };
  for (const auto& r : bad) {
    Status s = PlanArena(r, 16, &plan);
    EXPECT_EQ(s.code(), QRUN_ERROR_INVALID_ARGUMENT);
    EXPECT_FALSE(s.message().empty());
  }
  // A failed call leaves the output alone.
  EXPECT_EQ(plan.arena_bytes, 7u);
  EXPECT_TRUE(plan.offsets.empty());
}

TEST(ArenaPlannerTest, RejectsNullPlan) {
  EXPECT_EQ(PlanArena({{10, 0, 0}}, 16, nullptr).code(), QRUN_ERROR_INVALID_ARGUMENT);
}

TEST(ArenaPlannerTest, RejectsOverflowWhenRounding) {
  ArenaPlan plan;
  Status s = PlanArena({{kSizeMax - 3, 0, 0}}, 16, &plan);
  EXPECT_EQ(s.code(), QRUN_ERROR_INVALID_MODEL);
  EXPECT_NE(s.message().find("arena size overflows"), std::string::npos) << s.message();
  // Without rounding the same size fits.
  EXPECT_TRUE(PlanArena({{kSizeMax - 3, 0, 0}}, 1, &plan).ok());
  EXPECT_EQ(ArenaLowerBound({{kSizeMax - 3, 0, 0}}, 16), kSizeMax);
}

TEST(ArenaPlannerTest, RejectsOverflowWhenSumming) {
  const size_t half = kSizeMax / 2 + 1;
  ArenaPlan plan;
  Status s = PlanArena({{half, 0, 1}, {half, 1, 2}}, 1, &plan);
  EXPECT_EQ(s.code(), QRUN_ERROR_INVALID_MODEL);
  EXPECT_NE(s.message().find("arena size overflows"), std::string::npos) << s.message();
  EXPECT_EQ(ArenaLowerBound({{half, 0, 1}, {half, 1, 2}}, 1), kSizeMax);
  // The same sizes with disjoint lifetimes share memory and are fine.
  ASSERT_TRUE(PlanArena({{half, 0, 1}, {half, 2, 3}}, 1, &plan).ok());
  EXPECT_EQ(plan.arena_bytes, half);
}

TEST(ArenaPlannerTest, LowerBoundIsPeakOfLiveSizes) {
  std::vector<BufferRequest> r = {{10, 0, 2}, {20, 1, 1}, {40, 3, 4}, {5, 2, 3}};
  // Live sums per op: 10, 30, 15, 45, 40.
  EXPECT_EQ(ArenaLowerBound(r, 1), 45u);
  // With alignment 16 (sizes 16, 32, 48, 16): 16, 48, 32, 64, 48.
  EXPECT_EQ(ArenaLowerBound(r, 16), 64u);
}

TEST(ArenaPlannerTest, IsDeterministic) {
  std::mt19937_64 rng(7);
  std::vector<BufferRequest> r;
  for (int i = 0; i < 100; ++i) {
    int first = static_cast<int>(rng() % 50);
    // Many equal sizes and lifetimes so that ties are common.
    r.push_back({size_t{64} << (rng() % 3), first, first + static_cast<int>(rng() % 4)});
  }
  ArenaPlan a = PlanOrDie(r, 64);
  ArenaPlan b = PlanOrDie(r, 64);
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.arena_bytes, b.arena_bytes);
}

// ---------------------------------------------------------------------------
// Randomized graphs: arbitrary interval sets, checked for safety only.

// Log-uniform so that small and large buffers are equally common per decade.
size_t RandomSize(std::mt19937_64& rng, size_t lo, size_t hi) {
  std::uniform_real_distribution<double> u(std::log(static_cast<double>(lo)),
                                           std::log(static_cast<double>(hi) + 1.0));
  return std::clamp<size_t>(static_cast<size_t>(std::exp(u(rng))), lo, hi);
}

std::vector<BufferRequest> RandomGraph(std::mt19937_64& rng) {
  const int n = std::uniform_int_distribution<int>(1, 200)(rng);
  const int ops = std::uniform_int_distribution<int>(1, n)(rng);
  // Most buffers live a few ops; some (skip connections) live much longer.
  std::geometric_distribution<int> short_span(0.4);
  std::uniform_int_distribution<int> any_op(0, ops - 1);
  std::vector<BufferRequest> r(n);
  for (BufferRequest& b : r) {
    b.size = RandomSize(rng, 1, size_t{4} << 20);
    b.first_use = any_op(rng);
    int span = rng() % 8 == 0 ? any_op(rng) : short_span(rng);
    b.last_use = std::min(ops - 1, b.first_use + span);
  }
  return r;
}

TEST(ArenaPlannerTest, RandomGraphsArePlannedSafely) {
  const size_t alignments[] = {1, 4, 16, 64};
  RatioStats stats;
  for (uint64_t seed = 1; seed <= 600; ++seed) {
    std::mt19937_64 rng(seed);
    size_t alignment = alignments[seed % 4];
    std::vector<BufferRequest> r = RandomGraph(rng);
    ArenaPlan plan;
    Status s = PlanArena(r, alignment, &plan);
    ASSERT_TRUE(s.ok()) << "seed " << seed << ": " << s.message();
    ASSERT_TRUE(PlanIsValid(r, alignment, plan)) << "seed " << seed;
    size_t lower = ArenaLowerBound(r, alignment);
    ASSERT_EQ(lower, NaiveLowerBound(r, alignment)) << "seed " << seed;
    ASSERT_GE(plan.arena_bytes, lower) << "seed " << seed;
    stats.Add(Ratio(plan, lower));
  }
  stats.Report("random");
}

// ---------------------------------------------------------------------------
// CNN-shaped graphs with int8 activations (one byte per element).

// Records tensors as ops are appended; a tensor lives from the op that writes
// it through the last op that reads it.
class GraphBuilder {
 public:
  // A model input: live from op 0 until its last reader.
  int Input(size_t bytes) { return NewTensor(bytes, 0); }

  // Appends an op reading `inputs` and writing one tensor of `out_bytes`,
  // plus an optional scratch buffer live during the op only.
  int Op(const std::vector<int>& inputs, size_t out_bytes, size_t scratch_bytes = 0) {
    int op = next_op_++;
    for (int t : inputs) requests_[t].last_use = std::max(requests_[t].last_use, op);
    if (scratch_bytes > 0) requests_.push_back({scratch_bytes, op, op});
    return NewTensor(out_bytes, op);
  }

  const std::vector<BufferRequest>& requests() const { return requests_; }

 private:
  int NewTensor(size_t bytes, int op) {
    requests_.push_back({bytes, op, op});
    return static_cast<int>(requests_.size()) - 1;
  }

  std::vector<BufferRequest> requests_;
  int next_op_ = 0;
};

struct Shape {
  size_t h, w, c;
  size_t bytes() const { return h * w * c; }
};

Shape Conv(Shape in, size_t stride, size_t out_c) {
  return {(in.h + stride - 1) / stride, (in.w + stride - 1) / stride, out_c};
}

// Rounds channel counts to multiples of 8, as width multipliers do in practice.
size_t Channels(double c) { return std::max<size_t>(8, static_cast<size_t>(c / 8 + 0.5) * 8); }

size_t RandomResolution(std::mt19937_64& rng) { return 96 + 32 * (rng() % 8); }  // 96..320

// A plain chain: op i reads tensor i and writes tensor i+1; spatial size
// shrinks and channels grow with depth, some ops need im2col scratch.
std::vector<BufferRequest> ChainGraph(std::mt19937_64& rng) {
  GraphBuilder g;
  size_t res = RandomResolution(rng);
  Shape s{res, res, 3};
  int t = g.Input(s.bytes());
  const int layers = std::uniform_int_distribution<int>(6, 60)(rng);
  const bool with_scratch = rng() % 2 == 0;
  std::uniform_real_distribution<double> growth(1.0, 1.6);
  for (int i = 0; i < layers; ++i) {
    bool downsample = s.h > 4 && (i == 0 || rng() % 4 == 0);
    size_t out_c = Channels(s.c * (downsample ? 2.0 : growth(rng)));
    if (i == 0) out_c = Channels(16 + rng() % 48);
    out_c = std::min<size_t>(out_c, 2048);
    Shape out = Conv(s, downsample ? 2 : 1, out_c);
    // im2col for a 3x3 kernel, tiled to at most a few rows at a time.
    size_t scratch = with_scratch && rng() % 2 == 0 ? std::min(out.bytes(), s.w * s.c * 9 * 4) : 0;
    t = g.Op({t}, out.bytes(), scratch);
    s = out;
  }
  return g.requests();
}

// ResNet-style basic blocks: the block input stays live across two convs
// until the Add; downsampling blocks add a 1x1 projection shortcut.
std::vector<BufferRequest> ResNetGraph(std::mt19937_64& rng) {
  GraphBuilder g;
  size_t res = RandomResolution(rng);
  double width = 0.25 * (1 + rng() % 6);  // 0.25 .. 1.5
  Shape s{res, res, 3};
  int x = g.Input(s.bytes());
  s = Conv(s, 2, Channels(64 * width));
  x = g.Op({x}, s.bytes());  // stem conv
  s = Conv(s, 2, s.c);
  x = g.Op({x}, s.bytes());  // max pool
  const int stages = 2 + static_cast<int>(rng() % 3);
  for (int stage = 0; stage < stages; ++stage) {
    const int blocks = 1 + static_cast<int>(rng() % 3);
    for (int b = 0; b < blocks; ++b) {
      bool down = stage > 0 && b == 0;
      Shape out = Conv(s, down ? 2 : 1, down ? s.c * 2 : s.c);
      int a = g.Op({x}, out.bytes());
      int c = g.Op({a}, out.bytes());
      int shortcut = down ? g.Op({x}, out.bytes()) : x;
      x = g.Op({shortcut, c}, out.bytes());
      s = out;
    }
  }
  x = g.Op({x}, s.c);  // global average pool
  g.Op({x}, 1000);     // classifier
  return g.requests();
}

// MobileNetV2-style inverted residuals: 1x1 expand (x6), depthwise 3x3,
// 1x1 project; the input stays live across the three ops when there is an Add.
std::vector<BufferRequest> MobileNetV2Graph(std::mt19937_64& rng) {
  struct Stage {
    int expand, channels, repeats, stride;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2},  {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  GraphBuilder g;
  size_t res = RandomResolution(rng);
  const double widths[] = {0.35, 0.5, 0.75, 1.0, 1.3, 1.4};
  double width = widths[rng() % 6];
  Shape s{res, res, 3};
  int x = g.Input(s.bytes());
  s = Conv(s, 2, Channels(32 * width));
  x = g.Op({x}, s.bytes());
  for (const Stage& st : stages) {
    for (int i = 0; i < st.repeats; ++i) {
      size_t stride = i == 0 ? st.stride : 1;
      size_t out_c = Channels(st.channels * width);
      int h = x;
      Shape hidden = s;
      if (st.expand != 1) {
        hidden.c = s.c * st.expand;
        h = g.Op({x}, hidden.bytes());
      }
      Shape dw = Conv(hidden, stride, hidden.c);
      int d = g.Op({h}, dw.bytes());
      Shape out = Conv(dw, 1, out_c);
      int p = g.Op({d}, out.bytes());
      x = (stride == 1 && out_c == s.c) ? g.Op({x, p}, out.bytes()) : p;
      s = out;
    }
  }
  x = g.Op({x}, s.h * s.w * Channels(1280 * std::max(1.0, width)));
  x = g.Op({x}, Channels(1280 * std::max(1.0, width)));
  g.Op({x}, 1000);
  return g.requests();
}

void ExpectNearLowerBound(const std::string& name,
                          std::vector<BufferRequest> (*make)(std::mt19937_64&)) {
  const size_t alignments[] = {1, 16, 64};
  RatioStats stats;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    std::mt19937_64 rng(seed * 7919);
    size_t alignment = alignments[seed % 3];
    std::vector<BufferRequest> r = make(rng);
    ArenaPlan plan;
    Status s = PlanArena(r, alignment, &plan);
    ASSERT_TRUE(s.ok()) << name << " seed " << seed << ": " << s.message();
    ASSERT_TRUE(PlanIsValid(r, alignment, plan)) << name << " seed " << seed;
    size_t lower = ArenaLowerBound(r, alignment);
    ASSERT_GE(plan.arena_bytes, lower);
    EXPECT_LE(plan.arena_bytes, 1.10 * lower)
        << name << " seed " << seed << ": " << r.size() << " buffers, arena " << plan.arena_bytes
        << " vs lower bound " << lower;
    stats.Add(Ratio(plan, lower));
  }
  stats.Report(name);
}

TEST(ArenaPlannerTest, ChainGraphsStayNearLowerBound) { ExpectNearLowerBound("chain", ChainGraph); }

TEST(ArenaPlannerTest, ResNetGraphsStayNearLowerBound) {
  ExpectNearLowerBound("resnet", ResNetGraph);
}

TEST(ArenaPlannerTest, MobileNetV2GraphsStayNearLowerBound) {
  ExpectNearLowerBound("mobilenetv2", MobileNetV2Graph);
}

}  // namespace
}  // namespace qrun

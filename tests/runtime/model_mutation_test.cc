// Deterministic byte-level mutation of valid models of every op type
// (fuzz/seed_models.h plus examples/tiny_lines.qfb): thousands of mutants go
// through the public C API exactly as the libFuzzer target does
// (fuzz/fuzz_target_util.h). Every mutant must give a clean error or a
// valid run; under -DQRUN_SANITIZE=address,undefined (CI) that includes no
// out-of-bounds access and no UB. The complement of
// OpsRobustness.MutatedModelsFailCleanlyOrRunInBounds, which mutates the
// object tree: this one mutates the serialized bytes (offsets, lengths,
// vtables, union types, indices, values).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target_util.h"
#include "fuzz/seed_models.h"

namespace qrun {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint32_t Next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return static_cast<uint32_t>(s_ >> 11);
  }
  size_t Below(size_t n) { return n ? Next() % n : 0; }

 private:
  uint64_t s_;
};

// One random edit of the kind a fuzzer makes: bit flips, random or
// "interesting" bytes and 32-bit words (0, -1, INT_MIN/MAX, small
// negatives, huge dims), copies of one region over another, truncation.
void MutateOnce(Rng& rng, std::vector<uint8_t>& b) {
  if (b.empty()) return;
  static const uint32_t kWords[] = {0u,          1u,          0xFFFFFFFFu, 0x7FFFFFFFu,
                                    0x80000000u, 0xFFFFFFFEu, 0x10000u,    0x8000u,
                                    0x7F800000u /* +inf */,   0x7FC00000u /* NaN */,
                                    0x00000081u, 65537u};
  const size_t pos = rng.Below(b.size());
  switch (rng.Below(7)) {
    case 0: b[pos] ^= static_cast<uint8_t>(1u << rng.Below(8)); break;
    case 1: b[pos] = static_cast<uint8_t>(rng.Next()); break;
    case 2: b[pos] = (rng.Next() & 1) ? 0xFF : 0x00; break;
    case 3:
    case 4: {
      const size_t at = pos & ~size_t{3};
      if (at + 4 <= b.size()) {
        const uint32_t w = kWords[rng.Below(sizeof(kWords) / sizeof(kWords[0]))];
        std::memcpy(&b[at], &w, 4);
      }
      break;
    }
    case 5: {
      const size_t len = 1 + rng.Below(16);
      const size_t from = rng.Below(b.size());
      if (from + len <= b.size() && pos + len <= b.size()) std::memmove(&b[pos], &b[from], len);
      break;
    }
    default:
      if (rng.Below(8) == 0) b.resize(pos);  // rarely: truncate
      else b[pos] = static_cast<uint8_t>(b[pos] + 1 + rng.Below(3));
      break;
  }
}

std::string SourceDir() {
  const char* src = std::getenv("QRUN_SOURCE_DIR");
  return src ? src : ".";
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::vector<seeds::SeedModel> AllSeeds() {
  std::vector<seeds::SeedModel> all = seeds::SeedModels();
  std::vector<uint8_t> bytes = ReadFile(SourceDir() + "/examples/tiny_lines.qfb");
  if (!bytes.empty()) all.push_back({"tiny_lines", bytes});
  return all;
}

// Every input the fuzzer ever crashed on (fuzz/regressions/, named after the
// bug) now gives a clean result, on both backends.
TEST(ModelMutation, FuzzRegressionsFailCleanly) {
  const std::filesystem::path dir = SourceDir() + "/fuzz/regressions";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << dir;
  for (const auto& path : files) {
    const std::vector<uint8_t> bytes = ReadFile(path.string());
    for (qrun_backend backend : {QRUN_BACKEND_NATIVE, QRUN_BACKEND_REFERENCE}) {
      fuzzing::Result r = fuzzing::RunModelBytes(bytes.data(), bytes.size(), bytes.data(),
                                                 bytes.size(), backend);
      EXPECT_TRUE(r.violation.empty()) << path.filename() << ": " << r.violation;
    }
  }
}

TEST(ModelMutation, SeedModelsAllRun) {
  for (const seeds::SeedModel& m : AllSeeds()) {
    fuzzing::Result r = fuzzing::RunModelBytes(m.bytes.data(), m.bytes.size(), nullptr, 0,
                                               QRUN_BACKEND_NATIVE);
    EXPECT_EQ(r.outcome, fuzzing::Outcome::kRan) << m.name << ": " << qrun_last_error();
    EXPECT_TRUE(r.violation.empty()) << m.name << ": " << r.violation;
  }
}

TEST(ModelMutation, MutatedModelsOfEveryOpFailCleanlyOrRun) {
  const std::vector<seeds::SeedModel> all = AllSeeds();
  ASSERT_GE(all.size(), 30u);
  constexpr int kPerSeed = 160;
  int ran = 0, rejected = 0, other = 0, total = 0;
  for (size_t s = 0; s < all.size(); ++s) {
    Rng rng(s + 1);
    int ran_this_seed = 0;
    for (int i = 0; i < kPerSeed; ++i) {
      std::vector<uint8_t> bytes = all[s].bytes;
      const size_t edits = 1 + rng.Below(i % 4 == 3 ? 8 : 3);
      for (size_t e = 0; e < edits; ++e) MutateOnce(rng, bytes);
      std::vector<uint8_t> fill(64);
      for (auto& x : fill) x = static_cast<uint8_t>(rng.Next());
      const qrun_backend backend = (i & 1) ? QRUN_BACKEND_REFERENCE : QRUN_BACKEND_NATIVE;
      fuzzing::Result r =
          fuzzing::RunModelBytes(bytes.data(), bytes.size(), fill.data(), fill.size(), backend);
      ASSERT_TRUE(r.violation.empty()) << all[s].name << " mutant " << i << ": " << r.violation;
      ++total;
      switch (r.outcome) {
        case fuzzing::Outcome::kRan: ++ran, ++ran_this_seed; break;
        case fuzzing::Outcome::kRejected: ++rejected; break;
        default: ++other; break;
      }
    }
    // Some mutants of every seed (e.g. weight or name bytes) still run.
    EXPECT_GT(ran_this_seed, 0) << "no mutant of " << all[s].name << " ran";
  }
  std::printf("byte mutants: %d total, %d ran, %d rejected at load, %d other\n", total, ran,
              rejected, other);
  EXPECT_GE(total, 5000);
}

}  // namespace
}  // namespace qrun

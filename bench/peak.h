// Peak-MAC loops (one file per ISA, compiled with that ISA's flags).
#pragma once

#include <cstdint>

namespace qrun::bench {

// 12 zmm vpdpbusd per iteration: 12 * 64 MACs.
int64_t PeakLoopAvx512Vnni(int64_t iters);
constexpr double kPeakMacsPerIterAvx512Vnni = 12 * 64;
// 6 ymm vpmaddubsw (+ vpmaddwd + vpaddd) per iteration: 6 * 32 MACs.
int64_t PeakLoopAvx2(int64_t iters);
constexpr double kPeakMacsPerIterAvx2 = 6 * 32;

}  // namespace qrun::bench

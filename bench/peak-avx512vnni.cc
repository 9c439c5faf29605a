// Peak int8 MAC throughput, AVX-512 VNNI: 12 independent zmm vpdpbusd
// accumulator chains (latency 4, so >= 4 are needed to saturate one core).
#include <immintrin.h>

#include <cstdint>

#include "bench/peak.h"

namespace qrun::bench {

int64_t PeakLoopAvx512Vnni(int64_t iters) {
  __m512i acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_epi32(i);
  const __m512i a = _mm512_set1_epi8(3);
  const __m512i b = _mm512_set1_epi8(-5);
  for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
    __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]),
                     "+v"(acc[5]), "+v"(acc[6]), "+v"(acc[7]), "+v"(acc[8]), "+v"(acc[9]),
                     "+v"(acc[10]), "+v"(acc[11]));
  }
  __m512i s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm512_add_epi32(s, acc[i]);
  alignas(64) int32_t v[16];
  _mm512_store_si512(v, s);
  int64_t r = 0;
  for (int x : v) r += x;
  return r;
}

}  // namespace qrun::bench

// Force-included (-include) in front of the AVX-512 VNNI kernel sources for
// the emulated test build (tests/emulated/CMakeLists.txt): SIMDe (Debian's
// libsimde-dev) implements the AVX-512 intrinsics in portable code, so the
// kernels run and are checked bit-exact on CPUs without AVX-512. The few
// intrinsics SIMDe 0.7.4 lacks are defined here with the instructions'
// documented semantics.
#pragma once

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace qrun_emulated {

template <typename T, typename V, int N>
inline void ToLanes(const V& v, T (&out)[N]) {
  static_assert(sizeof(V) == sizeof(out), "vector size");
  std::memcpy(out, &v, sizeof(v));
}
template <typename V, typename T, int N>
inline V FromLanes(const T (&in)[N]) {
  static_assert(sizeof(V) == sizeof(in), "vector size");
  V v;
  std::memcpy(&v, in, sizeof(v));
  return v;
}

// vcvtdq2ps: int32 -> float, round to nearest even (the C conversion's mode).
inline simde__m512 cvtepi32_ps(simde__m512i a) {
  int32_t x[16];
  float y[16];
  ToLanes(a, x);
  for (int i = 0; i < 16; ++i) y[i] = static_cast<float>(x[i]);
  return FromLanes<simde__m512>(y);
}

// vcvtps2dq with MXCSR's default rounding (nearest even); NaN and values out
// of int32 range give the "integer indefinite" 0x80000000.
inline simde__m512i cvtps_epi32(simde__m512 a) {
  float x[16];
  int32_t y[16];
  ToLanes(a, x);
  for (int i = 0; i < 16; ++i) {
    const float r = std::nearbyint(x[i]);
    y[i] = (std::isnan(r) || r < -2147483648.0f || r >= 2147483648.0f) ? INT32_MIN
                                                                         : static_cast<int32_t>(r);
  }
  return FromLanes<simde__m512i>(y);
}

// vpmovdb: the low byte of each int32 (truncation, no saturation).
inline simde__m128i cvtepi32_epi8(simde__m512i a) {
  int32_t x[16];
  int8_t y[16];
  ToLanes(a, x);
  for (int i = 0; i < 16; ++i) y[i] = static_cast<int8_t>(static_cast<uint32_t>(x[i]) & 0xFFu);
  return FromLanes<simde__m128i>(y);
}

// Masked byte stores/loads: masked-off bytes are neither written nor read
// (the hardware suppresses faults there; so must the emulation).
template <typename V, int N, typename M>
inline void MaskStoreBytes(void* p, M mask, V v) {
  uint8_t x[N];
  ToLanes(v, x);
  for (int i = 0; i < N; ++i)
    if ((mask >> i) & 1) static_cast<uint8_t*>(p)[i] = x[i];
}
template <typename V, int N, typename M>
inline V MaskzLoadBytes(M mask, const void* p) {
  uint8_t x[N] = {};
  for (int i = 0; i < N; ++i)
    if ((mask >> i) & 1) x[i] = static_cast<const uint8_t*>(p)[i];
  return FromLanes<V>(x);
}

}  // namespace qrun_emulated

#define _mm512_cvtepi32_ps(a) qrun_emulated::cvtepi32_ps(a)
#define _mm512_cvtps_epi32(a) qrun_emulated::cvtps_epi32(a)
#define _mm512_cvtepi32_epi8(a) qrun_emulated::cvtepi32_epi8(a)
#define _mm_mask_storeu_epi8(p, m, v) \
  qrun_emulated::MaskStoreBytes<simde__m128i, 16>((p), static_cast<uint64_t>(m), (v))
#define _mm256_mask_storeu_epi8(p, m, v) \
  qrun_emulated::MaskStoreBytes<simde__m256i, 32>((p), static_cast<uint64_t>(m), (v))
#define _mm512_mask_storeu_epi8(p, m, v) \
  qrun_emulated::MaskStoreBytes<simde__m512i, 64>((p), static_cast<uint64_t>(m), (v))
#define _mm512_maskz_loadu_epi8(m, p) \
  qrun_emulated::MaskzLoadBytes<simde__m512i, 64>(static_cast<uint64_t>(m), (p))
#define _mm256_maskz_loadu_epi8(m, p) \
  qrun_emulated::MaskzLoadBytes<simde__m256i, 32>(static_cast<uint64_t>(m), (p))

// 256-entry byte table lookup with vpshufb, 32 bytes per step.
//
// vpshufb looks up 16 entries and yields 0 for an index with bit 7 set. The
// table is split into 16 rows of 16; diff row k = row k ^ row k-1 (rows 0
// and 8 kept as they are), so XOR-ing rows 0..j (or 8..8+j) gives row j
// (8+j). Two chains of signed-saturating "index - 16" steps pick them:
//   low chain, index u = x ^ 0x80 (= x + 128): for x < 0, u in [0, 127]
//     stays non-negative for exactly the steps k <= u >> 4; for x >= 0 it is
//     negative from the start and saturation keeps it negative.
//   high chain, index x: for x >= 0 non-negative for steps k <= x >> 4
//     (rows 8..15); for x < 0 always negative.
// The low 4 bits never change while an index is valid, so each valid step
// reads column x & 15 of its row.
#include <cstring>

#include "kernels/x86/qs8-avx2-common.h"

namespace qrun::kernels::x86 {
namespace {

struct Tables {
  __m256i row[16];
};

inline __m256i Lookup32(__m256i x, const Tables& t) {
  const __m256i step = _mm256_set1_epi8(16);
  __m256i lo = _mm256_xor_si256(x, _mm256_set1_epi8(static_cast<char>(0x80)));
  __m256i hi = x;
  __m256i r = _mm256_xor_si256(_mm256_shuffle_epi8(t.row[0], lo), _mm256_shuffle_epi8(t.row[8], hi));
  for (int k = 1; k < 8; ++k) {
    lo = _mm256_subs_epi8(lo, step);
    hi = _mm256_subs_epi8(hi, step);
    r = _mm256_xor_si256(r, _mm256_xor_si256(_mm256_shuffle_epi8(t.row[k], lo),
                                             _mm256_shuffle_epi8(t.row[8 + k], hi)));
  }
  return r;
}

}  // namespace

void x8_lut__avx2(size_t n, const int8_t* x, int8_t* y, const uint8_t diff_table[256]) {
  if (n == 0) return;
  Tables t;
  for (int k = 0; k < 16; ++k) {
    t.row[k] = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(diff_table + 16 * k)));
  }
  for (; n >= 64; n -= 64, x += 64, y += 64) {
    const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 32));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), Lookup32(v0, t));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 32), Lookup32(v1, t));
  }
  for (; n >= 32; n -= 32, x += 32, y += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), Lookup32(v, t));
  }
  if (n != 0) {
    int8_t tx[32] = {}, ty[32];
    std::memcpy(tx, x, n);
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tx));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(ty), Lookup32(v, t));
    std::memcpy(y, ty, n);
  }
}

}  // namespace qrun::kernels::x86

// Integer Winograd F(2x2, 3x3) transforms (Lavin & Gray 2015), shared by the
// reference and the optimized kernels. docs/quantization.md "Winograd".
//
// One 4x4 input tile d gives a 2x2 output tile of the 3x3 cross-correlation
// with 16 multiplies instead of 36:   Y = A^T [ (G g G^T) .* (B^T d B) ] A.
// G has halves, so the weights are transformed with G' = 2G (integers):
// U' = G' g G'^T = 4 (G g G^T), and Y' = A^T [U' .* V] A = 4 Y exactly.
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   G'  = [2 0 0; 1 1 1; 1 -1 1; 0 0 2]
//   A^T = [1 1 1 0; 0 1 -1 -1]
// Ranges for int8 data: |V| <= 4 * 128 = 512 and |U'| <= 9 * 127 = 1143, so
// both fit int16 and a pair of products fits int32 (vpmaddwd / SMLAL).
// Sums over channels and the output transform wrap modulo 2^32 like every
// int32 accumulator here; Y' / 4 is exact when |Y| < 2^29 (checked at
// prepare from the weights: 128 * sum|w| < 2^29 per output channel).
#pragma once

#include <cstdint>

namespace qrun::kernels::winograd {

constexpr int kTile = 4;        // input tile side
constexpr int kOut = 2;         // output tile side
constexpr int kPositions = 16;  // transformed elements per tile

// u[16] (row-major [i][j]) = G' g G'^T for one 3x3 filter g[ky * stride_ky + kx * stride_kx].
inline void TransformFilter(const int8_t* g, int stride_ky, int stride_kx, int16_t* u) {
  int32_t t[4][3];
  for (int kx = 0; kx < 3; ++kx) {
    const int32_t g0 = g[0 * stride_ky + kx * stride_kx];
    const int32_t g1 = g[1 * stride_ky + kx * stride_kx];
    const int32_t g2 = g[2 * stride_ky + kx * stride_kx];
    t[0][kx] = 2 * g0;
    t[1][kx] = g0 + g1 + g2;
    t[2][kx] = g0 - g1 + g2;
    t[3][kx] = 2 * g2;
  }
  for (int i = 0; i < 4; ++i) {
    u[i * 4 + 0] = static_cast<int16_t>(2 * t[i][0]);
    u[i * 4 + 1] = static_cast<int16_t>(t[i][0] + t[i][1] + t[i][2]);
    u[i * 4 + 2] = static_cast<int16_t>(t[i][0] - t[i][1] + t[i][2]);
    u[i * 4 + 3] = static_cast<int16_t>(2 * t[i][2]);
  }
}

// v[16] = B^T d B for one 4x4 tile d[16] (row-major).
inline void TransformInput(const int32_t* d, int32_t* v) {
  int32_t t[4][4];
  for (int j = 0; j < 4; ++j) {
    t[0][j] = d[0 * 4 + j] - d[2 * 4 + j];
    t[1][j] = d[1 * 4 + j] + d[2 * 4 + j];
    t[2][j] = d[2 * 4 + j] - d[1 * 4 + j];
    t[3][j] = d[1 * 4 + j] - d[3 * 4 + j];
  }
  for (int i = 0; i < 4; ++i) {
    v[i * 4 + 0] = t[i][0] - t[i][2];
    v[i * 4 + 1] = t[i][1] + t[i][2];
    v[i * 4 + 2] = t[i][2] - t[i][1];
    v[i * 4 + 3] = t[i][1] - t[i][3];
  }
}

// y[4] (2x2 row-major) = A^T m A for m[16], modulo 2^32 (unsigned, no UB).
inline void TransformOutput(const uint32_t* m, uint32_t* y) {
  uint32_t s[2][4];
  for (int j = 0; j < 4; ++j) {
    s[0][j] = m[0 * 4 + j] + m[1 * 4 + j] + m[2 * 4 + j];
    s[1][j] = m[1 * 4 + j] - m[2 * 4 + j] - m[3 * 4 + j];
  }
  for (int r = 0; r < 2; ++r) {
    y[r * 2 + 0] = s[r][0] + s[r][1] + s[r][2];
    y[r * 2 + 1] = s[r][1] - s[r][2] - s[r][3];
  }
}

}  // namespace qrun::kernels::winograd

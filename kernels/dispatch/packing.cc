#include "kernels/packing.h"

#include <cstring>

namespace qrun::kernels {

size_t PackedTileBytes(const PackLayout& l, int ks, int kc) {
  const size_t nr = static_cast<size_t>(l.nr);
  return nr * (sizeof(int32_t) + sizeof(float)) +
         static_cast<size_t>(ks) * RoundUp(static_cast<size_t>(kc), static_cast<size_t>(l.kr)) *
             nr * static_cast<size_t>(l.elem_bytes);
}

size_t PackedBytes(const PackLayout& l, int n, int ks, int kc) {
  return RoundUp(static_cast<size_t>(n), static_cast<size_t>(l.nr)) / static_cast<size_t>(l.nr) *
         PackedTileBytes(l, ks, kc);
}

void PackQs8Weights(const PackLayout& l, int n, int ks, int kc, const int8_t* weights,
                    const int32_t* bias, const float* scale, int32_t input_zero_point,
                    void* out) {
  const size_t tile_bytes = PackedTileBytes(l, ks, kc);
  const int kc_pad = static_cast<int>(RoundUp(static_cast<size_t>(kc), static_cast<size_t>(l.kr)));
  const int64_t row = static_cast<int64_t>(ks) * kc;  // one channel's weights
  auto* base = static_cast<uint8_t*>(out);
  for (int n0 = 0; n0 < n; n0 += l.nr, base += tile_bytes) {
    std::memset(base, 0, tile_bytes);
    auto* b = reinterpret_cast<int32_t*>(base);
    auto* s = reinterpret_cast<float*>(base + sizeof(int32_t) * static_cast<size_t>(l.nr));
    uint8_t* w = base + (sizeof(int32_t) + sizeof(float)) * static_cast<size_t>(l.nr);
    for (int j = 0; j < l.nr && n0 + j < n; ++j) {
      const int8_t* src = weights + static_cast<int64_t>(n0 + j) * row;
      int64_t sum = 0;
      for (int64_t i = 0; i < row; ++i) sum += src[i];
      const int64_t packed_bias =
          (bias ? bias[n0 + j] : 0) - (static_cast<int64_t>(input_zero_point) + l.x_offset) * sum;
      b[j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(packed_bias)));
      s[j] = scale[n0 + j];
    }
    size_t pos = 0;  // in elements
    for (int t = 0; t < ks; ++t) {
      for (int k0 = 0; k0 < kc_pad; k0 += l.kr) {
        for (int j = 0; j < l.nr; ++j) {
          for (int r = 0; r < l.kr; ++r, ++pos) {
            const int k = k0 + r;
            if (n0 + j >= n || k >= kc) continue;  // zero padding
            const int8_t v = weights[static_cast<int64_t>(n0 + j) * row +
                                     static_cast<int64_t>(t) * kc + k];
            if (l.elem_bytes == 1) {
              reinterpret_cast<int8_t*>(w)[pos] = v;
            } else {
              const int16_t v16 = v;
              std::memcpy(w + pos * 2, &v16, 2);
            }
          }
        }
      }
    }
  }
}

}  // namespace qrun::kernels

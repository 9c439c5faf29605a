#include "kernels/dispatch/qs8_winograd.h"

#include <algorithm>
#include <cstring>

#include "kernels/reference/conv2d_winograd.h"
#include "kernels/winograd_f2x3.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/qs8-winograd.h"
#define QRUN_WINOGRAD_X86 1
#endif

namespace qrun::kernels {
namespace {

constexpr size_t kNr = 16;    // output channels per packed tile
constexpr size_t kMr = 16;    // Winograd tiles per GEMM call (kWinogradMaxTiles)
constexpr size_t kSlack = 64;
constexpr size_t kL2Budget = 512 * 1024;  // half of a typical 1 MB L2

void InputTrampoline(void* ctx, size_t i) { static_cast<Qs8WinogradConv*>(ctx)->InputTask(i); }
void GemmTrampoline(void* ctx, size_t i, size_t j) {
  static_cast<Qs8WinogradConv*>(ctx)->GemmTask(i, j);
}
void GemmTrampolineTilesOuter(void* ctx, size_t i, size_t j) {
  static_cast<Qs8WinogradConv*>(ctx)->GemmTask(j, i);
}

}  // namespace

bool Qs8WinogradConv::Init(Isa isa, const Conv2DGeometry& g, int32_t input_zero_point,
                           const int8_t* weights, const int32_t* bias, const float* requant_scale,
                           const QuantizedOutput& out) {
#if QRUN_WINOGRAD_X86
  if (!IsaAtLeast(isa, Isa::kAvx2) || IsaAtLeast(isa, Isa::kAvx512Vnni)) return false;
  if (!ref::winograd_f2x3_exact(g, weights)) return false;
  // Thin layers spend their time in the transforms; tiny images in the
  // half-empty edge tiles (2.25x fewer multiplies per computed output).
  if (g.in_c < 8 || g.out_c < 8) return false;
  const size_t th = static_cast<size_t>(g.out_h + 1) / 2, tw = static_cast<size_t>(g.out_w + 1) / 2;
  const double useful = 9.0 * g.out_h * g.out_w / (16.0 * static_cast<double>(th * tw));
  if (useful < 1.5) return false;

  g_ = g;
  tiles_h_ = th;
  tiles_w_ = tw;
  tiles_ = static_cast<size_t>(g.batch) * th * tw;
  const size_t c = static_cast<size_t>(g.in_c), oc = static_cast<size_t>(g.out_c);
  cp_ = (c + 15) / 16 * 16;
  const size_t kp = (c + 1) / 2;
  n_tiles_ = (oc + kNr - 1) / kNr;
  m_blocks_ = (tiles_ + kMr - 1) / kMr;

  // Per tile of 16 channels: int32 bias | float scale | int16 U'[16][kp][16][2].
  tile_bytes_ = kNr * 4 + kNr * 4 + 16 * kp * kNr * 2 * 2;
  packed_.assign(tile_bytes_ * n_tiles_, 0);
  for (size_t o = 0; o < oc; ++o) {
    const size_t nt = o / kNr, j = o % kNr;
    uint8_t* tile = packed_.data() + nt * tile_bytes_;
    const int8_t* filter = weights + o * 9 * c;
    uint32_t comp = bias ? static_cast<uint32_t>(bias[o]) : 0u;
    for (size_t i = 0; i < 9 * c; ++i)
      comp -= static_cast<uint32_t>(input_zero_point) * static_cast<uint32_t>(static_cast<int32_t>(filter[i]));
    const int32_t comp32 = static_cast<int32_t>(comp);
    std::memcpy(tile + j * 4, &comp32, 4);
    std::memcpy(tile + kNr * 4 + j * 4, &requant_scale[o], 4);
    auto* u = reinterpret_cast<int16_t*>(tile + kNr * 8);
    for (size_t ic = 0; ic < c; ++ic) {
      int16_t t[16];
      winograd::TransformFilter(filter + ic, static_cast<int>(3 * c), static_cast<int>(c), t);
      for (size_t pos = 0; pos < 16; ++pos)
        u[((pos * kp + ic / 2) * kNr + j) * 2 + ic % 2] = t[pos];
    }
  }

  // Loop order: all packed weights L2-resident -> walk the tiles outside and
  // keep each tile block's V in L1; otherwise keep one channel tile's weights
  // in L2 while all tiles stream past.
  tiles_outer_ = packed_.size() <= kL2Budget;

  out_lo_ = static_cast<float>(out.qmin - out.zero_point);
  out_hi_ = static_cast<float>(out.qmax - out.zero_point);
  out_zp_ = out.zero_point;
  zero_.assign(cp_ + kSlack, static_cast<int8_t>(input_zero_point));
  scratch_bytes_ = tiles_ * 16 * cp_ * sizeof(int16_t) + kSlack;
  name_ = "qs8-conv2d-3x3-winograd-f2x3/4x16c2-avx2";
  return true;
#else
  (void)isa; (void)g; (void)input_zero_point; (void)weights; (void)bias; (void)requant_scale;
  (void)out;
  return false;
#endif
}

size_t Qs8WinogradConv::persistent_bytes() const {
  return packed_.capacity() + zero_.capacity() + name_.capacity();
}

void Qs8WinogradConv::InputTask(size_t tile_row) {
#if QRUN_WINOGRAD_X86
  const Conv2DGeometry& g = g_;
  const size_t c = static_cast<size_t>(g.in_c);
  const size_t n = tile_row / tiles_h_, ty = tile_row % tiles_h_;
  for (size_t tx = 0; tx < tiles_w_; ++tx) {
    const int8_t* d[16];
    for (int r = 0; r < 4; ++r) {
      const int iy = static_cast<int>(2 * ty) - g.pad_top + r;
      for (int col = 0; col < 4; ++col) {
        const int ix = static_cast<int>(2 * tx) - g.pad_left + col;
        const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
        d[r * 4 + col] =
            inside ? run_in_ + ((n * static_cast<size_t>(g.in_h) + static_cast<size_t>(iy)) *
                                    static_cast<size_t>(g.in_w) + static_cast<size_t>(ix)) * c
                   : zero_.data();
      }
    }
    const size_t t = tile_row * tiles_w_ + tx;
    x86::qs8_winograd_f2x3_input__avx2(c, d, run_v_ + t * 16 * cp_, cp_);
  }
#else
  (void)tile_row;
#endif
}

void Qs8WinogradConv::GemmTask(size_t n_tile, size_t m_block) {
#if QRUN_WINOGRAD_X86
  const Conv2DGeometry& g = g_;
  const size_t oc = static_cast<size_t>(g.out_c);
  const size_t n0 = n_tile * kNr, nc = std::min(kNr, oc - n0);
  const size_t t0 = m_block * kMr, mr = std::min(kMr, tiles_ - t0);
  const int16_t* v[kMr];
  x86::WinogradTileOut outs[kMr];
  const size_t row_stride = static_cast<size_t>(g.out_w) * oc;
  for (size_t i = 0; i < kMr; ++i) {
    const size_t t = t0 + std::min(i, mr - 1);  // rows past mr repeat the last tile
    v[i] = run_v_ + t * 16 * cp_;
    const size_t n = t / (tiles_h_ * tiles_w_), rem = t % (tiles_h_ * tiles_w_);
    const size_t oy = 2 * (rem / tiles_w_), ox = 2 * (rem % tiles_w_);
    outs[i].out = run_out_ + ((n * static_cast<size_t>(g.out_h) + oy) * static_cast<size_t>(g.out_w) + ox) * oc + n0;
    outs[i].rows = std::min(2, g.out_h - static_cast<int>(oy));
    outs[i].cols = std::min(2, g.out_w - static_cast<int>(ox));
  }
  const x86::Qs8Requant p{out_lo_, out_hi_, out_zp_};
  x86::qs8_winograd_f2x3_4x16c2__avx2(mr, nc, static_cast<size_t>(g.in_c), v, cp_,
                                      packed_.data() + n_tile * tile_bytes_, outs, row_stride, oc,
                                      p);
#else
  (void)n_tile; (void)m_block;
#endif
}

void Qs8WinogradConv::Run(const int8_t* input, int8_t* output, void* scratch, pthreadpool_t pool) {
  run_in_ = input;
  run_out_ = output;
  run_v_ = static_cast<int16_t*>(scratch);
  pthreadpool_parallelize_1d(pool, InputTrampoline, this,
                             static_cast<size_t>(g_.batch) * tiles_h_, 0);
  if (tiles_outer_) {
    pthreadpool_parallelize_2d(pool, GemmTrampolineTilesOuter, this, m_blocks_, n_tiles_, 0);
  } else {
    pthreadpool_parallelize_2d(pool, GemmTrampoline, this, n_tiles_, m_blocks_, 0);
  }
}

}  // namespace qrun::kernels

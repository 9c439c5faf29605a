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
#if QRUN_WINOGRAD_X86
constexpr size_t kMr = x86::kWinogradMaxTiles;  // Winograd tiles per task
#else
constexpr size_t kMr = 16;
#endif
constexpr size_t kSlack = 64;
constexpr size_t kMinTiles = 32;

void TaskTrampoline(void* ctx, size_t i, size_t j) {
  static_cast<Qs8WinogradConv*>(ctx)->Task(i, j);
}

}  // namespace

bool Qs8WinogradConv::Init(Isa isa, const Conv2DGeometry& g, int32_t input_zero_point,
                           const int8_t* weights, const int32_t* bias, const float* requant_scale,
                           const QuantizedOutput& out, int max_threads) {
#if QRUN_WINOGRAD_X86
  if (!IsaAtLeast(isa, Isa::kAvx2) || IsaAtLeast(isa, Isa::kAvx512Vnni)) return false;
  if (!ref::winograd_f2x3_exact(g, weights)) return false;
  // Thin layers spend their time in the transforms; tiny images in the
  // half-empty edge tiles (2.25x fewer multiplies per computed output).
  if (g.in_c < 8 || g.out_c < 8) return false;
  const size_t th = static_cast<size_t>(g.out_h + 1) / 2, tw = static_cast<size_t>(g.out_w + 1) / 2;
  const double useful = 9.0 * g.out_h * g.out_w / (16.0 * static_cast<double>(th * tw));
  if (useful < 1.5) return false;
  // Few tiles: the layer is bound by reading its weights (cold in a model),
  // and the Winograd form has 16/9 as many. ResNet-18's 7x7x512 layers
  // (16 tiles) measured 1.19x faster with cold caches, for 3.7 MB more packed
  // weights each: not worth it by default.
  if (static_cast<size_t>(g.batch) * th * tw < kMinTiles) return false;

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

  // Work split: one task per (block of kMr tiles, group of channel tiles).
  // Each group repeats the block's input transform (a few % of the GEMM), so
  // channels are split only when there are too few blocks for the threads.
  const size_t threads = static_cast<size_t>(std::max(1, max_threads));
  n_groups_ = std::min(n_tiles_, std::max<size_t>(1, (2 * threads + m_blocks_ - 1) / m_blocks_));
  n_group_ = (n_tiles_ + n_groups_ - 1) / n_groups_;
  n_groups_ = (n_tiles_ + n_group_ - 1) / n_group_;
  slots_ = threads;
  slot_bytes_ = (kMr * 16 * cp_ * sizeof(int16_t) + 63) / 64 * 64;
  slot_busy_.reset(new std::atomic<bool>[slots_]);
  for (size_t i = 0; i < slots_; ++i) slot_busy_[i].store(false);

  out_lo_ = static_cast<float>(out.qmin - out.zero_point);
  out_hi_ = static_cast<float>(out.qmax - out.zero_point);
  out_zp_ = out.zero_point;
  zero_.assign(cp_ + kSlack, static_cast<int8_t>(input_zero_point));
  scratch_bytes_ = slots_ * slot_bytes_ + kSlack;
  name_ = "qs8-conv2d-3x3-winograd-f2x3/6x16c2-avx2";
  return true;
#else
  (void)isa; (void)g; (void)input_zero_point; (void)weights; (void)bias; (void)requant_scale;
  (void)out;
  return false;
#endif
}

size_t Qs8WinogradConv::persistent_bytes() const {
  return packed_.capacity() + zero_.capacity() + name_.capacity() +
         slots_ * sizeof(std::atomic<bool>);
}

void Qs8WinogradConv::TransformBlock(size_t t0, size_t count, int16_t* v) const {
#if QRUN_WINOGRAD_X86
  const Conv2DGeometry& g = g_;
  const size_t c = static_cast<size_t>(g.in_c);
  for (size_t i = 0; i < count; ++i) {
    const size_t t = t0 + i;
    const size_t n = t / (tiles_h_ * tiles_w_), rem = t % (tiles_h_ * tiles_w_);
    const int y0 = static_cast<int>(2 * (rem / tiles_w_)) - g.pad_top;
    const int x0 = static_cast<int>(2 * (rem % tiles_w_)) - g.pad_left;
    const int8_t* d[16];
    for (int r = 0; r < 4; ++r) {
      const int iy = y0 + r;
      for (int col = 0; col < 4; ++col) {
        const int ix = x0 + col;
        const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
        d[r * 4 + col] =
            inside ? run_in_ + ((n * static_cast<size_t>(g.in_h) + static_cast<size_t>(iy)) *
                                    static_cast<size_t>(g.in_w) + static_cast<size_t>(ix)) * c
                   : zero_.data();
      }
    }
    x86::qs8_winograd_f2x3_input__avx2(c, d, v + i * 16 * cp_, cp_);
  }
#else
  (void)t0; (void)count; (void)v;
#endif
}

void Qs8WinogradConv::Task(size_t m_block, size_t n_group) {
#if QRUN_WINOGRAD_X86
  // A free slot always exists: at most slots_ tasks run at once.
  size_t slot = 0;
  for (;;) {
    bool expected = false;
    if (slot_busy_[slot].compare_exchange_weak(expected, true, std::memory_order_acquire)) break;
    slot = (slot + 1) % slots_;
  }
  int16_t* v = reinterpret_cast<int16_t*>(run_scratch_ + slot * slot_bytes_);

  const Conv2DGeometry& g = g_;
  const size_t oc = static_cast<size_t>(g.out_c);
  const size_t t0 = m_block * kMr, mr = std::min(kMr, tiles_ - t0);
  TransformBlock(t0, mr, v);

  const int16_t* vt[kMr];
  int8_t* base[kMr];  // output pixel (2ty, 2tx), channel 0, of each tile
  x86::WinogradTileOut outs[kMr];
  for (size_t i = 0; i < kMr; ++i) {
    const size_t k = std::min(i, mr - 1);  // entries past mr repeat the last tile
    const size_t t = t0 + k;
    vt[i] = v + k * 16 * cp_;
    const size_t n = t / (tiles_h_ * tiles_w_), rem = t % (tiles_h_ * tiles_w_);
    const size_t oy = 2 * (rem / tiles_w_), ox = 2 * (rem % tiles_w_);
    base[i] = run_out_ + ((n * static_cast<size_t>(g.out_h) + oy) * static_cast<size_t>(g.out_w) + ox) * oc;
    outs[i].rows = std::min(2, g.out_h - static_cast<int>(oy));
    outs[i].cols = std::min(2, g.out_w - static_cast<int>(ox));
  }
  const x86::Qs8Requant p{out_lo_, out_hi_, out_zp_};
  const size_t row_stride = static_cast<size_t>(g.out_w) * oc;
  const size_t nt_end = std::min(n_tiles_, (n_group + 1) * n_group_);
  for (size_t nt = n_group * n_group_; nt < nt_end; ++nt) {
    const size_t n0 = nt * kNr;
    for (size_t i = 0; i < kMr; ++i) outs[i].out = base[i] + n0;
    x86::qs8_winograd_f2x3_6x16c2__avx2(mr, std::min(kNr, oc - n0), static_cast<size_t>(g.in_c),
                                        vt, cp_, packed_.data() + nt * tile_bytes_, outs,
                                        row_stride, oc, p);
  }
  slot_busy_[slot].store(false, std::memory_order_release);
#else
  (void)m_block; (void)n_group;
#endif
}

void Qs8WinogradConv::Run(const int8_t* input, int8_t* output, void* scratch, pthreadpool_t pool) {
  run_in_ = input;
  run_out_ = output;
  run_scratch_ = static_cast<uint8_t*>(scratch);
  pthreadpool_parallelize_2d(pool, TaskTrampoline, this, m_blocks_, n_groups_, 0);
}

}  // namespace qrun::kernels

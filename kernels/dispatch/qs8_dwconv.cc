#include "kernels/dispatch/qs8_dwconv.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/qs8-dwconv.h"
#define QRUN_QS8_DW_X86 1
#elif defined(__aarch64__) || defined(__arm__)
#include <algorithm>

#include "kernels/arm/qs8-dwconv.h"
#define QRUN_QS8_DW_ARM 1
#endif

namespace qrun::kernels {
namespace {

void RowsTrampoline(void* ctx, size_t start, size_t count) {
  static_cast<Qs8DwConv*>(ctx)->RowsTask(start, count);
}

#if QRUN_QS8_DW_X86
using RowsFn = void (*)(const x86::Qs8DwParams&, const int8_t*, int8_t*, size_t, size_t);
// kernel_ indexes this table: ISA (0 avx2, 1 avx512vnni) * 3 + shape
// (0 3x3, 1 5x5, 2 general).
constexpr RowsFn kKernels[] = {
    x86::qs8_dwconv_3x3__avx2,           x86::qs8_dwconv_5x5__avx2,
    x86::qs8_dwconv_16c__avx2,           x86::qs8_dwconv_3x3_32c__avx512vnni,
    x86::qs8_dwconv_5x5_32c__avx512vnni, x86::qs8_dwconv_32c__avx512vnni,
};
#endif

size_t RoundUpTo(size_t x, size_t m) { return (x + m - 1) / m * m; }

// Channel of a 32-channel AVX-512 tile held by lane j (0..15) of accumulator
// half h: the in-lane byte unpacks give 0-7,16-23 (h = 0) and 8-15,24-31.
#if QRUN_QS8_DW_X86
size_t Avx512Channel(size_t h, size_t j) { return (j < 8 ? j : j + 8) + 8 * h; }
#endif

}  // namespace

bool Qs8DwConv::Init(Isa isa, const Conv2DGeometry& g, int32_t input_zero_point,
                     const int8_t* weights, const int32_t* bias, const float* requant_scale,
                     const QuantizedOutput& out) {
#if QRUN_QS8_DW_X86
  if (!IsaAtLeast(isa, Isa::kAvx2)) return false;
  if (g.groups != g.in_c || g.out_c != g.in_c || g.in_c < 1) return false;
  const size_t taps = static_cast<size_t>(g.kernel_h) * static_cast<size_t>(g.kernel_w);
  if (taps < 1 || taps > static_cast<size_t>(x86::kQs8DwMaxTaps)) return false;
  g_ = g;
  const bool avx512 = IsaAtLeast(isa, Isa::kAvx512Vnni);
  const size_t c = static_cast<size_t>(g.in_c);
  const size_t pairs = (taps + 1) / 2;
  // OHWI with I = 1: weights[ch * taps + tap]; a missing odd tap weighs 0.
  auto w = [&](size_t ch, size_t t) -> int16_t {
    return ch < c && t < taps ? weights[ch * taps + t] : 0;
  };
  // b - zp * sum(w), modulo 2^32 like the int32 accumulator.
  auto folded_bias = [&](size_t ch) -> int32_t {
    if (ch >= c) return 0;
    uint32_t sum = 0;
    for (size_t t = 0; t < taps; ++t) sum += static_cast<uint32_t>(static_cast<int32_t>(w(ch, t)));
    const uint32_t b = bias ? static_cast<uint32_t>(bias[ch]) : 0u;
    return static_cast<int32_t>(b - static_cast<uint32_t>(input_zero_point) * sum);
  };
  // AVX2 3x3 / 5x5 whose dilated width fits the column buffer: the ring /
  // column-buffer kernels (weights in col_weights_); any other kernel: the
  // general 16c fallback (weights_).
  const bool square35 = g.kernel_h == g.kernel_w && (g.kernel_h == 3 || g.kernel_h == 5);
  const bool colbuf =
      !avx512 && square35 &&
      static_cast<int64_t>(g.kernel_w - 1) * g.dilation_w + 1 <= x86::kQs8DwAvx2BufCols;
  if (!avx512) {
    const size_t c16 = RoundUpTo(c, 16);
    std::vector<int16_t>().swap(weights_);  // only one of the two is used
    std::vector<int16_t>().swap(col_weights_);
    col_align_ = 0;
    bias_.assign(c16, 0);
    scale_.assign(c16, 0.0f);
    for (size_t ch = 0; ch < c; ++ch) {
      bias_[ch] = folded_bias(ch);
      scale_[ch] = requant_scale[ch];
    }
    if (colbuf) {
      // Groups of 8 channels [group][NG * KW][8][2], vector j * KW + kx =
      // {w[2j][kx], w[2j+1][kx]}; groups start at 0, 8, ... and, when in_c is
      // not a multiple of 8, also at in_c - 16 and in_c - 8 (the shifted
      // tail blocks, x86::dw_avx2_8c::GroupWeights).
      const size_t kh = static_cast<size_t>(g.kernel_h), kw = static_cast<size_t>(g.kernel_w);
      const size_t nv = (kh + 1) / 2 * kw;
      std::vector<size_t> starts;
      for (size_t s0 = 0; s0 < c; s0 += 8) starts.push_back(s0);
      if (c % 8 != 0 && c >= 16) starts.push_back(c - 16);
      if (c % 8 != 0 && c >= 8) starts.push_back(c - 8);
      // 64-byte aligned (col_align_ elements in): the kernels load every
      // 32-byte weight vector once per pixel and a split line costs extra.
      col_weights_.assign(starts.size() * nv * 16 + 32, 0);
      col_align_ = (64 - reinterpret_cast<uintptr_t>(col_weights_.data()) % 64) % 64 / 2;
      int16_t* const packed = col_weights_.data() + col_align_;
      for (size_t gi = 0; gi < starts.size(); ++gi) {
        for (size_t v = 0; v < nv; ++v) {
          const size_t j = v / kw, kx = v % kw;
          for (size_t i = 0; i < 8; ++i) {
            const size_t ch = starts[gi] + i;
            int16_t* pair = &packed[((gi * nv + v) * 8 + i) * 2];
            pair[0] = w(ch, 2 * j * kw + kx);
            pair[1] = 2 * j + 1 < kh ? w(ch, (2 * j + 1) * kw + kx) : 0;
          }
        }
      }
    } else {
      weights_.assign(pairs * c16 * 2, 0);
      for (size_t p = 0; p < pairs; ++p) {
        for (size_t ch = 0; ch < c16; ++ch) {
          weights_[(p * c16 + ch) * 2] = w(ch, 2 * p);
          weights_[(p * c16 + ch) * 2 + 1] = w(ch, 2 * p + 1);
        }
      }
    }
  } else {
    col_weights_.clear();
    col_align_ = 0;
    const size_t tiles = RoundUpTo(c, 32) / 32;
    weights_.assign(tiles * pairs * 64, 0);
    bias_.assign(tiles * 32, 0);
    scale_.assign(tiles * 32, 0.0f);
    for (size_t tile = 0; tile < tiles; ++tile) {
      for (size_t h = 0; h < 2; ++h) {
        for (size_t j = 0; j < 16; ++j) {
          const size_t ch = tile * 32 + Avx512Channel(h, j);
          for (size_t p = 0; p < pairs; ++p) {
            int16_t* dst = &weights_[((tile * pairs + p) * 2 + h) * 32 + 2 * j];
            dst[0] = w(ch, 2 * p);
            dst[1] = w(ch, 2 * p + 1);
          }
          bias_[tile * 32 + h * 16 + j] = folded_bias(ch);
          scale_[tile * 32 + h * 16 + j] = ch < c ? requant_scale[ch] : 0.0f;
        }
      }
    }
    if (g.kernel_h == 3 && g.kernel_w == 3 && g.dilation_w == 1 && g.stride_w <= 2) {
      // Per tile, 6 groups of [2 halves][16 lanes][2]: kx pairs
      // {w[0][kx], w[1][kx]}, then {w[2][kx], 0}, in accumulator order.
      col_weights_.assign(tiles * 6 * 64, 0);
      for (size_t tile = 0; tile < tiles; ++tile) {
        for (size_t h = 0; h < 2; ++h) {
          for (size_t j = 0; j < 16; ++j) {
            const size_t ch = tile * 32 + Avx512Channel(h, j);
            for (size_t kx = 0; kx < 3; ++kx) {
              int16_t* pair = &col_weights_[((tile * 6 + kx) * 2 + h) * 32 + 2 * j];
              pair[0] = w(ch, kx);
              pair[1] = w(ch, 3 + kx);
              int16_t* single = &col_weights_[((tile * 6 + 3 + kx) * 2 + h) * 32 + 2 * j];
              single[0] = w(ch, 6 + kx);
            }
          }
        }
      }
    }
  }
  // Padding taps and out-of-image rows read this (a whole input row).
  zero_buf_.assign(static_cast<size_t>(g.in_w) * c + 64, static_cast<int8_t>(input_zero_point));
  out_lo_ = static_cast<float>(out.qmin - out.zero_point);
  out_hi_ = static_cast<float>(out.qmax - out.zero_point);
  out_zp_ = out.zero_point;
  int shape =
      g.kernel_h == 3 && g.kernel_w == 3 ? 0 : (g.kernel_h == 5 && g.kernel_w == 5 ? 1 : 2);
  if (!avx512 && !colbuf) shape = 2;
  kernel_ = (avx512 ? 3 : 0) + shape;
  const std::string size = std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w);
  name_ = std::string("qs8-dwconv-") + (shape == 2 ? "any-" + size : size) +
          (avx512          ? "-32c-avx512vnni"
           : shape == 2 ? "-16c-avx2"
                        : "-" + std::to_string(x86::Qs8DwAvx2BlockChannels(g)) + "c-avx2");
  return true;
#elif QRUN_QS8_DW_ARM
  if (!IsaAtLeast(isa, Isa::kNeon)) return false;
  if (g.groups != g.in_c || g.out_c != g.in_c || g.in_c < 1) return false;
  const size_t taps = static_cast<size_t>(g.kernel_h) * static_cast<size_t>(g.kernel_w);
  if (taps < 1 || taps > static_cast<size_t>(arm::kQs8DwMaxTaps)) return false;
  g_ = g;
  const size_t c = static_cast<size_t>(g.in_c), c16 = RoundUpTo(c, 16);
  const size_t pairs = (taps + 1) / 2;
  // OHWI with I = 1 (weights[ch * taps + tap]); channels past in_c weigh 0.
  auto w = [&](size_t ch, size_t t) -> int8_t {
    return ch < c ? weights[ch * taps + t] : int8_t{0};
  };
  // Tap pairs interleaved per channel, even then odd channels of each block;
  // the last tap of an odd count alone, in the bytes where the kernel's
  // input (not interleaved for it) holds that channel, zeros elsewhere
  // (arm::Qs8DwParams::weights).
  weights8_.assign(pairs * c16 * 2, 0);
  for (size_t p = 0; p < pairs; ++p) {
    const bool single = 2 * p + 1 == taps;
    for (size_t b = 0; b < c16; b += 16) {
      for (size_t j = 0; j < 32; ++j) {
        // Byte j: tap 2p + j % 2 of accumulator lane j / 16 * 8 + j % 16 / 2
        // (16 bytes of even channels, then 16 of odd ones).
        const size_t ch = b + arm::Qs8DwLaneChannel(j / 16 * 8 + j % 16 / 2);
        if (single && j % 2 != j / 16) continue;
        weights8_[(p * c16 + b) * 2 + j] = w(ch, single ? 2 * p : 2 * p + j % 2);
      }
    }
  }
  bias_.assign(c16, 0);
  scale_.assign(c16, 0.0f);
  for (size_t b = 0; b < c16; b += 16) {
    for (size_t j = 0; j < 16; ++j) {
      const size_t ch = b + arm::Qs8DwLaneChannel(j);
      if (ch >= c) continue;
      uint32_t sum = 0;
      for (size_t t = 0; t < taps; ++t) {
        sum += static_cast<uint32_t>(static_cast<int32_t>(w(ch, t)));
      }
      // b - zp * sum(w), modulo 2^32 like the int32 accumulator.
      const uint32_t bc = bias ? static_cast<uint32_t>(bias[ch]) : 0u;
      bias_[b + j] = static_cast<int32_t>(bc - static_cast<uint32_t>(input_zero_point) * sum);
      scale_[b + j] = requant_scale[ch];
    }
  }
  // SMLAL adds a second tap pair in int16: exact unless a weight is -128.
  pair_taps_ = std::find(weights, weights + taps * c, int8_t{-128}) == weights + taps * c;
  zero_buf_.assign(c16 + 16, static_cast<int8_t>(input_zero_point));
  out_lo_ = static_cast<float>(out.qmin - out.zero_point);
  out_hi_ = static_cast<float>(out.qmax - out.zero_point);
  out_zp_ = out.zero_point;
  name_ = "qs8-dwconv-" + std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) +
          "-16c-neon";
  return true;
#else
  (void)isa; (void)g; (void)input_zero_point; (void)weights; (void)bias; (void)requant_scale;
  (void)out;
  return false;
#endif
}

void Qs8DwConv::RowsTask(size_t start, size_t count) {
#if QRUN_QS8_DW_X86
  const x86::Qs8DwParams p{&g_,
                           weights_.data(),
                           col_weights_.empty() ? nullptr : col_weights_.data() + col_align_,
                           bias_.data(),
                           scale_.data(),
                           zero_buf_.data(),
                           out_lo_,
                           out_hi_,
                           out_zp_};
  kKernels[kernel_](p, run_in_, run_out_, start, start + count);
#elif QRUN_QS8_DW_ARM
  const arm::Qs8DwParams p{&g_,          weights8_.data(), bias_.data(), scale_.data(),
                           zero_buf_.data(), out_lo_,        out_hi_,      out_zp_,
                           pair_taps_};
  arm::qs8_dwconv_16c__neon(p, run_in_, run_out_, start, start + count);
#else
  (void)start; (void)count;
#endif
}

void Qs8DwConv::Run(const int8_t* input, int8_t* output, pthreadpool_t pool) {
  run_in_ = input;
  run_out_ = output;
  const size_t rows = static_cast<size_t>(g_.batch) * static_cast<size_t>(g_.out_h);
  pthreadpool_parallelize_1d_tile_1d(pool, RowsTrampoline, this, rows, 1, 0);
}

}  // namespace qrun::kernels

#include "kernels/dispatch/qs8_conv.h"

#include <algorithm>
#include <cstring>

#include "kernels/packing.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/qs8-igemm.h"
#define QRUN_QS8_CONV_X86 1
#elif defined(__aarch64__) || defined(__arm__)
#include "kernels/arm/qs8-igemm.h"
#define QRUN_QS8_CONV_ARM 1
#endif
#if QRUN_QS8_CONV_X86 || QRUN_QS8_CONV_ARM
#define QRUN_QS8_CONV_ANY 1
#endif

namespace qrun::kernels {
namespace {

constexpr size_t kSlack = 64;             // bytes readable past any row
constexpr size_t kConvertChunk = 1 << 14;  // input elements per convert task
constexpr size_t kRowModeMaxChannels = 8;  // input channels up to which taps go by rows
// MACs per compute task: one mr x nr tile of a small-K layer (MobileNet's
// 1x1 convs: K = 16..96) is ~100 ns, less than pthreadpool's per-item cost
// plus the call; blocks of tiles amortise that and reuse the A rows from L1
// across the block's column tiles.
constexpr size_t kTaskMacs = size_t{1} << 17;
constexpr size_t kTasksPerThread = 4;  // load balance on a shared machine

#if QRUN_QS8_CONV_X86
namespace arch = x86;
#elif QRUN_QS8_CONV_ARM
namespace arch = arm;
#endif

#if QRUN_QS8_CONV_ANY
struct UkernelInfo {
  arch::Qs8IgemmUkernel fn;
  int mr, nr, kr, elem;  // elem: bytes per input element the kernel reads
  const char* tile;      // "4x32c4"
  int welem = 0;         // bytes per packed weight; 0: same as elem
};
#endif

#if QRUN_QS8_CONV_X86
void ConvertU8(size_t n, const int8_t* x, void* y) {
  x86::qs8_to_qu8__avx512vnni(n, x, static_cast<uint8_t*>(y));
}
void ConvertU8Avx2(size_t n, const int8_t* x, void* y) {
  x86::qs8_to_qu8__avx2(n, x, static_cast<uint8_t*>(y));
}
void ConvertS16(size_t n, const int8_t* x, void* y) {
  x86::qs8_to_s16__avx2(n, x, static_cast<int16_t*>(y));
}
#endif

void ConvertTrampoline(void* ctx, size_t start, size_t count) {
  static_cast<Qs8Conv*>(ctx)->ConvertTask(start, count);
}
void ConvertRowTrampoline(void* ctx, size_t row) {
  static_cast<Qs8Conv*>(ctx)->ConvertRowTask(row);
}
void ComputeTrampoline(void* ctx, size_t i, size_t j, size_t ni, size_t nj) {
  static_cast<Qs8Conv*>(ctx)->ComputeBlock(i, j, ni, nj);
}

}  // namespace

bool Qs8Conv::Init(Isa isa, Kind kind, const Conv2DGeometry& g, int32_t input_zero_point,
                   const int8_t* weights, const int32_t* bias, const float* requant_scale,
                   const QuantizedOutput& out) {
#if QRUN_QS8_CONV_ANY
  g_ = g;
  kc_ = static_cast<size_t>(g.in_c / g.groups);
  opg_ = static_cast<size_t>(g.out_c / g.groups);
  ks_ = static_cast<size_t>(g.kernel_h) * static_cast<size_t>(g.kernel_w);
  m_ = static_cast<size_t>(g.batch) * static_cast<size_t>(g.out_h) * static_cast<size_t>(g.out_w);
  // Depthwise-like layers (a few channels per group) waste most of a tile:
  // they get their own kernels (or the reference).
  if (g.groups > 1 && kc_ < 4) return false;
  if (m_ == 0 || opg_ == 0 || kc_ == 0) return false;

  UkernelInfo u{};
  int32_t x_offset = 0;
  convert_ = nullptr;
#if QRUN_QS8_CONV_X86
  if (IsaAtLeast(isa, Isa::kAvx512Vnni)) {
    if (m_ == 1) u = {x86::qs8_igemm_1x64c4__avx512vnni, 1, 64, 4, 1, "1x64c4"};
    else if (opg_ <= 16) u = {x86::qs8_igemm_8x16c4__avx512vnni, 8, 16, 4, 1, "8x16c4"};
    else u = {x86::qs8_igemm_4x32c4__avx512vnni, 4, 32, 4, 1, "4x32c4"};
    x_offset = 128;
    convert_ = ConvertU8;
    isa_ = Isa::kAvx512Vnni;
  } else if (IsaAtLeast(isa, Isa::kAvxVnni)) {
    // VEX vpdpbusd on ymm (kernels/x86/qs8-igemm-avxvnni.cc): int8 weights in
    // c4 blocks, u8 activations from the AVX2 input pass.
    if (m_ == 1) u = {x86::qs8_gemv_1x32c4__avxvnni, 1, 32, 4, 1, "1x32c4"};
    else u = {x86::qs8_igemm_6x16c4__avxvnni, 6, 16, 4, 1, "6x16c4"};
    x_offset = 128;
    convert_ = ConvertU8Avx2;
    isa_ = Isa::kAvxVnni;
  } else if (IsaAtLeast(isa, Isa::kAvx2)) {
    // One row reads each weight once: int8 weights ("w8") halve the bytes of
    // that memory-bound GEMV. Otherwise 6x16 (kernels/x86/qs8-igemm-avx2.cc):
    // with few output rows the (cold) weights are read only a few times, so
    // int8 weights win in models (1-5%, half the packed bytes); many rows
    // reuse them from cache and the int16 tile skips the widening.
    if (m_ == 1) u = {x86::qs8_gemv_1x32c2__avx2, 1, 32, 2, 2, "1x32c2w8", 1};
    else if (m_ <= w8_max_rows_) u = {x86::qs8_igemm_6x16c2w8__avx2, 6, 16, 2, 2, "6x16c2w8", 1};
    else u = {x86::qs8_igemm_6x16c2__avx2, 6, 16, 2, 2, "6x16c2"};
    convert_ = ConvertS16;
    isa_ = Isa::kAvx2;
  } else {
    return false;
  }
#else
  // ARM kernels read the int8 input in place (no input pass, x_offset 0).
#if defined(__aarch64__)
  const bool i8mm = IsaAtLeast(isa, Isa::kNeonI8mm);
  const bool dot = IsaAtLeast(isa, Isa::kNeonDot);
#else
  const bool i8mm = false, dot = false;  // SDOT / SMMLA kernels are AArch64 only
#endif
  if (i8mm && m_ > 1) {
#if defined(__aarch64__)
    // SMMLA takes rows in pairs; one row (GEMV) would waste half of each
    // SMMLA, so m_ == 1 stays on the SDOT kernel below.
    if (m_ == 2) u = {arm::qs8_igemm_2x16c8__neoni8mm, 2, 16, 8, 1, "2x16c8"};
    else u = {arm::qs8_igemm_4x16c8__neoni8mm, 4, 16, 8, 1, "4x16c8"};
    isa_ = Isa::kNeonI8mm;
#endif
  } else if (dot) {
#if defined(__aarch64__)
    if (m_ == 1) u = {arm::qs8_igemm_1x16c4__neondot, 1, 16, 4, 1, "1x16c4"};
    else u = {arm::qs8_igemm_4x16c4__neondot, 4, 16, 4, 1, "4x16c4"};
    isa_ = Isa::kNeonDot;
#endif
  } else if (IsaAtLeast(isa, Isa::kNeon)) {
    // SMLAL adds two products in int16 before widening: exact unless a
    // weight is -128 (kernels/arm/qs8-igemm.h); such layers use SMULL only.
    const size_t wcount = static_cast<size_t>(g.out_c) * ks_ * kc_;
    const bool mlal = std::find(weights, weights + wcount, int8_t{-128}) == weights + wcount;
#if defined(__aarch64__)
    if (m_ == 1) {
      u = mlal ? UkernelInfo{arm::qs8_igemm_1x8c16__neon_mlal, 1, 8, 16, 1, "1x8c16-mlal"}
               : UkernelInfo{arm::qs8_igemm_1x8c16__neon_smull, 1, 8, 16, 1, "1x8c16-smull"};
    } else {
      u = mlal ? UkernelInfo{arm::qs8_igemm_2x8c16__neon_mlal, 2, 8, 16, 1, "2x8c16-mlal"}
               : UkernelInfo{arm::qs8_igemm_2x8c16__neon_smull, 2, 8, 16, 1, "2x8c16-smull"};
    }
#else
    // ARMv7 has 16 q registers: 4 columns per tile.
    if (m_ == 1) {
      u = mlal ? UkernelInfo{arm::qs8_igemm_1x4c16__neon_mlal, 1, 4, 16, 1, "1x4c16-mlal"}
               : UkernelInfo{arm::qs8_igemm_1x4c16__neon_smull, 1, 4, 16, 1, "1x4c16-smull"};
    } else {
      u = mlal ? UkernelInfo{arm::qs8_igemm_2x4c16__neon_mlal, 2, 4, 16, 1, "2x4c16-mlal"}
               : UkernelInfo{arm::qs8_igemm_2x4c16__neon_smull, 2, 4, 16, 1, "2x4c16-smull"};
    }
#endif
    isa_ = Isa::kNeon;
  } else {
    return false;
  }
#endif
  ukernel_ = reinterpret_cast<void*>(u.fn);
  mr_ = u.mr;
  nr_ = u.nr;
  elem_ = u.elem;

  // Few input channels (first convs: RGB): with a zero-point-padded copy of
  // the input, the kw taps of one kernel row are kw * C contiguous elements,
  // so the indirection holds one pointer per kernel row (ks = kh, kc = kw * C;
  // the OHWI weights are already [n][kh][kw * C]). Saves the per-tap padding
  // of kc to the k block and most pointer loads. AVX2 only for now (the VNNI
  // input pass would work the same way, but cannot be tested on this CPU).
  rows_ = isa_ == Isa::kAvx2 && g.groups == 1 && g.kernel_w > 1 && g.dilation_w == 1 &&
          kc_ <= kRowModeMaxChannels;
  if (rows_) {
    kc_ *= static_cast<size_t>(g.kernel_w);
    ks_ = static_cast<size_t>(g.kernel_h);
    padded_w_ = std::max(static_cast<size_t>(g.in_w) + static_cast<size_t>(g.pad_left),
                         static_cast<size_t>(g.out_w - 1) * static_cast<size_t>(g.stride_w) +
                             static_cast<size_t>(g.kernel_w));
  }

  const PackLayout layout{u.nr, u.kr, u.welem != 0 ? u.welem : u.elem, x_offset};
  const int groups = g.groups;
  tile_bytes_ = PackedTileBytes(layout, static_cast<int>(ks_), static_cast<int>(kc_));
  n_tiles_ = (opg_ + static_cast<size_t>(nr_) - 1) / static_cast<size_t>(nr_);
  m_tiles_ = (m_ + static_cast<size_t>(mr_) - 1) / static_cast<size_t>(mr_);
  packed_.assign(tile_bytes_ * n_tiles_ * static_cast<size_t>(groups), 0);
  for (int gi = 0; gi < groups; ++gi) {
    const size_t c0 = static_cast<size_t>(gi) * opg_;
    PackQs8Weights(layout, static_cast<int>(opg_), static_cast<int>(ks_), static_cast<int>(kc_),
                   weights + c0 * ks_ * kc_, bias ? bias + c0 : nullptr, requant_scale + c0,
                   input_zero_point, packed_.data() + static_cast<size_t>(gi) * n_tiles_ * tile_bytes_);
  }

  out_lo_ = static_cast<float>(out.qmin - out.zero_point);
  out_hi_ = static_cast<float>(out.qmax - out.zero_point);
  out_zp_ = out.zero_point;

  // One padded pixel (all groups) in the kernels' input encoding.
  const size_t in_c = static_cast<size_t>(g.in_c);
  const size_t zero_elems = std::max(in_c, kc_);  // row mode: one kernel row
  zero_.assign(zero_elems * static_cast<size_t>(elem_) + kSlack, 0);
  in_zp_ = static_cast<int8_t>(input_zero_point);
  const int8_t zp8 = static_cast<int8_t>(input_zero_point);
  for (size_t i = 0; i < zero_elems; ++i) {
    if (convert_ == nullptr) {
      zero_[i] = static_cast<uint8_t>(zp8);  // raw int8 input
    } else if (elem_ == 1) {
      zero_[i] = static_cast<uint8_t>(zp8) ^ 0x80u;
    } else {
      const int16_t v = zp8;
      std::memcpy(&zero_[2 * i], &v, 2);
    }
  }

  gemm_ = !rows_ && g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
          g.pad_top == 0 && g.pad_left == 0 && g.out_h == g.in_h && g.out_w == g.in_w;
  if (!gemm_) indirection_.assign(m_tiles_ * ks_ * static_cast<size_t>(mr_), nullptr);
  indirection_base_ = nullptr;

  const size_t in_elems = static_cast<size_t>(g.batch) * static_cast<size_t>(g.in_h) *
                          static_cast<size_t>(g.in_w) * in_c;
  scratch_bytes_ = convert_ ? in_elems * static_cast<size_t>(elem_) + kSlack : 0;
  if (rows_) {
    scratch_bytes_ = static_cast<size_t>(g.batch) * static_cast<size_t>(g.in_h) * padded_w_ *
                         in_c * static_cast<size_t>(elem_) + kSlack;
  }

  std::string op;
  if (kind == Kind::kFullyConnected) op = m_ == 1 ? "qs8-fc-gemv" : "qs8-fc-gemm";
  else if (gemm_) op = "qs8-conv2d-1x1-gemm";
  else op = "qs8-conv2d-" + std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) + "-igemm";
  if (rows_) op += "-rows";
  if (kind == Kind::kConv2D && groups > 1) op += "-g";
  name_ = op + "/" + u.tile + "-" + IsaName(isa_);
  return true;
#else
  (void)isa; (void)kind; (void)g; (void)input_zero_point; (void)weights; (void)bias;
  (void)requant_scale; (void)out;
  return false;
#endif
}

size_t Qs8Conv::persistent_bytes() const {
  return packed_.capacity() + zero_.capacity() + indirection_.capacity() * sizeof(void*) +
         name_.capacity();
}

void Qs8Conv::BuildIndirection(const uint8_t* xbuf) {
  const Conv2DGeometry& g = g_;
  const size_t pixel_bytes = static_cast<size_t>(g.in_c) * static_cast<size_t>(elem_);
  const size_t mr = static_cast<size_t>(mr_);
  const size_t hw = static_cast<size_t>(g.out_h) * static_cast<size_t>(g.out_w);
  if (rows_) {  // one pointer per kernel row into the padded copy
    for (size_t mt = 0; mt < m_tiles_; ++mt) {
      for (size_t r = 0; r < mr; ++r) {
        const size_t m = std::min(mt * mr + r, m_ - 1);
        const size_t n = m / hw;
        const size_t oy = (m % hw) / static_cast<size_t>(g.out_w);
        const size_t ox = (m % hw) % static_cast<size_t>(g.out_w);
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          const int64_t iy = static_cast<int64_t>(oy) * g.stride_h - g.pad_top +
                             static_cast<int64_t>(ky) * g.dilation_h;
          const void* p = zero_.data();
          if (iy >= 0 && iy < g.in_h) {
            const size_t row = n * static_cast<size_t>(g.in_h) + static_cast<size_t>(iy);
            p = xbuf + (row * padded_w_ + ox * static_cast<size_t>(g.stride_w)) * pixel_bytes;
          }
          indirection_[(mt * ks_ + static_cast<size_t>(ky)) * mr + r] = p;
        }
      }
    }
    indirection_base_ = xbuf;
    return;
  }
  for (size_t mt = 0; mt < m_tiles_; ++mt) {
    for (size_t r = 0; r < mr; ++r) {
      const size_t m = std::min(mt * mr + r, m_ - 1);  // pad rows repeat the last pixel
      const int n = static_cast<int>(m / hw);
      const int oy = static_cast<int>(m % hw) / g.out_w;
      const int ox = static_cast<int>(m % hw) % g.out_w;
      for (int ky = 0; ky < g.kernel_h; ++ky) {
        for (int kx = 0; kx < g.kernel_w; ++kx) {
          const size_t t = static_cast<size_t>(ky) * static_cast<size_t>(g.kernel_w) +
                           static_cast<size_t>(kx);
          const int64_t iy = static_cast<int64_t>(oy) * g.stride_h - g.pad_top +
                             static_cast<int64_t>(ky) * g.dilation_h;
          const int64_t ix = static_cast<int64_t>(ox) * g.stride_w - g.pad_left +
                             static_cast<int64_t>(kx) * g.dilation_w;
          const void* p = zero_.data();
          if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) {
            const size_t pix = (static_cast<size_t>(n) * static_cast<size_t>(g.in_h) +
                                static_cast<size_t>(iy)) * static_cast<size_t>(g.in_w) +
                               static_cast<size_t>(ix);
            p = xbuf + pix * pixel_bytes;
          }
          indirection_[(mt * ks_ + t) * mr + r] = p;
        }
      }
    }
  }
  indirection_base_ = xbuf;
}

void Qs8Conv::ConvertTask(size_t start, size_t count) {
  convert_(count, run_in_ + start, run_x_ + start * static_cast<size_t>(elem_));
}

void Qs8Conv::ConvertRowTask(size_t row) {
  // One input row into the padded copy: pad_left and right columns of the
  // zero point around the sign-extended pixels (AVX2 int16 encoding).
  const size_t c = static_cast<size_t>(g_.in_c);
  const size_t w = static_cast<size_t>(g_.in_w);
  const size_t left = static_cast<size_t>(g_.pad_left) * c;
  int16_t* dst = reinterpret_cast<int16_t*>(run_x_) + row * padded_w_ * c;
  std::fill(dst, dst + left, static_cast<int16_t>(in_zp_));
  convert_(w * c, run_in_ + row * w * c, dst + left);
  std::fill(dst + left + w * c, dst + padded_w_ * c, static_cast<int16_t>(in_zp_));
}

void Qs8Conv::Run(const int8_t* input, int8_t* output, void* scratch, pthreadpool_t pool) {
  run_in_ = input;
  run_x_ = static_cast<uint8_t*>(scratch);
  run_out_ = output;
  if (rows_) {
    pthreadpool_parallelize_1d(pool, ConvertRowTrampoline, this,
                               static_cast<size_t>(g_.batch) * static_cast<size_t>(g_.in_h), 0);
    run_a_ = run_x_;
  } else if (convert_ != nullptr) {
    const size_t in_elems = static_cast<size_t>(g_.batch) * static_cast<size_t>(g_.in_h) *
                            static_cast<size_t>(g_.in_w) * static_cast<size_t>(g_.in_c);
    pthreadpool_parallelize_1d_tile_1d(pool, ConvertTrampoline, this, in_elems, kConvertChunk, 0);
    run_a_ = run_x_;
  } else {
    run_a_ = reinterpret_cast<const uint8_t*>(input);  // the kernels read int8 in place
  }
  if (!gemm_ && indirection_base_ != run_a_) BuildIndirection(run_a_);
  // Blocks of bi column tiles x bj row tiles, about kTaskMacs each, but at
  // least kTasksPerThread blocks per thread when the layer has that many tiles.
  const size_t ni = static_cast<size_t>(g_.groups) * n_tiles_;
  const size_t threads = pool != nullptr ? pthreadpool_get_threads_count(pool) : 1;
  const size_t tile_macs = static_cast<size_t>(mr_) * static_cast<size_t>(nr_) * kc_ * ks_;
  size_t per_task = std::max<size_t>(1, kTaskMacs / std::max<size_t>(1, tile_macs));
  if (threads > 1) {
    per_task = std::min(per_task, std::max<size_t>(1, ni * m_tiles_ / (kTasksPerThread * threads)));
  }
  const size_t bi = std::min(ni, per_task);
  const size_t bj = std::max<size_t>(1, per_task / bi);
  if (threads <= 1) {  // same blocks and order as the pool's, without its per-block cost
    for (size_t i = 0; i < ni; i += bi) {
      for (size_t j = 0; j < m_tiles_; j += bj) {
        ComputeBlock(i, j, std::min(bi, ni - i), std::min(bj, m_tiles_ - j));
      }
    }
  } else {
    pthreadpool_parallelize_2d_tile_2d(pool, ComputeTrampoline, this, ni, m_tiles_, bi, bj, 0);
  }
}

void Qs8Conv::ComputeBlock(size_t i0, size_t j0, size_t ni, size_t nj) {
#if QRUN_QS8_CONV_ANY
  // Row tiles outer: the A rows of one row tile stay in L1 across the
  // block's column tiles; their pointers are set up once per row tile (a
  // small-K tile is only ~100 ns of work).
  const size_t nr = static_cast<size_t>(nr_), mr = static_cast<size_t>(mr_);
  const size_t out_c = static_cast<size_t>(g_.out_c);
  const size_t row_bytes = static_cast<size_t>(g_.in_c) * static_cast<size_t>(elem_);
  const size_t group_a_bytes = kc_ * static_cast<size_t>(elem_);
  const auto fn = reinterpret_cast<arch::Qs8IgemmUkernel>(ukernel_);
  const arch::Qs8Requant p{out_lo_, out_hi_, out_zp_};
  const void* rows_a[8];
  for (size_t j = j0; j < j0 + nj; ++j) {
    const size_t m0 = j * mr;
    const size_t rows = std::min(mr, m_ - m0);
    const void* const* a;
    size_t ks = ks_;
    if (gemm_) {  // pad rows repeat the last pixel
      for (size_t r = 0; r < mr; ++r) rows_a[r] = run_a_ + std::min(m0 + r, m_ - 1) * row_bytes;
      a = rows_a;
      ks = 1;
    } else {
      a = indirection_.data() + j * ks_ * mr;
    }
    int8_t* c_row = run_out_ + m0 * out_c;
    size_t gi = i0 / n_tiles_, nt = i0 % n_tiles_;  // column tile i = (group, tile in group)
    for (size_t i = i0; i < i0 + ni; ++i) {
      const size_t n0 = nt * nr;
      fn(rows, std::min(nr, opg_ - n0), kc_, ks, a, gi * group_a_bytes,
         packed_.data() + i * tile_bytes_, c_row + gi * opg_ + n0, out_c, p);
      if (++nt == n_tiles_) {
        nt = 0;
        ++gi;
      }
    }
  }
#else
  (void)i0; (void)j0; (void)ni; (void)nj;
#endif
}

}  // namespace qrun::kernels

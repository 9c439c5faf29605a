#include "kernels/dispatch/elementwise.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/dispatch/parallel.h"
#include "kernels/requantize.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/qs8-elementwise.h"
#define QRUN_EW_X86 1
#elif defined(__aarch64__) || defined(__arm__)
#include "kernels/arm/qs8-elementwise.h"
#define QRUN_EW_ARM 1
#endif

namespace qrun::kernels {
namespace {

// Below these sizes an op runs on the calling thread only.
constexpr size_t kBinaryTile = 16384;    // int8 elements
constexpr size_t kLutTile = 32768;       // bytes
constexpr size_t kConvertTile = 16384;   // elements
constexpr size_t kTransposeBlock = 256;  // columns (N) per transpose work item
constexpr size_t kTransposeMinBlocks = 64;

// The kernels of this architecture and the level they need.
#if QRUN_EW_X86
constexpr Isa kBinaryIsa = Isa::kAvx2;
constexpr auto kVadd = x86::qs8_vadd__avx2;
constexpr auto kVaddc = x86::qs8_vaddc__avx2;
constexpr auto kVmul = x86::qs8_vmul__avx2;
constexpr auto kVmulc = x86::qs8_vmulc__avx2;
constexpr const char* kAddName = "qs8-vadd-avx2";
constexpr const char* kMulName = "qs8-vmul-avx2";
constexpr Isa kOtherIsa = Isa::kAvx2;  // lookup, conversions, transposes
constexpr const char* kLutName = "x8-lut-avx2";
constexpr const char* kQuantizeName = "f32-qs8-convert-avx2";
constexpr const char* kDequantizeName = "qs8-f32-convert-avx2";
constexpr const char* kInterleave3Name = "x8-interleave3-avx2";
constexpr const char* kTranspose8Name = "x8-transpose-tiled";
#elif QRUN_EW_ARM
constexpr Isa kBinaryIsa = Isa::kNeon;
constexpr auto kVadd = arm::qs8_vadd__neon;
constexpr auto kVaddc = arm::qs8_vaddc__neon;
constexpr auto kVmul = arm::qs8_vmul__neon;
constexpr auto kVmulc = arm::qs8_vmulc__neon;
constexpr const char* kAddName = "qs8-vadd-neon";
constexpr const char* kMulName = "qs8-vmul-neon";
constexpr Isa kOtherIsa = Isa::kNeon;
constexpr const char* kLutName = "x8-lut-neon";
constexpr const char* kQuantizeName = "f32-qs8-convert-neon";
constexpr const char* kDequantizeName = "qs8-f32-convert-neon";
constexpr const char* kInterleave3Name = "x8-interleave3-neon";
constexpr const char* kTranspose8Name = "x8-transpose-neon";
#endif

Qs8OutParams OutParams(const QuantizedOutput& out) {
  return {static_cast<float>(out.qmin - out.zero_point),
          static_cast<float>(out.qmax - out.zero_point), out.zero_point};
}

// Drops size-1 dims and merges neighbours both inputs walk contiguously
// (the same normalisation as the reference; any row split of the output
// gives the same bytes, since each element is computed on its own).
BroadcastGeometry Coalesce(const BroadcastGeometry& g) {
  BroadcastGeometry c;
  for (int d = 0; d < g.rank; ++d) {
    const int64_t n = g.out_dims[d];
    if (n == 1) continue;
    if (c.rank > 0) {
      const int l = c.rank - 1;
      if (c.a_strides[l] == g.a_strides[d] * n && c.b_strides[l] == g.b_strides[d] * n) {
        c.out_dims[l] *= n;
        c.a_strides[l] = g.a_strides[d];
        c.b_strides[l] = g.b_strides[d];
        continue;
      }
    }
    c.out_dims[c.rank] = n;
    c.a_strides[c.rank] = g.a_strides[d];
    c.b_strides[c.rank] = g.b_strides[d];
    ++c.rank;
  }
  if (c.rank == 0) {  // one element
    c.rank = 1;
    c.out_dims[0] = 1;
  }
  return c;
}

void BinaryTrampoline(void* ctx, size_t start, size_t count) {
  static_cast<Qs8Binary*>(ctx)->Task(start, count);
}
void LutTrampoline(void* ctx, size_t start, size_t count) {
  static_cast<Qs8Lut*>(ctx)->Task(start, count);
}
void ConvertTrampoline(void* ctx, size_t start, size_t count) {
  static_cast<Qs8Convert*>(ctx)->Task(start, count);
}
void TransposeTrampoline(void* ctx, size_t start, size_t count) {
  static_cast<X8Transpose*>(ctx)->Task(start, count);
}

}  // namespace

// ---- Add / Mul ----

bool Qs8Binary::InitGeometry(Isa isa, const BroadcastGeometry& g) {
#if QRUN_EW_X86 || QRUN_EW_ARM
  if (!IsaAtLeast(isa, kBinaryIsa)) return false;
  if (g.rank < 0 || g.rank > kMaxRank) return false;
  total_ = 1;
  for (int d = 0; d < g.rank; ++d) {
    if (g.out_dims[d] <= 0) total_ = 0;
    else total_ *= static_cast<size_t>(g.out_dims[d]);
  }
  g_ = Coalesce(g);
  return true;
#else
  (void)isa; (void)g;
  return false;
#endif
}

bool Qs8Binary::InitAdd(Isa isa, const BroadcastGeometry& g, int32_t a_zero_point, float a_scale,
                        int32_t b_zero_point, float b_scale, const QuantizedOutput& out) {
  // |x - zp| <= 255: with these finite, each scaled term is finite and their
  // sum cannot be NaN, which the vector clamp would treat differently.
  if (!std::isfinite(a_scale * 256.0f) || !std::isfinite(b_scale * 256.0f)) return false;
  if (!InitGeometry(isa, g)) return false;
  mul_ = false;
  q_out_ = out;
  add_ = {a_zero_point, b_zero_point, a_scale, b_scale, OutParams(out)};
  // fa + fb == fb + fa exactly, so a fixed a can take the fixed-b kernel.
  add_swapped_ = {b_zero_point, a_zero_point, b_scale, a_scale, OutParams(out)};
  name_ = kAddName;
  return true;
}

bool Qs8Binary::InitMul(Isa isa, const BroadcastGeometry& g, int32_t a_zero_point,
                        int32_t b_zero_point, float scale, const QuantizedOutput& out) {
  if (!std::isfinite(scale * 65536.0f)) return false;  // |product| <= 255 * 255
  if (!InitGeometry(isa, g)) return false;
  mul_ = true;
  q_out_ = out;
  mul_p_ = {a_zero_point, b_zero_point, scale, OutParams(out)};
  mul_swapped_ = {b_zero_point, a_zero_point, scale, OutParams(out)};
  name_ = kMulName;
  return true;
}

void Qs8Binary::Row(const int8_t* a, const int8_t* b, int8_t* y, size_t n, int64_t sa,
                    int64_t sb) const {
#if QRUN_EW_X86 || QRUN_EW_ARM
  if (mul_) {
    if (sa == 1 && sb == 1) return kVmul(n, a, b, y, mul_p_);
    if (sa == 1 && sb == 0) return kVmulc(n, a, b, y, mul_p_);
    if (sa == 0 && sb == 1) return kVmulc(n, b, a, y, mul_swapped_);
    const Qs8MulParams& p = mul_p_;
    for (size_t i = 0; i < n; ++i) {
      const int32_t acc = (a[static_cast<int64_t>(i) * sa] - p.a_zero_point) *
                          (b[static_cast<int64_t>(i) * sb] - p.b_zero_point);
      y[i] = static_cast<int8_t>(requantize_float(static_cast<float>(acc) * p.scale,
                                                  p.out.zero_point, q_out_.qmin, q_out_.qmax));
    }
    return;
  }
  if (sa == 1 && sb == 1) return kVadd(n, a, b, y, add_);
  if (sa == 1 && sb == 0) return kVaddc(n, a, b, y, add_);
  if (sa == 0 && sb == 1) return kVaddc(n, b, a, y, add_swapped_);
  const Qs8AddParams& p = add_;
  for (size_t i = 0; i < n; ++i) {
    const float fa = static_cast<float>(a[static_cast<int64_t>(i) * sa] - p.a_zero_point) * p.a_scale;
    const float fb = static_cast<float>(b[static_cast<int64_t>(i) * sb] - p.b_zero_point) * p.b_scale;
    y[i] = static_cast<int8_t>(requantize_float(fa + fb, p.out.zero_point, q_out_.qmin, q_out_.qmax));
  }
#else
  (void)a; (void)b; (void)y; (void)n; (void)sa; (void)sb;
#endif
}

void Qs8Binary::Task(size_t start, size_t count) {
  const int inner = g_.rank - 1;
  const size_t row = static_cast<size_t>(g_.out_dims[inner]);
  const int64_t sa = g_.a_strides[inner], sb = g_.b_strides[inner];
  // Odometer position of the row holding `start`.
  int64_t idx[kMaxRank] = {};
  size_t r = start / row;
  size_t off = start % row;
  int64_t ia = 0, ib = 0;
  for (int d = inner - 1; d >= 0; --d) {
    const size_t n = static_cast<size_t>(g_.out_dims[d]);
    idx[d] = static_cast<int64_t>(r % n);
    r /= n;
    ia += idx[d] * g_.a_strides[d];
    ib += idx[d] * g_.b_strides[d];
  }
  size_t done = 0;
  while (done < count) {
    const size_t len = row - off < count - done ? row - off : count - done;
    Row(run_a_ + ia + static_cast<int64_t>(off) * sa, run_b_ + ib + static_cast<int64_t>(off) * sb,
        run_y_ + start + done, len, sa, sb);
    done += len;
    off = 0;
    for (int d = inner - 1; d >= 0; --d) {
      ia += g_.a_strides[d];
      ib += g_.b_strides[d];
      if (++idx[d] < g_.out_dims[d]) break;
      ia -= g_.a_strides[d] * g_.out_dims[d];
      ib -= g_.b_strides[d] * g_.out_dims[d];
      idx[d] = 0;
    }
  }
}

void Qs8Binary::Run(const int8_t* a, const int8_t* b, int8_t* y, pthreadpool_t pool) {
  run_a_ = a;
  run_b_ = b;
  run_y_ = y;
  ParallelTiles(pool, total_, kBinaryTile, BinaryTrampoline, this);
}

// ---- table lookup ----

void X8LutDiffTable(const int8_t table[256], uint8_t diff[256]) {
  for (int i = 0; i < 256; ++i) {
    const uint8_t v = static_cast<uint8_t>(table[i]);
    diff[i] = (i < 16 || (i >= 128 && i < 144)) ? v : static_cast<uint8_t>(v ^ static_cast<uint8_t>(table[i - 16]));
  }
}

bool Qs8Lut::Init(Isa isa, const int8_t table[256], size_t n) {
#if QRUN_EW_X86
  if (!IsaAtLeast(isa, Isa::kAvx2)) return false;
  X8LutDiffTable(table, table_);
  n_ = n;
  return true;
#elif QRUN_EW_ARM
  if (!IsaAtLeast(isa, kOtherIsa)) return false;
  for (int i = 0; i < 256; ++i) table_[i] = static_cast<uint8_t>(table[i]);
  n_ = n;
  return true;
#else
  (void)isa; (void)table; (void)n;
  return false;
#endif
}

void Qs8Lut::Task(size_t start, size_t count) {
#if QRUN_EW_X86
  x86::x8_lut__avx2(count, run_x_ + start, run_y_ + start, table_);
#elif QRUN_EW_ARM
  arm::x8_lut__neon(count, run_x_ + start, run_y_ + start, table_);
#else
  (void)start; (void)count;
#endif
}

const char* Qs8Lut::name() const {
#if QRUN_EW_X86 || QRUN_EW_ARM
  return kLutName;
#else
  return "";
#endif
}

void Qs8Lut::Run(const int8_t* x, int8_t* y, pthreadpool_t pool) {
  run_x_ = x;
  run_y_ = y;
  ParallelTiles(pool, n_, kLutTile, LutTrampoline, this);
}

// ---- Quantize / Dequantize ----

bool Qs8Convert::InitQuantize(Isa isa, float scale, int32_t zero_point, size_t n) {
#if QRUN_EW_X86 || QRUN_EW_ARM
  if (!IsaAtLeast(isa, kOtherIsa)) return false;
#if QRUN_EW_ARM && !defined(__aarch64__)
  // ARMv7 rounds with the magic number 1.5 * 2^23 (kernels/arm/qs8-requant-neon.h),
  // exact for |clamped value| < 2^22, i.e. |zero_point| below ~2^22 - 128.
  if (zero_point < -(1 << 21) || zero_point > (1 << 21)) return false;
#endif
  quantize_ = true;
  scale_ = scale;
  zero_point_ = zero_point;
  out_ = OutParams(QuantizedOutput{zero_point, -128, 127});
  n_ = n;
  return true;
#else
  (void)isa; (void)scale; (void)zero_point; (void)n;
  return false;
#endif
}

bool Qs8Convert::InitDequantize(Isa isa, float scale, int32_t zero_point, size_t n) {
#if QRUN_EW_ARM && !defined(__aarch64__)
  // ARMv7 NEON flushes denormals (operands and results) to zero and returns
  // the default NaN: only with a scale that is 0, normal or infinite does
  // float(x - zp) * scale (|x - zp| >= 1 when not 0) match the VFP result.
  if (std::isnan(scale) || (scale != 0.0f && std::fabs(scale) < std::numeric_limits<float>::min()))
    return false;
#endif
  if (!InitQuantize(isa, scale, zero_point, n)) return false;
  quantize_ = false;
  return true;
}

void Qs8Convert::Task(size_t start, size_t count) {
#if QRUN_EW_X86
  if (quantize_) {
    x86::f32_qs8_convert__avx2(count, static_cast<const float*>(run_x_) + start,
                               static_cast<int8_t*>(run_y_) + start, scale_, out_);
  } else {
    x86::qs8_f32_convert__avx2(count, static_cast<const int8_t*>(run_x_) + start,
                               static_cast<float*>(run_y_) + start, zero_point_, scale_);
  }
#elif QRUN_EW_ARM
  if (quantize_) {
    arm::f32_qs8_convert__neon(count, static_cast<const float*>(run_x_) + start,
                               static_cast<int8_t*>(run_y_) + start, scale_, out_);
  } else {
    arm::qs8_f32_convert__neon(count, static_cast<const int8_t*>(run_x_) + start,
                               static_cast<float*>(run_y_) + start, zero_point_, scale_);
  }
#else
  (void)start; (void)count;
#endif
}

const char* Qs8Convert::name() const {
#if QRUN_EW_X86 || QRUN_EW_ARM
  return quantize_ ? kQuantizeName : kDequantizeName;
#else
  return "";
#endif
}

void Qs8Convert::Run(const void* x, void* y, pthreadpool_t pool) {
  run_x_ = x;
  run_y_ = y;
  ParallelTiles(pool, n_, kConvertTile, ConvertTrampoline, this);
}

// ---- Transpose ----

bool X8Transpose::Init(Isa isa, const ref::TransposeGeometry& g, size_t elem_size) {
#if QRUN_EW_X86 || QRUN_EW_ARM
  if (!IsaAtLeast(isa, kOtherIsa)) return false;
  if (elem_size != 1 && elem_size != 2 && elem_size != 4) return false;
  if (g.rank < 1 || g.rank > kMaxRank) return false;
  for (int d = 0; d < g.rank; ++d)
    if (g.in_dims[d] <= 0) return false;  // empty: the reference does nothing
  // Kept (size > 1) input dims, numbered 0..k-1 in input order.
  int kept_of[kMaxRank];
  int k = 0;
  for (int d = 0; d < g.rank; ++d) kept_of[d] = g.in_dims[d] > 1 ? k++ : -1;
  // Output order of kept dims, split into runs of consecutive input dims.
  int order[kMaxRank];
  int m = 0;
  for (int d = 0; d < g.rank; ++d)
    if (kept_of[g.perm[d]] >= 0) order[m++] = g.perm[d];
  int run_first[kMaxRank], run_count = 0;  // first input dim of each run, output order
  int64_t run_size[kMaxRank];
  for (int i = 0; i < m; ++i) {
    if (i > 0 && kept_of[order[i]] == kept_of[order[i - 1]] + 1) {
      run_size[run_count - 1] *= g.in_dims[order[i]];
    } else {
      run_first[run_count] = order[i];
      run_size[run_count] = g.in_dims[order[i]];
      ++run_count;
    }
  }
  // Batched 2-D transpose: output runs (N, M) with input order (M, N), or
  // (B, N, M) with input order (B, M, N).
  int64_t b = 1, rows = 0, cols = 0;
  if (run_count == 2 && run_first[1] < run_first[0]) {
    cols = run_size[0];
    rows = run_size[1];
  } else if (run_count == 3 && run_first[0] < run_first[2] && run_first[2] < run_first[1]) {
    b = run_size[0];
    cols = run_size[1];
    rows = run_size[2];
  } else {
    return false;
  }
  elem_size_ = elem_size;
  batch_ = static_cast<size_t>(b);
  m_ = static_cast<size_t>(rows);
  n_ = static_cast<size_t>(cols);
  blocks_ = (n_ + kTransposeBlock - 1) / kTransposeBlock;
  interleave3_ = elem_size == 1 && m_ == 3;
  name_ = interleave3_ ? kInterleave3Name
                       : (elem_size == 1 ? kTranspose8Name
                                         : (elem_size == 2 ? "x16-transpose-tiled" : "x32-transpose-tiled"));
  return true;
#else
  (void)isa; (void)g; (void)elem_size;
  return false;
#endif
}

namespace {

// y[j][i] = x[i][j] for i < m rows of x (stride n), j in [j0, j1); y rows
// have m elements.
template <typename T>
void TransposeBlock(const T* x, T* y, size_t m, size_t n, size_t j0, size_t j1) {
  for (size_t j = j0; j < j1; ++j) {
    T* out = y + j * m;
    const T* in = x + j;
    for (size_t i = 0; i < m; ++i) out[i] = in[i * n];
  }
}

}  // namespace

void X8Transpose::Task(size_t start, size_t count) {
#if QRUN_EW_X86 || QRUN_EW_ARM
  for (size_t t = start; t < start + count; ++t) {
    const size_t bi = t / blocks_;
    const size_t j0 = (t % blocks_) * kTransposeBlock;
    const size_t j1 = j0 + kTransposeBlock < n_ ? j0 + kTransposeBlock : n_;
    const size_t plane = m_ * n_ * elem_size_;
    const auto* x = static_cast<const uint8_t*>(run_x_) + bi * plane;
    auto* y = static_cast<uint8_t*>(run_y_) + bi * plane;
#if QRUN_EW_X86
    if (interleave3_) {
      x86::x8_interleave3__avx2(j1 - j0, reinterpret_cast<const int8_t*>(x) + j0, n_,
                                reinterpret_cast<int8_t*>(y) + j0 * 3);
    } else if (elem_size_ == 1) {
      TransposeBlock(x, y, m_, n_, j0, j1);
#else
    if (interleave3_) {
      arm::x8_interleave3__neon(j1 - j0, reinterpret_cast<const int8_t*>(x) + j0, n_,
                                reinterpret_cast<int8_t*>(y) + j0 * 3);
    } else if (elem_size_ == 1) {
      arm::x8_transpose__neon(m_, n_, j0, j1, x, y);
#endif
    } else if (elem_size_ == 2) {
      TransposeBlock(reinterpret_cast<const uint16_t*>(x), reinterpret_cast<uint16_t*>(y), m_, n_, j0, j1);
    } else {
      TransposeBlock(reinterpret_cast<const uint32_t*>(x), reinterpret_cast<uint32_t*>(y), m_, n_, j0, j1);
    }
  }
#else
  (void)start; (void)count;
#endif
}

void X8Transpose::Run(const void* x, void* y, pthreadpool_t pool) {
  run_x_ = x;
  run_y_ = y;
  ParallelTiles(pool, batch_ * blocks_, kTransposeMinBlocks, TransposeTrampoline, this);
}

}  // namespace qrun::kernels

// Optimized int8 element-wise ops: Add / Mul with broadcasting, the 256-entry
// table lookup of the int8 activations, Quantize / Dequantize, and the
// NCHW <-> NHWC style transposes. Each class picks its kernel once (Init, at
// prepare) from the ISA level and returns false when no optimized kernel
// applies, so the caller keeps the reference kernel. Run never allocates and
// is bit-exact with the reference for any thread count.
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/isa.h"
#include "kernels/geometry.h"
#include "kernels/reference/transpose.h"
#include "kernels/elementwise_params.h"

namespace qrun::kernels {

// ADD / MUL over a broadcast geometry (kernels/reference/binary.h). Rows
// where both operands advance, or one stays fixed (scalar, per-channel
// vector against NHWC), use the vector kernels; other rows (strided
// broadcasts) compute the reference formula per element.
class Qs8Binary {
 public:
  bool InitAdd(Isa isa, const BroadcastGeometry& g, int32_t a_zero_point, float a_scale,
               int32_t b_zero_point, float b_scale, const QuantizedOutput& out);
  bool InitMul(Isa isa, const BroadcastGeometry& g, int32_t a_zero_point, int32_t b_zero_point,
               float scale, const QuantizedOutput& out);
  void Run(const int8_t* a, const int8_t* b, int8_t* y, pthreadpool_t pool);
  const char* name() const { return name_; }
  void Task(size_t start, size_t count);  // output elements [start, start + count)

 private:
  bool InitGeometry(Isa isa, const BroadcastGeometry& g);
  void Row(const int8_t* a, const int8_t* b, int8_t* y, size_t n, int64_t sa, int64_t sb) const;

  bool mul_ = false;
  BroadcastGeometry g_;  // coalesced; rank >= 1
  size_t total_ = 0;
  QuantizedOutput q_out_;
  Qs8AddParams add_{}, add_swapped_{};
  Qs8MulParams mul_p_{}, mul_swapped_{};
  const char* name_ = "";
  const int8_t* run_a_ = nullptr;
  const int8_t* run_b_ = nullptr;
  int8_t* run_y_ = nullptr;
};

// int8 activations: y = table[x + 128].
class Qs8Lut {
 public:
  bool Init(Isa isa, const int8_t table[256], size_t n);
  void Run(const int8_t* x, int8_t* y, pthreadpool_t pool);
  const char* name() const;
  void Task(size_t start, size_t count);

 private:
  // x86: the prefix-XOR form (X8LutDiffTable); ARM: the table as bytes.
  alignas(16) uint8_t table_[256] = {};
  size_t n_ = 0;
  const int8_t* run_x_ = nullptr;
  int8_t* run_y_ = nullptr;
};

// The table form x8_lut__avx2 reads: rows of 16, each XOR-ed with the row
// before it except rows 0 and 8 (see kernels/x86/x8-lut-avx2.cc).
void X8LutDiffTable(const int8_t table[256], uint8_t diff[256]);

// QUANTIZE (float32 -> int8, qmin/qmax -128/127) and DEQUANTIZE.
class Qs8Convert {
 public:
  bool InitQuantize(Isa isa, float scale, int32_t zero_point, size_t n);
  bool InitDequantize(Isa isa, float scale, int32_t zero_point, size_t n);
  void Run(const void* x, void* y, pthreadpool_t pool);
  const char* name() const;
  void Task(size_t start, size_t count);

 private:
  bool quantize_ = true;
  float scale_ = 1.0f;
  int32_t zero_point_ = 0;
  Qs8OutParams out_{};
  size_t n_ = 0;
  const void* run_x_ = nullptr;
  void* run_y_ = nullptr;
};

// TRANSPOSE whose permutation, after dropping size-1 dims and merging dims
// that stay neighbours, is a batch of 2-D transposes [B][M][N] -> [B][N][M]
// (NCHW <-> NHWC and the like), for 1, 2 or 4 byte elements. 3-plane int8
// images (the model input) use the interleave kernel (pshufb / NEON VST3);
// other int8 transposes on ARM the NEON 8x8 tile kernel.
class X8Transpose {
 public:
  bool Init(Isa isa, const ref::TransposeGeometry& g, size_t elem_size);
  void Run(const void* x, void* y, pthreadpool_t pool);
  const char* name() const { return name_; }
  void Task(size_t start, size_t count);  // batches x column blocks

 private:
  size_t elem_size_ = 1;
  size_t batch_ = 1, m_ = 1, n_ = 1;
  size_t blocks_ = 1;  // column blocks of kTransposeBlock per batch
  bool interleave3_ = false;
  const char* name_ = "";
  const void* run_x_ = nullptr;
  void* run_y_ = nullptr;
};

}  // namespace qrun::kernels

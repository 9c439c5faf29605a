// Optimized int8 Conv2D / FullyConnected through GEMM microkernels:
// kernel choice by ISA, weights packed once, indirection buffer for KxK
// (no im2col copy), pthreadpool partitioning of output tiles.
//
// Results are bit-exact with kernels::ref::conv2d_s8 / fully_connected_s8
// for any ISA and any thread count (each output element is computed by one
// microkernel call in a fixed order).
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "kernels/geometry.h"

namespace qrun::kernels {

class Qs8Conv {
 public:
  enum class Kind { kConv2D, kFullyConnected };

  // Chooses and prepares a kernel for `isa` (the level to use, already
  // checked as supported). Returns false if no optimized kernel applies (e.g.
  // reference level, depthwise); the caller keeps the reference kernel.
  // Allocates (packed weights, indirection buffer): prepare time only.
  // FullyConnected: g.in_w = batch, g.in_c = in_features, g.out_c = out_features,
  // everything else 1.
  bool Init(Isa isa, Kind kind, const Conv2DGeometry& g, int32_t input_zero_point,
            const int8_t* weights, const int32_t* bias, const float* requant_scale,
            const QuantizedOutput& out);

  // AVX2: layers with at most this many output rows (batch x pixels) get
  // int8 packed weights (6x16c2w8), larger ones int16 (6x16c2); see Init.
  static constexpr size_t kW8MaxRows = 1024;
  // Overrides kW8MaxRows for the next Init (tests force either kernel).
  void set_w8_max_rows(size_t rows) { w8_max_rows_ = rows; }

  // Scratch the caller provides to Run (the converted input; 0 on ARM).
  size_t scratch_bytes() const { return scratch_bytes_; }
  // Never allocates.
  void Run(const int8_t* input, int8_t* output, void* scratch, pthreadpool_t pool);

  const char* name() const { return name_.c_str(); }
  size_t persistent_bytes() const;

  // Used by the task trampolines.
  void ConvertTask(size_t start, size_t count);
  void ConvertRowTask(size_t row);
  void ComputeBlock(size_t i0, size_t j0, size_t ni, size_t nj);

 private:
  void BuildIndirection(const uint8_t* xbuf);

  Conv2DGeometry g_;
  Isa isa_ = Isa::kReference;
  int mr_ = 0, nr_ = 0, elem_ = 1;
  size_t kc_ = 0, ks_ = 0, opg_ = 0, m_ = 0, n_tiles_ = 0, m_tiles_ = 0;
  size_t tile_bytes_ = 0;
  size_t w8_max_rows_ = kW8MaxRows;
  bool gemm_ = false;  // rows are contiguous pixels: no indirection buffer
  // Row mode (few input channels): the input pass writes rows padded to
  // padded_w_ pixels with the zero point; one indirection pointer per kernel
  // row (ks_ = kernel_h, kc_ = kernel_w * in_c).
  bool rows_ = false;
  size_t padded_w_ = 0;
  int8_t in_zp_ = 0;
  void* ukernel_ = nullptr;
  // Input pass into scratch (x86: uint8 or int16 encodings); null when the
  // kernels read the int8 input in place (ARM).
  void (*convert_)(size_t, const int8_t*, void*) = nullptr;
  float out_lo_ = 0, out_hi_ = 0;
  int32_t out_zp_ = 0;
  std::vector<uint8_t> packed_;
  std::vector<uint8_t> zero_;          // one padded pixel, input encoding
  std::vector<const void*> indirection_;
  const uint8_t* indirection_base_ = nullptr;
  size_t scratch_bytes_ = 0;
  std::string name_;
  // Per-Run state for the tasks.
  const int8_t* run_in_ = nullptr;
  uint8_t* run_x_ = nullptr;        // the converted input (x86), in scratch
  const uint8_t* run_a_ = nullptr;  // what the microkernels read
  int8_t* run_out_ = nullptr;
};

}  // namespace qrun::kernels

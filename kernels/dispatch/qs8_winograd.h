// int8 3x3 stride-1 convolution through integer Winograd F(2x2, 3x3)
// (kernels/winograd_f2x3.h): 2.25x fewer multiplies than the direct igemm.
// One parallel pass: each task takes a block of up to 18 tiles and a group of
// 16-channel tiles, transforms the block's input tiles into a per-thread
// slot of scratch (so the int16 V data stays in L1/L2 instead of making a
// round trip through memory), then runs the 16 Winograd-domain GEMMs, the
// output transform and requantization for each channel tile of the group.
//
// Bit-exact with kernels::ref::conv2d_s8 (and ref::conv2d_s8_winograd_f2x3)
// for any thread count. x86 AVX2 only for now (the AVX-512 VNNI level keeps
// its direct kernels: vpdpbusd does 64 MACs per instruction).
#pragma once

#include <pthreadpool.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "kernels/geometry.h"

namespace qrun::kernels {

class Qs8WinogradConv {
 public:
  // Returns false (caller keeps another kernel) unless the layer is 3x3,
  // stride 1, dilation 1, ungrouped, exact in Winograd form
  // (ref::winograd_f2x3_exact), large enough for the tiles to pay off (at
  // least 32 tiles, mostly full), and
  // `isa` runs the AVX2 kernels (avx2, avxvnni). Allocates: prepare time only.
  // max_threads: the most tasks that run at once (the pool's threads); one
  // scratch slot each.
  bool Init(Isa isa, const Conv2DGeometry& g, int32_t input_zero_point, const int8_t* weights,
            const int32_t* bias, const float* requant_scale, const QuantizedOutput& out,
            int max_threads);

  size_t scratch_bytes() const { return scratch_bytes_; }
  // Never allocates. `pool` must have at most max_threads threads.
  void Run(const int8_t* input, int8_t* output, void* scratch, pthreadpool_t pool);

  const char* name() const { return name_.c_str(); }
  size_t persistent_bytes() const;

  // Used by the task trampoline.
  void Task(size_t m_block, size_t n_group);

 private:
  void TransformBlock(size_t t0, size_t count, int16_t* v) const;

  Conv2DGeometry g_;
  size_t tiles_h_ = 0, tiles_w_ = 0, tiles_ = 0;
  size_t cp_ = 0;  // int16 elements per transformed position (channels rounded up to 16)
  size_t n_tiles_ = 0, m_blocks_ = 0, tile_bytes_ = 0;
  size_t n_group_ = 0, n_groups_ = 0;  // channel tiles per task, groups
  size_t slots_ = 0, slot_bytes_ = 0;  // per-thread V buffers in scratch
  std::unique_ptr<std::atomic<bool>[]> slot_busy_;
  float out_lo_ = 0, out_hi_ = 0;
  int32_t out_zp_ = 0;
  std::vector<uint8_t> packed_;
  std::vector<int8_t> zero_;  // one padding pixel: the input zero point
  size_t scratch_bytes_ = 0;
  std::string name_;
  const int8_t* run_in_ = nullptr;
  int8_t* run_out_ = nullptr;
  uint8_t* run_scratch_ = nullptr;
};

}  // namespace qrun::kernels

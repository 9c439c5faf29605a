// Optimized int8 depthwise Conv2D (groups == in_c == out_c): weights packed
// once at prepare as int16 tap pairs with the input zero point folded into the
// bias (kernels/x86/qs8-dwconv.h), a microkernel specialised for 3x3 and 5x5
// (general fallback otherwise) chosen for the ISA level, output rows
// partitioned over pthreadpool. Bit-exact with kernels::ref::conv2d_s8 for any
// thread count (each output byte is computed by one task, the same way).
#pragma once

#include <pthreadpool.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "kernels/geometry.h"

namespace qrun::kernels {

class Qs8DwConv {
 public:
  // False if no optimized kernel applies (the caller keeps the reference):
  // not depthwise with multiplier 1, reference level, or more than
  // x86::kQs8DwMaxTaps (ARM: arm::kQs8DwMaxTaps) taps. ARM: one NEON kernel
  // for every size (kernels/arm/qs8-dwconv.h).
  bool Init(Isa isa, const Conv2DGeometry& g, int32_t input_zero_point, const int8_t* weights,
            const int32_t* bias, const float* requant_scale, const QuantizedOutput& out);
  // Never allocates.
  void Run(const int8_t* input, int8_t* output, pthreadpool_t pool);
  const char* name() const { return name_.c_str(); }
  size_t persistent_bytes() const {
    return (weights_.capacity() + col_weights_.capacity()) * sizeof(int16_t) + weights8_.capacity() +
           bias_.capacity() * sizeof(int32_t) + scale_.capacity() * sizeof(float) +
           zero_buf_.capacity() + name_.capacity();
  }
  void RowsTask(size_t start, size_t count);

 private:
  Conv2DGeometry g_;
  float out_lo_ = 0, out_hi_ = 0;
  int32_t out_zp_ = 0;
  std::vector<int16_t> weights_, col_weights_;
  size_t col_align_ = 0;  // col_weights_ data starts this many elements in
  std::vector<int8_t> weights8_;  // ARM: tap pairs interleaved (arm::Qs8DwParams)
  [[maybe_unused]] bool pair_taps_ = false;  // ARM: no -128 weight (SMLAL of tap pairs exact)
  std::vector<int32_t> bias_;
  std::vector<float> scale_;
  std::vector<int8_t> zero_buf_;
  std::string name_;
  int kernel_ = -1;  // which microkernel (qs8_dwconv.cc)
  const int8_t* run_in_ = nullptr;
  int8_t* run_out_ = nullptr;
};

}  // namespace qrun::kernels

// Optimized int8 depthwise Conv2D (groups == in_c == out_c): weights packed
// once as int32, output rows partitioned over pthreadpool. Bit-exact with
// kernels::ref::conv2d_s8 for any thread count.
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
  // False if no optimized kernel applies (the caller keeps the reference).
  bool Init(Isa isa, const Conv2DGeometry& g, int32_t input_zero_point, const int8_t* weights,
            const int32_t* bias, const float* requant_scale, const QuantizedOutput& out);
  // Never allocates.
  void Run(const int8_t* input, int8_t* output, pthreadpool_t pool);
  const char* name() const { return name_.c_str(); }
  size_t persistent_bytes() const {
    return (weights_.capacity() + bias_.capacity()) * sizeof(int32_t) +
           scale_.capacity() * sizeof(float) + name_.capacity();
  }
  void RowsTask(size_t start, size_t count);

 private:
  Conv2DGeometry g_;
  int32_t input_zero_point_ = 0;
  float out_lo_ = 0, out_hi_ = 0;
  int32_t out_zp_ = 0;
  std::vector<int32_t> weights_, bias_;
  std::vector<float> scale_;
  std::string name_;
  const int8_t* run_in_ = nullptr;
  int8_t* run_out_ = nullptr;
};

}  // namespace qrun::kernels

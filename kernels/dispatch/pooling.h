// Optimized int8 pooling, NHWC: MAX_POOL_2D, AVERAGE_POOL_2D and
// GLOBAL_AVERAGE_POOL. Windows are clipped to the image exactly as in
// kernels/reference/pooling.cc (same divisor, same float32 scale / divisor
// per window); the x86 / ARM kernels then reduce over channels in vectors. Init
// returns false when no optimized kernel applies (the caller keeps the
// reference); Run never allocates and is bit-exact for any thread count.
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/isa.h"
#include "kernels/geometry.h"
#include "kernels/elementwise_params.h"

namespace qrun::kernels {

class Qs8Pool2D {
 public:
  bool InitMax(Isa isa, const Pool2DGeometry& g, const QuantizedOutput& out);
  bool InitAverage(Isa isa, const Pool2DGeometry& g, bool count_include_pad,
                   int32_t input_zero_point, float scale, const QuantizedOutput& out);
  void Run(const int8_t* input, int8_t* output, pthreadpool_t pool);
  const char* name() const;
  void Task(size_t start, size_t count);  // output rows (batch * out_h)

 private:
  bool max_ = true;
  Pool2DGeometry g_;
  bool count_include_pad_ = false;
  int32_t input_zero_point_ = 0;
  float scale_ = 1.0f;
  QuantizedOutput out_;
  Qs8OutParams out_params_{};
  const int8_t* run_in_ = nullptr;
  int8_t* run_out_ = nullptr;
};

class Qs8GlobalAveragePool {
 public:
  bool Init(Isa isa, int batch, int hw, int channels, int32_t input_zero_point, float scale,
            const QuantizedOutput& out);
  void Run(const int8_t* input, int8_t* output, pthreadpool_t pool);
  const char* name() const;

 private:
  int batch_ = 0, hw_ = 0, channels_ = 0;
  int32_t input_zero_point_ = 0;
  float window_scale_ = 0.0f;  // scale / (float)hw, as the reference
  Qs8OutParams out_params_{};
};

}  // namespace qrun::kernels

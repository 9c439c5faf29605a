#include "kernels/reference/concat.h"

#include <cstring>

#include "kernels/requantize.h"

namespace qrun::kernels::ref {
namespace {

// memcpy with a zero count may still be handed a null pointer (an empty
// input); that is UB for memcpy, so skip it.
void copy_elements(void* dst, const void* src, int64_t count, size_t elem_size) {
  if (count > 0) std::memcpy(dst, src, static_cast<size_t>(count) * elem_size);
}

void requantize_row(const int8_t* src, int64_t count, int32_t zero_point, float scale,
                    const QuantizedOutput& out, int8_t* dst) {
  for (int64_t i = 0; i < count; ++i) {
    const float f = static_cast<float>(src[i] - zero_point) * scale;
    dst[i] = static_cast<int8_t>(requantize_float(f, out.zero_point, out.qmin, out.qmax));
  }
}

}  // namespace

void concat_s8(int64_t outer, const ConcatInput* inputs, int num_inputs, const QuantizedOutput& out,
               int8_t* output) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int k = 0; k < num_inputs; ++k) {
      const ConcatInput& in = inputs[k];
      const int64_t n = in.axis_inner;
      if (n <= 0) continue;
      const int8_t* src = static_cast<const int8_t*>(in.data) + o * n;
      if (in.same_quantization) {
        copy_elements(output, src, n, sizeof(int8_t));
      } else {
        requantize_row(src, n, in.zero_point, in.scale, out, output);
      }
      output += n;
    }
  }
}

void concat_f32(int64_t outer, const ConcatInput* inputs, int num_inputs, float* output) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int k = 0; k < num_inputs; ++k) {
      const int64_t n = inputs[k].axis_inner;
      if (n <= 0) continue;
      copy_elements(output, static_cast<const float*>(inputs[k].data) + o * n, n, sizeof(float));
      output += n;
    }
  }
}

}  // namespace qrun::kernels::ref

// Geometry structs shared by reference and optimized kernels. All layouts are
// NHWC; weights are OHWI ([out_c][kh][kw][in_c / groups]).
#pragma once

#include <cstdint>

namespace qrun::kernels {

struct Conv2DGeometry {
  int batch = 1;
  int in_h = 0, in_w = 0, in_c = 0;
  int out_h = 0, out_w = 0, out_c = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0;  // bottom/right padding is implied by out_h/out_w
  int groups = 1;                 // in_c % groups == 0 and out_c % groups == 0
};

struct Pool2DGeometry {
  int batch = 1;
  int in_h = 0, in_w = 0, channels = 0;
  int out_h = 0, out_w = 0;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0;
  // End padding as given by the model. Windows may overhang it (ONNX
  // ceil_mode); it only matters for the count_include_pad divisor.
  int pad_bottom = 0, pad_right = 0;
};

// Element-wise binary op with numpy broadcasting, normalised to kMaxRank
// dimensions. Strides are in elements; a broadcast dimension has stride 0.
constexpr int kMaxRank = 6;
struct BroadcastGeometry {
  int rank = 0;
  int64_t out_dims[kMaxRank] = {};
  int64_t a_strides[kMaxRank] = {};
  int64_t b_strides[kMaxRank] = {};
};

// Int8 output parameters: zero point and clamp range [qmin, qmax] (the fused
// activation folded in, within [-128, 127]).
struct QuantizedOutput {
  int32_t zero_point = 0;
  int32_t qmin = -128;
  int32_t qmax = 127;
};

}  // namespace qrun::kernels

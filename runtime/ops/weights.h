// Checks shared by the weighted ops (CONV_2D, FULLY_CONNECTED).
#pragma once

#include <vector>

#include "runtime/ops/op.h"

namespace qrun {

// int8 layer: per-tensor int8 input and output; int8 weights, symmetric
// (zero point 0), per-tensor or per-channel along axis 0 with `channels`
// scales; optional constant int32 bias [channels]. Rejects (UNSUPPORTED)
// layers whose int32 accumulator could overflow for some input: for each
// channel, sum|w| * max|x - x_zp| + |bias| must fit in int32. Fills
// requant_scale[c] = (float)s_x * (float)s_w[c] / (float)s_y.
Status CheckQuantizedLayer(const PrepareContext& ctx, const TensorInfo& in, const TensorInfo& w,
                           const TensorInfo* bias, const TensorInfo& out, int channels,
                           std::vector<float>* requant_scale);

// float32 layer: float32 weights, optional constant float32 bias [channels],
// float32 output.
Status CheckFloatLayer(const PrepareContext& ctx, const TensorInfo& w, const TensorInfo* bias,
                       const TensorInfo& out, int channels);

// Dynamically quantized layer (qconvert --dynamic): float32 input and
// output, int8 symmetric weights (per-tensor or per-channel, axis 0),
// optional constant float32 bias [channels]. The input is quantized per run,
// so the accumulator check assumes any |x - x_zp| <= 255. Fills
// weight_scale[c].
Status CheckDynamicLayer(const PrepareContext& ctx, const TensorInfo& in, const TensorInfo& w,
                         const TensorInfo* bias, const TensorInfo& out, int channels,
                         std::vector<float>* weight_scale);

// Window parameters of convolutions and pools: strides and dilations in
// [1, 2^16], paddings in [0, 2^16].
Status CheckWindow(const PrepareContext& ctx, int stride_h, int stride_w, int dilation_h,
                   int dilation_w, int pad_top, int pad_left, int pad_bottom, int pad_right);

}  // namespace qrun

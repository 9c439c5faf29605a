// Checks and parameter derivations shared by several ops.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/geometry.h"
#include "runtime/ops/op.h"

namespace qrun {

// The fused activation as an int8 clamp range in the output's quantization.
Status QuantizedActivation(const PrepareContext& ctx, const fb::FusedActivation* act,
                           const TensorInfo& output, kernels::QuantizedOutput* out);
// The fused activation as a float clamp range.
Status FloatActivation(const PrepareContext& ctx, const fb::FusedActivation* act, float* out_min,
                       float* out_max);

// int8 with a single (per-tensor) scale and zero point.
bool IsPerTensorInt8(const TensorInfo& t);

// Checks that the op's tensors all have dtype `dtype`, naming the offender.
Status ExpectDType(const PrepareContext& ctx, const TensorInfo& t, DType dtype, const char* role);
Status ExpectRank(const PrepareContext& ctx, const TensorInfo& t, int rank, const char* role);
// Rank within what the generic kernels index (kernels::kMaxRank); the loader
// allows more, so this is UNSUPPORTED, not invalid.
Status ExpectKernelRank(const PrepareContext& ctx, const TensorInfo& t, const char* role);
Status ExpectShape(const PrepareContext& ctx, const TensorInfo& t,
                   const std::vector<int64_t>& dims, const char* role);
// Same scale and zero point (ops that pass int8 values through unchanged).
Status ExpectSameQuantization(const PrepareContext& ctx, const TensorInfo& a,
                              const TensorInfo& b);

// ONNX output size: floor((in + pads - dilation * (k - 1) - 1) / stride) + 1.
int64_t ConvOutputSize(int64_t in, int64_t pad_begin, int64_t pad_end, int64_t kernel,
                       int64_t stride, int64_t dilation);

}  // namespace qrun

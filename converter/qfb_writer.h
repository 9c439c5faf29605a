// Writes a lowered graph as a .qfb: float32 where ops are float, int8 where
// quantization marked them, with QUANTIZE/DEQUANTIZE inserted wherever a
// tensor is needed in the other representation.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "converter/lgraph.h"

namespace qrun::conv {

struct WriteOptions {
  bool int8_io = false;       // graph inputs/outputs int8 instead of float32
  bool all_outputs = false;   // every activation becomes a graph output (calibration, report)
  bool force_float = false;   // ignore LOp::int8 (the float reference model)
  // --dynamic: float ops, but CONV_2D / FULLY_CONNECTED weights int8
  // (per-channel symmetric); the runtime quantizes their inputs per run.
  // Ops named in keep_float keep float weights.
  bool dynamic_weights = false;
  std::set<std::string> keep_float;
  std::string producer = "qconvert";
  std::vector<std::pair<std::string, std::string>> metadata;
};

struct WriteResult {
  std::vector<uint8_t> bytes;
  // Per LTensor: the .qfb tensor holding its float32 / int8 form, or -1.
  std::vector<int> float_index;
  std::vector<int> int8_index;
  size_t weight_bytes = 0;
};

// True if `op` is written as a dynamically quantized layer under `options`.
bool IsDynamicOp(const LOp& op, const WriteOptions& options);

Status WriteQfb(const LGraph& g, const WriteOptions& options, WriteResult* out);

// Per-channel symmetric int8 quantization of a weight [O][...] (axis 0).
void QuantizeWeights(const LTensor& w, std::vector<int8_t>* q, std::vector<float>* scales);
// Per-tensor asymmetric int8 parameters covering [lo, hi] (widened to 0).
QAnnot ActivationParams(float lo, float hi);

}  // namespace qrun::conv

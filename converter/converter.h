// qconvert's driver: ONNX -> passes -> lowering -> calibration ->
// quantization -> .qfb, plus the report.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "converter/calibrate.h"
#include "converter/input_data.h"
#include "converter/lgraph.h"
#include "converter/passes/passes.h"

namespace qrun::conv {

struct ConvertOptions {
  std::string model_path;
  std::string output_path;
  InputShapes input_shapes;
  bool quantize = true;            // false: --float
  std::string calib_path;
  int calib_count = -1;
  int calib_random = 0;
  InputTransform calib_transform;
  SampleFormat calib_format = SampleFormat::kAuto;
  CalibOptions calib;
  std::vector<std::string> keep_float;
  bool auto_mixed = false;
  double target_sqnr = 30.0;
  bool dynamic = false;
  bool int8_io = false;
  bool report = false;
  int report_samples = 8;
  // Extra metadata key/values for the .qfb (e.g. "labels" = "cat,dog,...",
  // which qrun prints next to class indices).
  std::vector<std::pair<std::string, std::string>> metadata;
  std::ostream* log = nullptr;     // progress and report (stderr in the CLI)
};

struct ConvertSummary {
  int ops = 0, int8_ops = 0, float_ops = 0;
  size_t onnx_bytes = 0, qfb_bytes = 0;
  bool prequantized = false;
  std::string line;                // one-line summary
};

// Import + passes only (tests use it).
Status ImportAndOptimize(const std::string& model_path, const InputShapes& shapes, Graph* g,
                         bool* prequantized);

Status Convert(const ConvertOptions& options, ConvertSummary* summary);
// Same, into memory.
Status ConvertToBytes(const ConvertOptions& options, std::vector<uint8_t>* bytes, ConvertSummary* summary);

}  // namespace qrun::conv

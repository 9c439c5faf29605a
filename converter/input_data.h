// Model input samples from files: .npy (float32 or uint8), raw float32, raw
// uint8 (.u8, MNIST/ImageNet style). One file may hold several samples
// (its size a multiple of one sample). uint8 data goes through a transform:
// x = (u8 * scale - mean[c]) / std[c], computed in double, rounded once to
// float32, with c the channel (dim 1 of NCHW inputs).
#pragma once

#include <string>
#include <vector>

#include "runtime/status.h"

namespace qrun::conv {

struct InputTransform {
  double scale_num = 1, scale_den = 255;  // "scale=1/255" (the default for uint8)
  std::vector<double> mean = {0.0};
  std::vector<double> std = {1.0};
};

// "scale=1/255,mean=0.485:0.456:0.406,std=0.229:0.224:0.225" (':' or ' '
// separate per-channel values), or a preset: "imagenet", "mnist".
Status ParseTransform(const std::string& text, InputTransform* out);

enum class SampleFormat { kAuto, kFloat32, kUInt8 };

// Loads up to max_count samples (all when < 0) of `shape` from a file or a
// directory (files in name order). *saw_uint8 (if given) tells whether any
// sample was uint8 (and so went through `transform`).
Status LoadSamples(const std::string& path, const std::vector<int64_t>& shape,
                   const InputTransform& transform, SampleFormat format, int max_count,
                   std::vector<std::vector<float>>* samples, std::vector<std::string>* names = nullptr,
                   bool* saw_uint8 = nullptr);

// True if t is the default transform (uint8 / 255, no mean or std).
bool IsDefaultTransform(const InputTransform& t);

// Raw little-endian file contents.
Status ReadFileBytes(const std::string& path, std::vector<uint8_t>* out);

}  // namespace qrun::conv

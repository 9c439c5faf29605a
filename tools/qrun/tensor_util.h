// Small facts about qrun_tensor views that every part of the tool needs:
// sizes, names and printable shapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "qrun/qrun.h"

namespace qrun_cli {

size_t DtypeSize(qrun_dtype dtype);
std::string DtypeName(qrun_dtype dtype);
int64_t ElementCount(const qrun_tensor& t);
std::vector<int64_t> Shape(const qrun_tensor& t);

// "1x32x32x3"; "scalar" for rank 0.
std::string ShapeString(const std::vector<int64_t>& shape);
// "int8 [1x32x32x3]"
std::string Describe(const qrun_tensor& t);

// Whether values carry a scale/zero point (int8 and uint8 always do; int32
// only if the model gave it one).
bool IsQuantized(const qrun_tensor& t);

}  // namespace qrun_cli

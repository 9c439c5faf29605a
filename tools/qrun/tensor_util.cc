#include "tensor_util.h"

namespace qrun_cli {

size_t DtypeSize(qrun_dtype dtype) {
  switch (dtype) {
    case QRUN_DTYPE_FLOAT32: return 4;
    case QRUN_DTYPE_INT8: return 1;
    case QRUN_DTYPE_UINT8: return 1;
    case QRUN_DTYPE_INT32: return 4;
  }
  return 0;
}

std::string DtypeName(qrun_dtype dtype) { return qrun_dtype_name(dtype); }

int64_t ElementCount(const qrun_tensor& t) {
  int64_t n = 1;
  for (int i = 0; i < t.rank; ++i) n *= t.dims[i];
  return n;
}

std::vector<int64_t> Shape(const qrun_tensor& t) {
  return std::vector<int64_t>(t.dims, t.dims + t.rank);
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

std::string Describe(const qrun_tensor& t) {
  return DtypeName(t.dtype) + " [" + ShapeString(Shape(t)) + "]";
}

bool IsQuantized(const qrun_tensor& t) {
  if (t.dtype == QRUN_DTYPE_INT8 || t.dtype == QRUN_DTYPE_UINT8) return true;
  return t.dtype == QRUN_DTYPE_INT32 && t.scale != 0.0f;
}

}  // namespace qrun_cli

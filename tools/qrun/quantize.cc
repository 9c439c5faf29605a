#include "quantize.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "tensor_util.h"

namespace qrun_cli {
namespace {

// Rounds in double after a float division (ONNX divides in float) so that
// huge or infinite values clamp instead of overflowing the integer cast.
template <typename T>
void QuantizeTo(const float* src, size_t count, float scale, int32_t zero_point, T lo, T hi,
                T* dst) {
  for (size_t i = 0; i < count; ++i) {
    if (std::isnan(src[i])) {
      dst[i] = static_cast<T>(zero_point);
      continue;
    }
    // nearbyint uses the default rounding mode: round half to even.
    double q = std::nearbyint(static_cast<double>(src[i] / scale)) + zero_point;
    if (q < lo) q = lo;
    if (q > hi) q = hi;
    dst[i] = static_cast<T>(q);
  }
}

template <typename T>
void DequantizeFrom(const T* src, size_t count, float scale, int32_t zero_point, float* dst) {
  for (size_t i = 0; i < count; ++i) {
    dst[i] = scale * static_cast<float>(static_cast<int64_t>(src[i]) - zero_point);
  }
}

}  // namespace

void QuantizeInto(const float* src, size_t count, const qrun_tensor& t, void* dst) {
  switch (t.dtype) {
    case QRUN_DTYPE_FLOAT32:
      std::memcpy(dst, src, count * sizeof(float));
      return;
    case QRUN_DTYPE_INT8:
      QuantizeTo<int8_t>(src, count, t.scale, t.zero_point, -128, 127, static_cast<int8_t*>(dst));
      return;
    case QRUN_DTYPE_UINT8:
      QuantizeTo<uint8_t>(src, count, t.scale, t.zero_point, 0, 255, static_cast<uint8_t*>(dst));
      return;
    case QRUN_DTYPE_INT32:
      break;  // callers reject float data for int32 inputs
  }
}

std::vector<float> Dequantize(const qrun_tensor& t, const void* data) {
  const size_t n = static_cast<size_t>(ElementCount(t));
  std::vector<float> out(n);
  // Unquantized int32 reads as plain integers: scale 1, zero point 0.
  const float scale = IsQuantized(t) ? t.scale : 1.0f;
  const int32_t zp = IsQuantized(t) ? t.zero_point : 0;
  switch (t.dtype) {
    case QRUN_DTYPE_FLOAT32:
      std::memcpy(out.data(), data, n * sizeof(float));
      break;
    case QRUN_DTYPE_INT8:
      DequantizeFrom(static_cast<const int8_t*>(data), n, scale, zp, out.data());
      break;
    case QRUN_DTYPE_UINT8:
      DequantizeFrom(static_cast<const uint8_t*>(data), n, scale, zp, out.data());
      break;
    case QRUN_DTYPE_INT32:
      DequantizeFrom(static_cast<const int32_t*>(data), n, scale, zp, out.data());
      break;
  }
  return out;
}

void FillZero(const qrun_tensor& t, void* dst) {
  const size_t n = static_cast<size_t>(ElementCount(t));
  switch (t.dtype) {
    case QRUN_DTYPE_FLOAT32:
      std::memset(dst, 0, n * sizeof(float));  // all-zero bits is 0.0f
      return;
    case QRUN_DTYPE_INT8:
      std::memset(dst, static_cast<int8_t>(t.zero_point), n);
      return;
    case QRUN_DTYPE_UINT8:
      std::memset(dst, static_cast<uint8_t>(t.zero_point), n);
      return;
    case QRUN_DTYPE_INT32: {
      int32_t* p = static_cast<int32_t*>(dst);
      for (size_t i = 0; i < n; ++i) p[i] = t.zero_point;
      return;
    }
  }
}

}  // namespace qrun_cli

#include "input_files.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "cli_error.h"
#include "file_io.h"
#include "npy.h"
#include "quantize.h"
#include "tensor_util.h"

namespace qrun_cli {
namespace {

// Room for a .npy header on top of the largest acceptable payload.
constexpr size_t kMaxNpyHeader = 1 << 20;

// Inputs are named by their model name; by position only if unnamed.
std::string Label(int index, const qrun_tensor& t) {
  if (t.name != nullptr && t.name[0] != '\0') return std::string("input '") + t.name + "'";
  return "input #" + std::to_string(index);
}

size_t FloatBytes(const qrun_tensor& t) {
  return static_cast<size_t>(ElementCount(t)) * sizeof(float);
}

// Float data can be given for any input except int32 ones (no scale to use).
bool AcceptsFloat(const qrun_tensor& t) { return t.dtype != QRUN_DTYPE_INT32; }

// "3072 bytes (int8 [1x32x32x3]) or 12288 bytes (float32)"
std::string ExpectedSizes(const qrun_tensor& t) {
  std::string s = std::to_string(t.bytes) + " bytes (" + Describe(t) + ")";
  if (AcceptsFloat(t) && t.dtype != QRUN_DTYPE_FLOAT32) {
    s += " or " + std::to_string(FloatBytes(t)) + " bytes (float32)";
  }
  return s;
}

std::string FileSizeText(const std::string& path, size_t read, bool too_large) {
  if (!too_large) return std::to_string(read) + " bytes";
  const int64_t size = FileSize(path);
  return size >= 0 ? std::to_string(size) + " bytes" : "more than " + std::to_string(read - 1) + " bytes";
}

// The dtype that --input-dtype asks for, or the tensor's own one for raw.
qrun_dtype ForcedDtype(InputDtype forced, const qrun_tensor& t) {
  switch (forced) {
    case InputDtype::kFloat32: return QRUN_DTYPE_FLOAT32;
    case InputDtype::kInt8: return QRUN_DTYPE_INT8;
    case InputDtype::kUint8: return QRUN_DTYPE_UINT8;
    case InputDtype::kAuto:
    case InputDtype::kRaw: break;
  }
  return t.dtype;
}

// Copies or converts `data` (elements of dtype `from`) into the tensor.
void Convert(const std::string& label, const std::string& path, qrun_dtype from,
             const uint8_t* data, const qrun_tensor& t) {
  const size_t n = static_cast<size_t>(ElementCount(t));
  if (from == t.dtype) {
    std::memcpy(t.data, data, t.bytes);
    return;
  }
  if (from == QRUN_DTYPE_FLOAT32 && AcceptsFloat(t)) {
    std::vector<float> values(n);  // copied: file bytes need not be aligned
    std::memcpy(values.data(), data, n * sizeof(float));
    QuantizeInto(values.data(), n, t, t.data);
    return;
  }
  // int8 <-> uint8: flipping the top bit adds or removes 128, which keeps the
  // real value when the zero points differ by 128 (the usual convention).
  const bool bytes_to_bytes = (from == QRUN_DTYPE_INT8 && t.dtype == QRUN_DTYPE_UINT8) ||
                              (from == QRUN_DTYPE_UINT8 && t.dtype == QRUN_DTYPE_INT8);
  if (bytes_to_bytes) {
    uint8_t* dst = static_cast<uint8_t*>(t.data);
    for (size_t i = 0; i < n; ++i) dst[i] = data[i] ^ 0x80;
    return;
  }
  Fail(label + " is " + Describe(t) + " and cannot take " + DtypeName(from) + " data from '" +
       path + "'");
}

void LoadNpy(const std::string& label, const std::string& path, const std::vector<uint8_t>& file,
             const qrun_tensor& t, InputDtype forced) {
  const NpyArray a = ParseNpy(file, path);
  int64_t elements = 1;
  for (int64_t d : a.shape) elements *= d;
  if (elements != ElementCount(t)) {
    Fail(label + " expects shape [" + ShapeString(Shape(t)) + "] (" +
         std::to_string(ElementCount(t)) + " elements), '" + path + "' has shape [" +
         ShapeString(a.shape) + "] (" + std::to_string(elements) + " elements, " +
         std::to_string(a.data_bytes) + " bytes of " + DtypeName(a.dtype) + ")");
  }
  if (forced != InputDtype::kAuto && ForcedDtype(forced, t) != a.dtype) {
    Fail("'" + path + "' holds " + DtypeName(a.dtype) + " data, but --input-dtype asks for " +
         DtypeName(ForcedDtype(forced, t)));
  }
  Convert(label, path, a.dtype, file.data() + a.data_offset, t);
}

void LoadRaw(const std::string& label, const std::string& path, const std::vector<uint8_t>& file,
             bool too_large, const qrun_tensor& t, InputDtype forced) {
  const size_t n = static_cast<size_t>(ElementCount(t));
  qrun_dtype from = t.dtype;
  if (forced == InputDtype::kAuto) {
    const bool own = !too_large && file.size() == t.bytes;
    const bool as_float = !too_large && file.size() == FloatBytes(t) && AcceptsFloat(t);
    if (!own && !as_float) {
      Fail(label + " expects " + ExpectedSizes(t) + ", file '" + path + "' has " +
           FileSizeText(path, file.size(), too_large));
    }
    from = own ? t.dtype : QRUN_DTYPE_FLOAT32;
  } else {
    from = ForcedDtype(forced, t);
    const size_t expected = n * DtypeSize(from);
    if (too_large || file.size() != expected) {
      Fail(label + " (" + Describe(t) + ") expects " + std::to_string(expected) + " bytes of " +
           DtypeName(from) + " data, file '" + path + "' has " +
           FileSizeText(path, file.size(), too_large));
    }
  }
  Convert(label, path, from, file.data(), t);
}

}  // namespace

void LoadInput(const std::string& path, int index, const qrun_tensor& t, InputDtype forced) {
  const std::string label = Label(index, t);
  const size_t largest = std::max(t.bytes, FloatBytes(t));
  bool too_large = false;
  const std::vector<uint8_t> file = ReadFile(path, largest + kMaxNpyHeader, &too_large);
  if (IsNpy(file)) {
    if (too_large) {
      Fail("'" + path + "' is larger than any .npy file " + label + " (" + Describe(t) +
           ") can take");
    }
    LoadNpy(label, path, file, t, forced);
  } else {
    LoadRaw(label, path, file, too_large, t, forced);
  }
}

std::string MissingInputMessage(int index, const qrun_tensor& t) {
  return "missing " + Label(index, t) + ": give a file of " + ExpectedSizes(t) +
         ", or a .npy file, or use --zero-input";
}

}  // namespace qrun_cli


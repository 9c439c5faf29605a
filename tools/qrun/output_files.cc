#include "output_files.h"

#include <cctype>

#include "file_io.h"
#include "npy.h"
#include "tensor_util.h"

namespace qrun_cli {
namespace {

// Position of the extension's dot in the file name part, or npos. A leading
// dot (".hidden") is part of the name, not an extension.
size_t ExtensionDot(const std::string& path) {
  const size_t slash = path.rfind('/');
  const size_t name_start = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || dot <= name_start) return std::string::npos;
  return dot;
}

bool IsNpyPath(const std::string& path) {
  const size_t dot = ExtensionDot(path);
  if (dot == std::string::npos) return false;
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".npy";
}

}  // namespace

std::string OutputPath(const std::string& path, size_t index) {
  if (index == 0) return path;
  const std::string suffix = "_" + std::to_string(index);
  const size_t dot = ExtensionDot(path);
  if (dot == std::string::npos) return path + suffix;
  return path.substr(0, dot) + suffix + path.substr(dot);
}

void WriteOutputs(const std::string& path, const std::vector<qrun_tensor>& outputs,
                  const std::vector<std::vector<float>>& values, bool dequantize) {
  const bool npy = IsNpyPath(path);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const qrun_tensor& t = outputs[i];
    const std::string file = OutputPath(path, i);
    const qrun_dtype dtype = dequantize ? QRUN_DTYPE_FLOAT32 : t.dtype;
    const void* data = dequantize ? static_cast<const void*>(values[i].data()) : t.data;
    const size_t bytes = dequantize ? values[i].size() * sizeof(float) : t.bytes;
    if (npy) {
      WriteNpy(file, dtype, Shape(t), data, bytes);
    } else {
      WriteFile(file, {{data, bytes}});
    }
  }
}

}  // namespace qrun_cli

#include "dump.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cli_error.h"
#include "npy.h"
#include "quantize.h"

namespace qrun_cli {
namespace {

// Tensor names come from ONNX ("/features/features.0/Conv_output_0"): keep
// them readable but safe as one file name.
std::string FileSafe(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  while (!out.empty() && (out[0] == '_' || out[0] == '.')) out.erase(0, 1);
  if (out.size() > 120) out.resize(120);
  return out.empty() ? std::string("tensor") : out;
}

std::string Shape(const qrun_tensor& t) {
  std::string s;
  for (int i = 0; i < t.rank; ++i) s += (i ? "x" : "") + std::to_string(t.dims[i]);
  return s.empty() ? "scalar" : s;
}

void WriteTensor(const std::string& dir, const std::string& file, const qrun_tensor& t) {
  std::vector<float> values;
  if (t.dtype == QRUN_DTYPE_INT32) {
    const auto* p = static_cast<const int32_t*>(t.data);
    for (size_t i = 0; i < t.bytes / sizeof(int32_t); ++i) values.push_back(static_cast<float>(p[i]));
  } else {
    values = Dequantize(t, t.data);
  }
  std::vector<int64_t> shape(t.dims, t.dims + t.rank);
  WriteNpy(dir + "/" + file, QRUN_DTYPE_FLOAT32, shape, values.data(), values.size() * sizeof(float));
}

}  // namespace

void WriteDump(const std::string& dir, const qrun_interpreter* it) {
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    Fail("cannot create dump directory '" + dir + "': " + std::strerror(errno));
  }
  std::string index =
      "op\ttype\tnode\ttensor\tdtype\tshape\tscale\tzero_point\tfile\n";
  auto row = [&](const std::string& op, const std::string& type, const std::string& node,
                 const qrun_tensor& t, const std::string& file) {
    char quant[64] = "\t";
    if (t.dtype == QRUN_DTYPE_INT8 || t.dtype == QRUN_DTYPE_UINT8) {
      std::snprintf(quant, sizeof(quant), "%.9g\t%d", static_cast<double>(t.scale), t.zero_point);
    }
    index += op + "\t" + type + "\t" + node + "\t" + t.name + "\t" + qrun_dtype_name(t.dtype) + "\t" +
             Shape(t) + "\t" + quant + "\t" + file + "\n";
  };
  for (int i = 0; i < qrun_interpreter_input_count(it); ++i) {
    qrun_tensor t;
    if (qrun_interpreter_input(it, i, &t) != QRUN_OK) Fail(qrun_last_error());
    const std::string file = "input_" + FileSafe(t.name) + ".npy";
    WriteTensor(dir, file, t);
    row("-", "INPUT", "", t, file);
  }
  for (int op = 0; op < qrun_interpreter_op_count(it); ++op) {
    qrun_op_profile p;
    if (qrun_interpreter_op_profile(it, op, &p) != QRUN_OK) Fail(qrun_last_error());
    for (int k = 0; k < qrun_interpreter_op_output_count(it, op); ++k) {
      qrun_tensor t;
      if (qrun_interpreter_op_output(it, op, k, &t) != QRUN_OK) Fail(qrun_last_error());
      char prefix[16];
      std::snprintf(prefix, sizeof(prefix), "%03d_", op);
      const std::string file = prefix + FileSafe(t.name) + ".npy";
      WriteTensor(dir, file, t);
      row(std::to_string(op), p.type, p.name, t, file);
    }
  }
  const std::string path = dir + "/index.tsv";
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) Fail("cannot write '" + path + "': " + std::strerror(errno));
  const bool ok = std::fwrite(index.data(), 1, index.size(), f) == index.size();
  if (std::fclose(f) != 0 || !ok) Fail("cannot write '" + path + "'");
}

}  // namespace qrun_cli

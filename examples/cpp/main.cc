// Minimal qrun embedding in C++ (qrun/qrun.hpp): load a model, fill its
// input from a raw file, invoke, print the top-1 class of the first output.
//
//   qrun_example_cpp examples/tiny_lines.qfb examples/vertical_line.bin
//   -> top-1: class 1 (vertical) score 0.894992
#include <qrun/qrun.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

float Score(const qrun_tensor& t, size_t i) {
  switch (t.dtype) {
    case QRUN_DTYPE_FLOAT32: return static_cast<const float*>(t.data)[i];
    case QRUN_DTYPE_INT8: return t.scale * static_cast<float>(static_cast<const int8_t*>(t.data)[i] - t.zero_point);
    case QRUN_DTYPE_UINT8: return t.scale * static_cast<float>(static_cast<const uint8_t*>(t.data)[i] - t.zero_point);
    case QRUN_DTYPE_INT32: return static_cast<float>(static_cast<const int32_t*>(t.data)[i]);
  }
  return 0.0f;
}

std::vector<std::string> Split(const char* s) {
  std::vector<std::string> out;
  if (s == nullptr) return out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " MODEL.qfb INPUT.bin\n";
    return 2;
  }
  try {
    qrun::Model model = qrun::Model::FromFile(argv[1]);
    qrun::Interpreter interpreter(model);  // default options

    qrun_tensor input = interpreter.input(0);
    std::ifstream file(argv[2], std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file && !file.eof()) throw std::runtime_error(std::string("cannot read ") + argv[2]);
    if (bytes.size() != input.bytes) {
      throw std::runtime_error(std::string(argv[2]) + " has " + std::to_string(bytes.size()) +
                               " bytes, input '" + input.name + "' needs " + std::to_string(input.bytes));
    }
    std::memcpy(input.data, bytes.data(), input.bytes);

    interpreter.invoke();

    const qrun_tensor output = interpreter.output(0);
    const size_t element = (output.dtype == QRUN_DTYPE_FLOAT32 || output.dtype == QRUN_DTYPE_INT32) ? 4 : 1;
    const size_t n = output.bytes / element;
    size_t best = 0;
    for (size_t i = 1; i < n; ++i) {
      if (Score(output, i) > Score(output, best)) best = i;
    }
    const std::vector<std::string> labels = Split(qrun_model_metadata(model.get(), "labels"));
    std::cout << "qrun " << qrun_version() << "\n"
              << "output '" << output.name << "': " << n << " values, arena "
              << qrun_interpreter_arena_bytes(interpreter.get()) << " bytes\n"
              << "top-1: class " << best;
    if (best < labels.size()) std::cout << " (" << labels[best] << ")";
    std::cout << " score " << Score(output, best) << "\n";
  } catch (const qrun::Error& e) {
    std::cerr << "error: " << qrun_status_string(e.status()) << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// The C++ wrapper (qrun/qrun.hpp) on the bundled example. This file includes
// only the public headers: it is what an embedding app sees. It is linked
// into the same binary as the library internals (which have their own
// qrun::Model / qrun::Interpreter), so it also proves the wrapper's symbols
// never collide with them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "qrun/qrun.hpp"

namespace {

std::string SourceDir() {
  const char* dir = std::getenv("QRUN_SOURCE_DIR");
  return dir ? dir : ".";
}

std::vector<char> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

int Top1(const qrun_tensor& out) {
  const auto* p = static_cast<const float*>(out.data);
  int best = 0;
  for (int i = 1; i < static_cast<int>(out.bytes / sizeof(float)); ++i) {
    if (p[i] > p[best]) best = i;
  }
  return best;
}

TEST(CppApi, RunsTheExampleModel) {
  const std::string model_path = SourceDir() + "/examples/tiny_lines.qfb";
  std::vector<char> input = ReadFile(SourceDir() + "/examples/vertical_line.bin");
  qrun::Interpreter* raw = nullptr;
  {
    qrun::Model model = qrun::Model::FromFile(model_path);
    EXPECT_EQ(model.size_bytes(), ReadFile(model_path).size());
    ASSERT_NE(model.metadata("labels"), nullptr);
    EXPECT_EQ(std::string(model.metadata("labels")).rfind("horizontal,vertical", 0), 0u);
    EXPECT_EQ(model.metadata("missing"), nullptr);
    raw = new qrun::Interpreter(model);
  }  // the interpreter keeps the model alive
  qrun::Interpreter& it = *raw;
  EXPECT_EQ(it.input_count(), 1);
  EXPECT_EQ(it.output_count(), 1);
  qrun_tensor in = it.input(0);
  ASSERT_EQ(in.bytes, input.size());
  std::memcpy(in.data, input.data(), in.bytes);
  it.invoke();
  EXPECT_EQ(Top1(it.output(0)), 1);  // vertical
  EXPECT_GT(it.arena_bytes(), 0u);
  EXPECT_EQ(it.op_count(), 7);
  EXPECT_STREQ(it.op_profile(0).type, "QUANTIZE");
  delete raw;
}

TEST(CppApi, ErrorsAreExceptionsWithStatus) {
  try {
    qrun::Model::FromFile("/nonexistent/model.qfb");
    FAIL() << "no exception";
  } catch (const qrun::Error& e) {
    EXPECT_EQ(e.status(), QRUN_ERROR_IO);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.qfb"), std::string::npos);
  }
  qrun::Model model = qrun::Model::FromFile(SourceDir() + "/examples/tiny_lines.qfb");
  qrun_options o = qrun_options_default();
  o.num_threads = 1000;
  EXPECT_THROW(qrun::Interpreter(model, o), qrun::Error);
  qrun::Interpreter it(model);
  EXPECT_THROW(it.input(3), qrun::Error);
  EXPECT_THROW(it.op_profile(-1), qrun::Error);
}

TEST(CppApi, VersionMacrosMatchTheLibrary) {
  EXPECT_STREQ(qrun_version(), QRUN_VERSION_STRING);
  EXPECT_EQ(QRUN_VERSION_NUMBER,
            QRUN_VERSION_MAJOR * 10000 + QRUN_VERSION_MINOR * 100 + QRUN_VERSION_PATCH);
#ifdef QRUN_PROJECT_VERSION
  EXPECT_STREQ(QRUN_VERSION_STRING, QRUN_PROJECT_VERSION);
#endif
}

}  // namespace

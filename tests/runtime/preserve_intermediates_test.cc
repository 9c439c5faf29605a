// preserve_intermediates and qrun_interpreter_op_output (what qrun --dump
// uses), through the public C++ wrapper on the bundled example model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "qrun/qrun.hpp"

namespace {

std::string ExampleDir() {
  const char* dir = std::getenv("QRUN_SOURCE_DIR");
  return std::string(dir ? dir : ".") + "/examples";
}

std::vector<char> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

int FindOp(const qrun::api::Interpreter& it, const char* type) {
  for (int i = 0; i < it.op_count(); ++i) {
    if (std::strcmp(it.op_profile(i).type, type) == 0) return i;
  }
  return -1;
}

void Fill(const qrun::api::Interpreter& it, const std::vector<char>& bytes) {
  const qrun_tensor in = it.input(0);
  ASSERT_EQ(in.bytes, bytes.size());
  std::memcpy(in.data, bytes.data(), bytes.size());
}

TEST(PreserveIntermediates, IntermediatesNeedTheOption) {
  const qrun::api::Model model = qrun::api::Model::FromFile(ExampleDir() + "/tiny_lines.qfb");
  qrun::api::Interpreter it(model);
  Fill(it, ReadFile(ExampleDir() + "/vertical_line.bin"));
  it.invoke();
  const int conv = FindOp(it, "CONV_2D");
  ASSERT_GE(conv, 0);
  ASSERT_EQ(it.op_output_count(conv), 1);
  qrun_tensor t;
  EXPECT_EQ(qrun_interpreter_op_output(it.get(), conv, 0, &t), QRUN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qrun_last_error()).find("preserve_intermediates"), std::string::npos);
  // The last op's output is a graph output: always readable, same memory.
  const int last = it.op_count() - 1;
  EXPECT_EQ(it.op_output(last, 0).data, it.output(0).data);
  EXPECT_EQ(qrun_interpreter_op_output(it.get(), it.op_count(), 0, &t), QRUN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(qrun_interpreter_op_output(it.get(), conv, 1, &t), QRUN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(qrun_interpreter_op_output_count(it.get(), -1), 0);
  EXPECT_EQ(qrun_interpreter_op_output_count(nullptr, 0), 0);
}

// Every intermediate keeps its own value: the max-pool output read after the
// whole run equals a 2x2 max pool of the conv output read after the run, and
// the graph output equals a run without the option.
TEST(PreserveIntermediates, EveryOpOutputSurvivesTheRun) {
  const qrun::api::Model model = qrun::api::Model::FromFile(ExampleDir() + "/tiny_lines.qfb");
  const std::vector<char> input = ReadFile(ExampleDir() + "/diagonal_line.bin");
  qrun::api::Interpreter plain(model);
  Fill(plain, input);
  plain.invoke();

  qrun_options options = qrun_options_default();
  options.preserve_intermediates = 1;
  qrun::api::Interpreter it(model, options);
  EXPECT_GE(it.arena_bytes(), plain.arena_bytes());
  Fill(it, input);
  it.invoke();
  ASSERT_EQ(it.output(0).bytes, plain.output(0).bytes);
  EXPECT_EQ(std::memcmp(it.output(0).data, plain.output(0).data, it.output(0).bytes), 0);

  const int conv = FindOp(it, "CONV_2D"), pool = FindOp(it, "MAX_POOL_2D");
  ASSERT_GE(conv, 0);
  ASSERT_GE(pool, 0);
  const qrun_tensor c = it.op_output(conv, 0), p = it.op_output(pool, 0);
  ASSERT_EQ(c.dtype, QRUN_DTYPE_INT8);
  ASSERT_EQ(c.rank, 4);
  ASSERT_EQ(p.dims[1] * 2, c.dims[1]);
  ASSERT_EQ(p.dims[2] * 2, c.dims[2]);
  const auto* cv = static_cast<const int8_t*>(c.data);
  const auto* pv = static_cast<const int8_t*>(p.data);
  const int64_t h = c.dims[1], w = c.dims[2], ch = c.dims[3];
  int nonzero = 0;
  for (int64_t y = 0; y < h / 2; ++y) {
    for (int64_t x = 0; x < w / 2; ++x) {
      for (int64_t k = 0; k < ch; ++k) {
        int8_t m = -128;
        for (int dy = 0; dy < 2; ++dy) {
          for (int dx = 0; dx < 2; ++dx) m = std::max(m, cv[((2 * y + dy) * w + 2 * x + dx) * ch + k]);
        }
        EXPECT_EQ(pv[(y * (w / 2) + x) * ch + k], m) << "at " << y << "," << x << "," << k;
        nonzero += m != c.zero_point;
      }
    }
  }
  EXPECT_GT(nonzero, 0);  // the diagonal line lights some channels up
}

}  // namespace

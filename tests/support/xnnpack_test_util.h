// Helpers for the XNNPACK backend tests: run a one-op model on the XNNPACK
// and reference backends and compare (int8 within 1 LSB, counting the
// elements that differ by one; float32 within a tolerance).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/builder/model_builder.h"
#include "runtime/interpreter.h"
#include "runtime/model.h"
#include "test_models.h"

namespace qrun::xnntest {

// With -DQRUN_WITH_XNNPACK=OFF every XNNPACK test skips.
#ifdef QRUN_WITH_XNNPACK
#define QRUN_SKIP_WITHOUT_XNNPACK() (void)0
#else
#define QRUN_SKIP_WITHOUT_XNNPACK() GTEST_SKIP() << "built without XNNPACK"
#endif

struct Loaded {
  std::unique_ptr<AlignedBytes> bytes;
  std::shared_ptr<const Model> model;
  Status status;
};

inline Loaded Load(const ModelBuilder& b) {
  Loaded r;
  r.bytes = std::make_unique<AlignedBytes>(b.Finish());
  r.status = Model::LoadBuffer(r.bytes->data(), r.bytes->size(), &r.model);
  return r;
}

struct Outcome {
  bool ok = false;
  std::vector<uint8_t> output;  // graph output 0
  std::string backend;          // op 0's
  std::string kernel;
  std::string reason;           // op 0's fallback reason
};

inline Outcome RunModel(const Loaded& r, int backend, const std::vector<std::vector<uint8_t>>& inputs,
                   int threads = 1) {
  Outcome o;
  InterpreterOptions options;
  options.backend = backend;
  options.num_threads = threads;
  std::unique_ptr<Interpreter> it;
  Status s = Interpreter::Create(r.model, options, &it);
  if (!s.ok()) {
    ADD_FAILURE() << "create: " << s.message();
    return o;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo& t = r.model->tensor(r.model->inputs()[i]);
    if (t.bytes != inputs[i].size()) {
      ADD_FAILURE() << "input " << i << ": " << inputs[i].size() << " bytes, need " << t.bytes;
      return o;
    }
    std::memcpy(it->input_data(static_cast<int>(i)), inputs[i].data(), t.bytes);
  }
  s = it->Invoke();
  if (!s.ok()) {
    ADD_FAILURE() << "invoke: " << s.message();
    return o;
  }
  const TensorInfo& out = r.model->tensor(r.model->outputs()[0]);
  const auto* p = static_cast<const uint8_t*>(it->output_data(0));
  o.output.assign(p, p + out.bytes);
  o.backend = it->op_backend(0);
  o.kernel = it->kernel_name(0);
  o.reason = it->fallback_reason(0);
  o.ok = true;
  return o;
}

template <typename V>
std::vector<uint8_t> Bytes(const std::vector<V>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(V));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// Per-label tallies, printed by PrintStats().
struct Tally {
  long cases = 0, xnn_cases = 0, fallback_cases = 0;
  long elements = 0, off_by_one = 0, worse = 0;
  double max_float_error = 0;  // relative to the output's largest magnitude
  std::map<std::string, int> fallback_reasons;
};

inline std::map<std::string, Tally>& Stats() {
  static std::map<std::string, Tally> stats;
  return stats;
}

inline void PrintStats(const std::string& prefix) {
  for (const auto& [label, t] : Stats()) {
    if (label.rfind(prefix, 0) != 0) continue;
    std::printf("[xnnpack vs reference] %-28s cases %4ld (xnnpack %4ld, fallback %3ld)  elements %8ld  "
                "differ by 1: %6ld  by more: %ld  max float rel err %.2g\n",
                label.c_str(), t.cases, t.xnn_cases, t.fallback_cases, t.elements, t.off_by_one,
                t.worse, t.max_float_error);
    for (const auto& [reason, n] : t.fallback_reasons) std::printf("    fallback x%d: %s\n", n, reason.c_str());
  }
}

// Runs `b` on both backends and compares output 0. `expect_xnnpack`: 1 the
// op must run on XNNPACK, 0 it must fall back, -1 either. Int8 outputs must
// agree within 1 LSB (counted), float32 within float_tol relative to the
// largest reference magnitude. Returns true if it ran on XNNPACK.
inline bool CompareBackends(const std::string& label, const ModelBuilder& b,
                            const std::vector<std::vector<uint8_t>>& inputs, int expect_xnnpack,
                            float float_tol = 1e-5f, int threads = 1) {
  Loaded r = Load(b);
  if (!r.status.ok()) {
    ADD_FAILURE() << label << ": load: " << r.status.message();
    return false;
  }
  Outcome ref = RunModel(r, QRUN_BACKEND_REFERENCE, inputs);
  Outcome xnn = RunModel(r, QRUN_BACKEND_XNNPACK, inputs, threads);
  if (!ref.ok || !xnn.ok) return false;
  Tally& t = Stats()[label];
  ++t.cases;
  const bool on_xnn = xnn.backend == "xnnpack";
  (on_xnn ? t.xnn_cases : t.fallback_cases)++;
  if (!on_xnn) {
    // Without the op label and numbers, so that equal reasons group.
    std::string reason = xnn.reason.substr(std::min(xnn.reason.size(), xnn.reason.find("): ") + 3));
    std::string cut;
    for (char ch : reason) {
      if ((ch >= '0' && ch <= '9') || ch == '-' || ch == '.') {
        if (cut.empty() || cut.back() != '#') cut += '#';
      } else {
        cut += ch;
      }
    }
    t.fallback_reasons[cut]++;
  }
  // A fused clamp that leaves a single value is a documented fallback.
  const bool degenerate = xnn.reason.find("single value") != std::string::npos;
  if (expect_xnnpack == 1 && !degenerate) {
    EXPECT_TRUE(on_xnn) << label << ": fell back: " << xnn.reason;
  } else if (expect_xnnpack == 0) {
    EXPECT_FALSE(on_xnn) << label << ": expected a native fallback, ran " << xnn.kernel;
    EXPECT_FALSE(xnn.reason.empty());
  }
  if (on_xnn) {
    EXPECT_EQ(xnn.kernel.rfind("xnn:", 0), 0u) << xnn.kernel;
  } else {
    EXPECT_EQ(xnn.backend, "native");
  }
  const TensorInfo& out = r.model->tensor(r.model->outputs()[0]);
  EXPECT_EQ(xnn.output.size(), ref.output.size());
  if (xnn.output.size() != ref.output.size()) return on_xnn;
  if (out.dtype == DType::kFloat32) {
    const size_t n = ref.output.size() / 4;
    std::vector<float> a(n), e(n);
    std::memcpy(a.data(), xnn.output.data(), n * 4);
    std::memcpy(e.data(), ref.output.data(), n * 4);
    float scale = 1.0f;
    for (float v : e) scale = std::max(scale, std::fabs(v));
    double worst = 0;
    size_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
      const double err = std::fabs(static_cast<double>(a[i]) - e[i]) / scale;
      worst = std::max(worst, err);
      if (!(err <= float_tol)) ++bad;
    }
    t.elements += static_cast<long>(n);
    t.max_float_error = std::max(t.max_float_error, worst);
    EXPECT_EQ(bad, 0u) << label << ": " << bad << " of " << n << " floats off by more than "
                       << float_tol << " (worst " << worst << ") kernel " << xnn.kernel;
    return on_xnn;
  }
  long one = 0, more = 0;
  int worst = 0;
  for (size_t i = 0; i < ref.output.size(); ++i) {
    const int d = std::abs(static_cast<int>(static_cast<int8_t>(xnn.output[i])) -
                           static_cast<int>(static_cast<int8_t>(ref.output[i])));
    if (d == 1) ++one;
    if (d > 1) ++more;
    worst = std::max(worst, d);
  }
  t.elements += static_cast<long>(ref.output.size());
  t.off_by_one += one;
  t.worse += more;
  EXPECT_EQ(more, 0) << label << ": " << more << " of " << ref.output.size()
                     << " elements differ by more than 1 LSB (worst " << worst << ") kernel "
                     << xnn.kernel;
  return on_xnn;
}

// A small mixed model touching most XNNPACK families and a native fallback:
// int8 [1,8,8,4] -> CONV_2D 3x3 (per-channel) -> MAX_POOL_2D 2x2/2 -> ADD
// (with itself) -> GLOBAL_AVERAGE_POOL -> FULLY_CONNECTED (per-tensor) ->
// DEQUANTIZE -> SOFTMAX (float32, beta 0.5: XNNPACK has only beta 1, so native).
inline ModelBuilder MixedNet() {
  ModelBuilder b("qrun xnnpack tests");
  auto q = [](float s, int64_t zp) { return QuantParams::PerTensor(s, zp); };
  int x = b.AddTensor("x", fb::DType::INT8, {1, 8, 8, 4}, q(0.05f, -3));
  std::vector<int8_t> w1(8 * 3 * 3 * 4), w2(5 * 8);
  for (size_t i = 0; i < w1.size(); ++i) w1[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  for (size_t i = 0; i < w2.size(); ++i) w2[i] = static_cast<int8_t>(static_cast<int>(i * 53 % 255) - 127);
  std::vector<float> s1(8);
  for (size_t i = 0; i < s1.size(); ++i) s1[i] = 0.002f * static_cast<float>(i + 1);
  int cw = b.AddConstant("conv_w", fb::DType::INT8, {8, 3, 3, 4}, w1, QuantParams::PerChannel(s1, 0));
  int cb = b.AddConstant("conv_b", fb::DType::INT32, {8}, std::vector<int32_t>{1, -2, 3, -4, 5, -6, 7, -8});
  int c = b.AddTensor("conv_out", fb::DType::INT8, {1, 8, 8, 8}, q(0.1f, 5));
  int p = b.AddTensor("pool_out", fb::DType::INT8, {1, 4, 4, 8}, q(0.1f, 5));
  int a = b.AddTensor("add_out", fb::DType::INT8, {1, 4, 4, 8}, q(0.2f, 0));
  int g = b.AddTensor("gap_out", fb::DType::INT8, {1, 8}, q(0.1f, -1));
  int fw = b.AddConstant("fc_w", fb::DType::INT8, {5, 8}, w2, QuantParams::PerChannel({0.004f}, 0));
  int f = b.AddTensor("fc_out", fb::DType::INT8, {1, 5}, q(0.3f, 2));
  int d = b.AddTensor("logits", fb::DType::FLOAT32, {1, 5});
  int y = b.AddTensor("probs", fb::DType::FLOAT32, {1, 5});
  fb::Conv2DOptionsT conv;
  conv.pad_top = conv.pad_left = conv.pad_bottom = conv.pad_right = 1;
  conv.activation = std::make_unique<fb::FusedActivationT>();
  conv.activation->kind = fb::Activation::RELU;
  b.AddOp(fb::OpType::CONV_2D, {x, cw, cb}, {c}, std::move(conv), "conv");
  fb::Pool2DOptionsT pool;
  pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
  b.AddOp(fb::OpType::MAX_POOL_2D, {c}, {p}, std::move(pool), "pool");
  b.AddOp(fb::OpType::ADD, {p, p}, {a}, fb::BinaryOptionsT(), "add");
  b.AddOp(fb::OpType::GLOBAL_AVERAGE_POOL, {a}, {g}, "gap");
  b.AddOp(fb::OpType::FULLY_CONNECTED, {g, fw}, {f}, fb::FullyConnectedOptionsT(), "fc");
  b.AddOp(fb::OpType::DEQUANTIZE, {f}, {d}, "dequantize");
  fb::SoftmaxOptionsT softmax;
  softmax.beta = 0.5f;
  b.AddOp(fb::OpType::SOFTMAX, {d}, {y}, std::move(softmax), "softmax");
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

}  // namespace qrun::xnntest

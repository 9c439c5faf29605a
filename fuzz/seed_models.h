// Small valid .qfb models covering every op type (int8 and float32 variants)
// plus a multi-op graph: the fuzzer's seed corpus (fuzz/make_seed_corpus.cc)
// and the seeds of the deterministic byte-mutation test
// (tests/runtime/model_mutation_test.cc). Header-only so that both can use
// it without another library.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/builder/model_builder.h"

namespace qrun {
namespace seeds {

struct SeedModel {
  std::string name;
  std::vector<uint8_t> bytes;
};

namespace detail {

using T = fb::DType;

inline QuantParams Q(float scale, int64_t zero_point) {
  return QuantParams::PerTensor(scale, zero_point);
}

// Deterministic pseudo-random values (no <random>: identical everywhere).
class Lcg {
 public:
  explicit Lcg(uint32_t seed) : state_(seed) {}
  uint32_t Next() {
    state_ = state_ * 1664525u + 1013904223u;
    return state_ >> 8;
  }
  std::vector<int8_t> Int8s(size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(static_cast<int>(Next() % 255) - 127);
    return v;
  }
  std::vector<int32_t> Int32s(size_t n, int32_t lo, int32_t hi) {
    std::vector<int32_t> v(n);
    for (auto& x : v) x = lo + static_cast<int32_t>(Next() % static_cast<uint32_t>(hi - lo + 1));
    return v;
  }
  std::vector<float> Floats(size_t n, float lo, float hi) {
    std::vector<float> v(n);
    for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(Next() % 10000) / 10000.0f;
    return v;
  }

 private:
  uint32_t state_;
};

inline std::unique_ptr<fb::FusedActivationT> Act(fb::Activation kind) {
  auto a = std::make_unique<fb::FusedActivationT>();
  a->kind = kind;
  return a;
}

inline ModelBuilder OneOp() { return ModelBuilder("qrun seed corpus"); }

inline void Io(ModelBuilder& b, std::vector<int> in, std::vector<int> out) {
  b.SetInputs(std::move(in));
  b.SetOutputs(std::move(out));
}

// int8 conv [1,5,5,4] -> [1,5,5,out_c], 3x3 pad 1, per-channel weights.
inline ModelBuilder ConvS8(int groups, int out_c, fb::Activation act) {
  ModelBuilder b = OneOp();
  Lcg rng(static_cast<uint32_t>(groups * 31 + out_c));
  const int in_per_group = 4 / groups;
  int x = b.AddTensor("x", T::INT8, {1, 5, 5, 4}, Q(0.04f, -6));
  int w = b.AddConstant("w", T::INT8, {out_c, 3, 3, in_per_group},
                        rng.Int8s(static_cast<size_t>(out_c * 9 * in_per_group)),
                        QuantParams::PerChannel(rng.Floats(static_cast<size_t>(out_c), 0.005f, 0.02f), 0));
  int bias = b.AddConstant("b", T::INT32, {out_c}, rng.Int32s(static_cast<size_t>(out_c), -500, 500));
  int y = b.AddTensor("y", T::INT8, {1, 5, 5, out_c}, Q(0.1f, 4));
  fb::Conv2DOptionsT o;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  o.groups = groups;
  o.activation = Act(act);
  b.AddOp(fb::OpType::CONV_2D, {x, w, bias}, {y}, std::move(o), "conv");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder ConvF32() {
  ModelBuilder b = OneOp();
  Lcg rng(7);
  int x = b.AddTensor("x", T::FLOAT32, {1, 6, 6, 2});
  int w = b.AddConstant("w", T::FLOAT32, {3, 2, 2, 2}, rng.Floats(24, -1, 1));
  int y = b.AddTensor("y", T::FLOAT32, {1, 3, 3, 3});
  fb::Conv2DOptionsT o;
  o.stride_h = o.stride_w = 2;
  o.activation = Act(fb::Activation::RELU6);
  b.AddOp(fb::OpType::CONV_2D, {x, w, -1}, {y}, std::move(o), "conv_f32");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder FullyConnected(bool int8) {
  ModelBuilder b = OneOp();
  Lcg rng(11);
  if (int8) {
    int x = b.AddTensor("x", T::INT8, {2, 6}, Q(0.05f, 3));
    int w = b.AddConstant("w", T::INT8, {4, 6}, rng.Int8s(24),
                          QuantParams::PerChannel({0.01f, 0.02f, 0.015f, 0.03f}, 0));
    int bias = b.AddConstant("b", T::INT32, {4}, rng.Int32s(4, -300, 300));
    int y = b.AddTensor("y", T::INT8, {2, 4}, Q(0.2f, -1));
    fb::FullyConnectedOptionsT o;
    o.activation = Act(fb::Activation::RELU);
    b.AddOp(fb::OpType::FULLY_CONNECTED, {x, w, bias}, {y}, std::move(o), "fc");
    Io(b, {x}, {y});
  } else {
    int x = b.AddTensor("x", T::FLOAT32, {1, 2, 3});
    int w = b.AddConstant("w", T::FLOAT32, {5, 3}, rng.Floats(15, -1, 1));
    int bias = b.AddConstant("b", T::FLOAT32, {5}, rng.Floats(5, -1, 1));
    int y = b.AddTensor("y", T::FLOAT32, {1, 2, 5});
    b.AddOp(fb::OpType::FULLY_CONNECTED, {x, w, bias}, {y}, fb::FullyConnectedOptionsT(), "fc_f32");
    Io(b, {x}, {y});
  }
  return b;
}

inline ModelBuilder Pool(fb::OpType type, bool int8) {
  ModelBuilder b = OneOp();
  const QuantParams q = Q(0.1f, -2);
  int x = int8 ? b.AddTensor("x", T::INT8, {1, 5, 5, 2}, q) : b.AddTensor("x", T::FLOAT32, {1, 5, 5, 2});
  int y = int8 ? b.AddTensor("y", T::INT8, {1, 3, 3, 2}, type == fb::OpType::MAX_POOL_2D ? q : Q(0.08f, 1))
               : b.AddTensor("y", T::FLOAT32, {1, 3, 3, 2});
  fb::Pool2DOptionsT o;
  o.kernel_h = o.kernel_w = 3;
  o.stride_h = o.stride_w = 2;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  o.count_include_pad = !int8;
  b.AddOp(type, {x}, {y}, std::move(o), "pool");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder GlobalAveragePool(bool int8) {
  ModelBuilder b = OneOp();
  int x = int8 ? b.AddTensor("x", T::INT8, {1, 4, 3, 5}, Q(0.1f, 7)) : b.AddTensor("x", T::FLOAT32, {1, 4, 3, 5});
  int y = int8 ? b.AddTensor("y", T::INT8, {1, 5}, Q(0.05f, -4)) : b.AddTensor("y", T::FLOAT32, {1, 1, 1, 5});
  b.AddOp(fb::OpType::GLOBAL_AVERAGE_POOL, {x}, {y}, "gap");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder Binary(fb::OpType type, bool int8, bool constant_b) {
  ModelBuilder b = OneOp();
  int x = int8 ? b.AddTensor("a", T::INT8, {2, 1, 3}, Q(0.1f, 2)) : b.AddTensor("a", T::FLOAT32, {2, 1, 3});
  int y;
  if (constant_b) {
    y = int8 ? b.AddConstant("b", T::INT8, {4, 1}, Lcg(3).Int8s(4), Q(0.05f, -3))
             : b.AddConstant("b", T::FLOAT32, {4, 1}, Lcg(3).Floats(4, -2, 2));
  } else {
    y = int8 ? b.AddTensor("b", T::INT8, {4, 1}, Q(0.05f, -3)) : b.AddTensor("b", T::FLOAT32, {4, 1});
  }
  int z = int8 ? b.AddTensor("z", T::INT8, {2, 4, 3}, Q(0.12f, 0)) : b.AddTensor("z", T::FLOAT32, {2, 4, 3});
  fb::BinaryOptionsT o;
  o.activation = Act(int8 ? fb::Activation::RELU : fb::Activation::NONE);
  b.AddOp(type, {x, y}, {z}, std::move(o), "binary");
  Io(b, constant_b ? std::vector<int>{x} : std::vector<int>{x, y}, {z});
  return b;
}

inline ModelBuilder Concat(bool int8) {
  ModelBuilder b = OneOp();
  int x0 = int8 ? b.AddTensor("x0", T::INT8, {2, 3, 2}, Q(0.1f, 0)) : b.AddTensor("x0", T::FLOAT32, {2, 3, 2});
  int x1 = int8 ? b.AddTensor("x1", T::INT8, {2, 1, 2}, Q(0.2f, 5)) : b.AddTensor("x1", T::FLOAT32, {2, 1, 2});
  int y = int8 ? b.AddTensor("y", T::INT8, {2, 4, 2}, Q(0.1f, 0)) : b.AddTensor("y", T::FLOAT32, {2, 4, 2});
  fb::ConcatOptionsT o;
  o.axis = 1;
  b.AddOp(fb::OpType::CONCAT, {x0, x1}, {y}, std::move(o), "concat");
  Io(b, {x0, x1}, {y});
  return b;
}

inline ModelBuilder Reshape(bool int8) {
  ModelBuilder b = OneOp();
  int x = int8 ? b.AddTensor("x", T::INT8, {2, 3, 4}, Q(0.1f, 1)) : b.AddTensor("x", T::FLOAT32, {2, 3, 4});
  int y = int8 ? b.AddTensor("y", T::INT8, {6, 4}, Q(0.1f, 1)) : b.AddTensor("y", T::FLOAT32, {6, 4});
  b.AddOp(fb::OpType::RESHAPE, {x}, {y}, fb::ReshapeOptionsT(), "reshape");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder Pad(bool int8) {
  ModelBuilder b = OneOp();
  int x = int8 ? b.AddTensor("x", T::INT8, {1, 2, 3, 1}, Q(0.1f, -5)) : b.AddTensor("x", T::FLOAT32, {1, 2, 3, 1});
  int y = int8 ? b.AddTensor("y", T::INT8, {1, 4, 6, 1}, Q(0.1f, -5)) : b.AddTensor("y", T::FLOAT32, {1, 4, 6, 1});
  fb::PadOptionsT o;
  o.pads = {0, 1, 1, 0, 0, 1, 2, 0};
  o.value = 0.5f;
  b.AddOp(fb::OpType::PAD, {x}, {y}, std::move(o), "pad");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder Unary(bool int8, fb::UnaryKind kind) {
  ModelBuilder b = OneOp();
  int x = int8 ? b.AddTensor("x", T::INT8, {3, 7}, Q(0.05f, 10)) : b.AddTensor("x", T::FLOAT32, {3, 7});
  int y = int8 ? b.AddTensor("y", T::INT8, {3, 7}, Q(0.02f, -20)) : b.AddTensor("y", T::FLOAT32, {3, 7});
  fb::UnaryOptionsT o;
  o.kind = kind;
  o.min = -1.0f;
  o.max = 2.0f;
  b.AddOp(fb::OpType::UNARY, {x}, {y}, std::move(o), "unary");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder Softmax(bool int8) {
  ModelBuilder b = OneOp();
  int x = int8 ? b.AddTensor("x", T::INT8, {2, 10}, Q(0.1f, 3)) : b.AddTensor("x", T::FLOAT32, {2, 10});
  int y = int8 ? b.AddTensor("y", T::INT8, {2, 10}, Q(1.0f / 256, -128)) : b.AddTensor("y", T::FLOAT32, {2, 10});
  fb::SoftmaxOptionsT o;
  o.beta = 1.5f;
  b.AddOp(fb::OpType::SOFTMAX, {x}, {y}, std::move(o), "softmax");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder QuantizeDequantize(bool quantize) {
  ModelBuilder b = OneOp();
  int x = quantize ? b.AddTensor("x", T::FLOAT32, {4, 5}) : b.AddTensor("x", T::INT8, {4, 5}, Q(0.03f, 9));
  int y = quantize ? b.AddTensor("y", T::INT8, {4, 5}, Q(0.03f, 9)) : b.AddTensor("y", T::FLOAT32, {4, 5});
  b.AddOp(quantize ? fb::OpType::QUANTIZE : fb::OpType::DEQUANTIZE, {x}, {y}, quantize ? "quantize" : "dequantize");
  Io(b, {x}, {y});
  return b;
}

inline ModelBuilder Transpose(bool int8) {
  ModelBuilder b = OneOp();
  int x = int8 ? b.AddTensor("x", T::INT8, {2, 3, 4}, Q(0.1f, 0)) : b.AddTensor("x", T::FLOAT32, {2, 3, 4});
  int y = int8 ? b.AddTensor("y", T::INT8, {4, 2, 3}, Q(0.1f, 0)) : b.AddTensor("y", T::FLOAT32, {4, 2, 3});
  fb::TransposeOptionsT o;
  o.perm = {2, 0, 1};
  b.AddOp(fb::OpType::TRANSPOSE, {x}, {y}, std::move(o), "transpose");
  Io(b, {x}, {y});
  return b;
}

// A small residual network: every activation is used by a later op, one
// tensor by two ops, constants shared; exercises lifetimes and the planner.
inline ModelBuilder Graph() {
  ModelBuilder b("qrun seed corpus");
  Lcg rng(99);
  const QuantParams qa = Q(0.05f, -10);
  int x = b.AddTensor("image", T::FLOAT32, {1, 6, 6, 3});
  int xq = b.AddTensor("image_q", T::INT8, {1, 6, 6, 3}, qa);
  b.AddOp(fb::OpType::QUANTIZE, {x}, {xq}, "quantize");
  int w1 = b.AddConstant("w1", T::INT8, {4, 3, 3, 3}, rng.Int8s(108),
                         QuantParams::PerChannel(rng.Floats(4, 0.004f, 0.01f), 0));
  int b1 = b.AddConstant("b1", T::INT32, {4}, rng.Int32s(4, -100, 100));
  int c1 = b.AddTensor("c1", T::INT8, {1, 6, 6, 4}, Q(0.08f, -20));
  fb::Conv2DOptionsT co;
  co.pad_top = co.pad_left = co.pad_bottom = co.pad_right = 1;
  co.activation = Act(fb::Activation::RELU);
  b.AddOp(fb::OpType::CONV_2D, {xq, w1, b1}, {c1}, std::move(co), "conv1");
  int w2 = b.AddConstant("w2", T::INT8, {4, 3, 3, 1}, rng.Int8s(36),
                         QuantParams::PerChannel(rng.Floats(4, 0.01f, 0.03f), 0));
  int c2 = b.AddTensor("c2", T::INT8, {1, 6, 6, 4}, Q(0.08f, -20));
  fb::Conv2DOptionsT dw;
  dw.pad_top = dw.pad_left = dw.pad_bottom = dw.pad_right = 1;
  dw.groups = 4;
  b.AddOp(fb::OpType::CONV_2D, {c1, w2, -1}, {c2}, std::move(dw), "depthwise");
  int sum = b.AddTensor("sum", T::INT8, {1, 6, 6, 4}, Q(0.1f, -15));
  b.AddOp(fb::OpType::ADD, {c1, c2}, {sum}, fb::BinaryOptionsT(), "residual");
  int act = b.AddTensor("act", T::INT8, {1, 6, 6, 4}, Q(0.05f, -128));
  fb::UnaryOptionsT uo;
  uo.kind = fb::UnaryKind::HARD_SWISH;
  b.AddOp(fb::OpType::UNARY, {sum}, {act}, std::move(uo), "hswish");
  int pooled = b.AddTensor("pooled", T::INT8, {1, 3, 3, 4}, Q(0.05f, -128));
  fb::Pool2DOptionsT po;
  po.kernel_h = po.kernel_w = po.stride_h = po.stride_w = 2;
  b.AddOp(fb::OpType::MAX_POOL_2D, {act}, {pooled}, std::move(po), "maxpool");
  int cat = b.AddTensor("cat", T::INT8, {1, 3, 3, 8}, Q(0.05f, -128));
  fb::ConcatOptionsT cc;
  cc.axis = 3;
  b.AddOp(fb::OpType::CONCAT, {pooled, pooled}, {cat}, std::move(cc), "concat");
  int flat = b.AddTensor("flat", T::INT8, {1, 72}, Q(0.05f, -128));
  b.AddOp(fb::OpType::RESHAPE, {cat}, {flat}, fb::ReshapeOptionsT(), "flatten");
  int wf = b.AddConstant("wf", T::INT8, {3, 72}, rng.Int8s(216), QuantParams::PerTensor(0.01f, 0));
  int bf = b.AddConstant("bf", T::INT32, {3}, rng.Int32s(3, -1000, 1000));
  int logits = b.AddTensor("logits", T::INT8, {1, 3}, Q(0.2f, 0));
  b.AddOp(fb::OpType::FULLY_CONNECTED, {flat, wf, bf}, {logits}, fb::FullyConnectedOptionsT(), "fc");
  int lf = b.AddTensor("logits_f", T::FLOAT32, {1, 3});
  b.AddOp(fb::OpType::DEQUANTIZE, {logits}, {lf}, "dequantize");
  int probs = b.AddTensor("probs", T::FLOAT32, {1, 3});
  b.AddOp(fb::OpType::SOFTMAX, {lf}, {probs}, fb::SoftmaxOptionsT(), "softmax");
  b.AddMetadata("labels", "a,b,c");
  Io(b, {x}, {probs, c2});
  return b;
}

}  // namespace detail

// Every seed, each a complete valid model (the first op type of each is in
// its name). Deterministic: the same bytes on every run and platform.
inline std::vector<SeedModel> SeedModels() {
  using namespace detail;
  std::vector<std::pair<std::string, ModelBuilder>> models;
  models.emplace_back("conv_s8", ConvS8(1, 3, fb::Activation::RELU6));
  models.emplace_back("conv_s8_grouped", ConvS8(2, 4, fb::Activation::NONE));
  models.emplace_back("conv_s8_depthwise", ConvS8(4, 4, fb::Activation::RELU));
  models.emplace_back("conv_f32", ConvF32());
  models.emplace_back("fully_connected_s8", FullyConnected(true));
  models.emplace_back("fully_connected_f32", FullyConnected(false));
  models.emplace_back("max_pool_s8", Pool(fb::OpType::MAX_POOL_2D, true));
  models.emplace_back("average_pool_s8", Pool(fb::OpType::AVERAGE_POOL_2D, true));
  models.emplace_back("average_pool_f32", Pool(fb::OpType::AVERAGE_POOL_2D, false));
  models.emplace_back("global_average_pool_s8", GlobalAveragePool(true));
  models.emplace_back("global_average_pool_f32", GlobalAveragePool(false));
  models.emplace_back("add_s8", Binary(fb::OpType::ADD, true, false));
  models.emplace_back("add_f32_const", Binary(fb::OpType::ADD, false, true));
  models.emplace_back("mul_s8_const", Binary(fb::OpType::MUL, true, true));
  models.emplace_back("mul_f32", Binary(fb::OpType::MUL, false, false));
  models.emplace_back("concat_s8", Concat(true));
  models.emplace_back("concat_f32", Concat(false));
  models.emplace_back("reshape_s8", Reshape(true));
  models.emplace_back("reshape_f32", Reshape(false));
  models.emplace_back("pad_s8", Pad(true));
  models.emplace_back("pad_f32", Pad(false));
  const fb::UnaryKind kinds[] = {fb::UnaryKind::RELU,       fb::UnaryKind::RELU6,
                                 fb::UnaryKind::HARD_SWISH, fb::UnaryKind::HARD_SIGMOID,
                                 fb::UnaryKind::SIGMOID,    fb::UnaryKind::TANH,
                                 fb::UnaryKind::LEAKY_RELU, fb::UnaryKind::CLAMP};
  for (fb::UnaryKind k : kinds) {
    models.emplace_back(std::string("unary_s8_") + fb::EnumNameUnaryKind(k), Unary(true, k));
  }
  models.emplace_back("unary_f32_TANH", Unary(false, fb::UnaryKind::TANH));
  models.emplace_back("softmax_s8", Softmax(true));
  models.emplace_back("softmax_f32", Softmax(false));
  models.emplace_back("quantize", QuantizeDequantize(true));
  models.emplace_back("dequantize", QuantizeDequantize(false));
  models.emplace_back("transpose_s8", Transpose(true));
  models.emplace_back("transpose_f32", Transpose(false));
  models.emplace_back("graph", Graph());
  std::vector<SeedModel> out;
  for (auto& m : models) out.push_back({m.first, m.second.Finish()});
  return out;
}

}  // namespace seeds
}  // namespace qrun

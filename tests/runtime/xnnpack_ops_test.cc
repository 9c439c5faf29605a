// Per-op randomized comparison of the XNNPACK backend with the reference
// kernels: int8 results within 1 LSB (the count of elements that differ by
// one is printed per op), float32 within a small relative tolerance, and the
// op must run on XNNPACK where XNNPACK can express it (else it must fall back
// to the native kernel). Skipped when built without XNNPACK.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "xnnpack_test_util.h"

namespace qrun::xnntest {
namespace {

using qrun::testing::Rng;
using T = fb::DType;

QuantParams Q(float scale, int64_t zero_point) { return QuantParams::PerTensor(scale, zero_point); }

// Zero points over the whole int8 range, the extremes often.
int ZeroPoint(Rng& rng) {
  switch (rng.uniform_int(0, 5)) {
    case 0: return -128;
    case 1: return 127;
    default: return rng.uniform_int(-128, 127);
  }
}

std::unique_ptr<fb::FusedActivationT> RandomActivation(Rng& rng) {
  auto a = std::make_unique<fb::FusedActivationT>();
  switch (rng.uniform_int(0, 5)) {
    case 0: a->kind = fb::Activation::RELU; break;
    case 1: a->kind = fb::Activation::RELU6; break;
    case 2:
      a->kind = fb::Activation::CLAMP;
      a->clamp_min = rng.uniform_float(-3.0f, 0.0f);
      a->clamp_max = rng.uniform_float(0.5f, 3.0f);
      break;
    default: a->kind = fb::Activation::NONE;
  }
  return a;
}

int64_t OutSize(int64_t in, int64_t pb, int64_t pe, int64_t k, int64_t s, int64_t d) {
  const int64_t span = in + pb + pe - d * (k - 1) - 1;
  return span < 0 ? 0 : span / s + 1;
}

// The output scale that keeps a sum of k int8 products mostly in range.
float AccScale(Rng& rng, float in_scale, float w_scale, int k) {
  return in_scale * w_scale * 74.0f * 74.0f * std::sqrt(static_cast<float>(k)) / 40.0f *
         rng.scale(0.3f, 3.0f);
}

// ------------------------------------------------------------ CONV_2D

enum class ConvKind { kDense, kDepthwise, kGrouped };

void ConvCase(Rng& rng, ConvKind kind, bool float_model, bool per_channel, int threads) {
  ModelBuilder b;
  const int batch = rng.uniform_int(1, 2);
  const int h = rng.uniform_int(1, 12), w = rng.uniform_int(1, 12);
  int groups = 1, gin = rng.uniform_int(1, 24), gout = rng.uniform_int(1, 24);
  if (kind == ConvKind::kDepthwise) {
    groups = rng.uniform_int(1, 40);
    gin = 1;
    gout = rng.uniform_int(1, 2);
  } else if (kind == ConvKind::kGrouped) {
    groups = rng.uniform_int(2, 4);
    gin = rng.uniform_int(1, 8);
    gout = rng.uniform_int(1, 8);
  }
  const int in_c = groups * gin, out_c = groups * gout;
  const int kh = rng.uniform_int(1, 5), kw = rng.uniform_int(1, 5);
  const int sh = rng.uniform_int(1, 3), sw = rng.uniform_int(1, 3);
  const int dh = rng.uniform_int(0, 3) == 0 ? 2 : 1, dw = rng.uniform_int(0, 3) == 0 ? 2 : 1;
  fb::Conv2DOptionsT o;
  o.stride_h = sh;
  o.stride_w = sw;
  o.dilation_h = dh;
  o.dilation_w = dw;
  o.pad_top = rng.uniform_int(0, kh - 1);
  o.pad_bottom = rng.uniform_int(0, kh - 1);
  o.pad_left = rng.uniform_int(0, kw - 1);
  o.pad_right = rng.uniform_int(0, kw - 1);
  o.groups = groups;
  o.activation = RandomActivation(rng);
  const int64_t oh = OutSize(h, o.pad_top, o.pad_bottom, kh, sh, dh);
  const int64_t ow = OutSize(w, o.pad_left, o.pad_right, kw, sw, dw);
  if (oh < 1 || ow < 1) return;  // not a valid geometry; draw again next time
  const size_t wn = static_cast<size_t>(out_c * kh * kw * gin);
  const size_t xn = static_cast<size_t>(batch * h * w * in_c);
  std::string label = kind == ConvKind::kDense ? "conv2d" : kind == ConvKind::kDepthwise ? "conv2d depthwise" : "conv2d grouped";
  int x = 0, wt = 0, bt = 0, y = 0;
  std::vector<std::vector<uint8_t>> inputs;
  if (float_model) {
    label += " f32";
    x = b.AddTensor("x", T::FLOAT32, {batch, h, w, in_c});
    wt = b.AddConstant("w", T::FLOAT32, {out_c, kh, kw, gin}, rng.floats(wn, -1, 1));
    bt = b.AddConstant("b", T::FLOAT32, {out_c}, rng.floats(static_cast<size_t>(out_c), -1, 1));
    y = b.AddTensor("y", T::FLOAT32, {batch, static_cast<int>(oh), static_cast<int>(ow), out_c});
    inputs.push_back(Bytes(rng.floats(xn, -2, 2)));
  } else {
    label += per_channel ? " qc8" : " qs8";
    const float sx = rng.scale(1e-3f, 0.1f);
    std::vector<float> sw_scales(static_cast<size_t>(out_c));
    const float base = rng.scale(1e-3f, 0.05f);
    for (float& s : sw_scales) s = per_channel ? base * rng.scale(0.25f, 4.0f) : base;
    x = b.AddTensor("x", T::INT8, {batch, h, w, in_c}, Q(sx, ZeroPoint(rng)));
    wt = b.AddConstant("w", T::INT8, {out_c, kh, kw, gin}, rng.int8s(wn),
                       per_channel ? QuantParams::PerChannel(sw_scales, 0) : QuantParams::PerChannel({base}, 0));
    bt = b.AddConstant("b", T::INT32, {out_c}, rng.int32s(static_cast<size_t>(out_c), -5000, 5000));
    y = b.AddTensor("y", T::INT8, {batch, static_cast<int>(oh), static_cast<int>(ow), out_c},
                    Q(AccScale(rng, sx, base, kh * kw * gin), ZeroPoint(rng)));
    inputs.push_back(Bytes(rng.int8s(xn)));
  }
  const bool with_bias = rng.uniform_int(0, 4) != 0;
  b.AddOp(fb::OpType::CONV_2D, with_bias ? std::vector<int>{x, wt, bt} : std::vector<int>{x, wt}, {y},
          std::move(o), "conv");
  b.SetInputs({x});
  b.SetOutputs({y});
  CompareBackends(label, b, inputs, 1, 2e-5f, threads);
}

TEST(XnnpackOps, Conv2D) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Rng rng(601);
  for (int i = 0; i < 60; ++i) {
    for (ConvKind kind : {ConvKind::kDense, ConvKind::kDepthwise, ConvKind::kGrouped}) {
      ConvCase(rng, kind, false, true, i % 3 == 0 ? 2 : 1);
      ConvCase(rng, kind, false, false, 1);
      if (i % 3 == 0) ConvCase(rng, kind, true, false, 1);
    }
  }
  PrintStats("conv2d");
}

// ------------------------------------------------------------ FULLY_CONNECTED

void FcCase(Rng& rng, bool float_model, bool per_channel) {
  ModelBuilder b;
  const int batch = rng.uniform_int(1, 5), in = rng.uniform_int(1, 300), out = rng.uniform_int(1, 40);
  fb::FullyConnectedOptionsT o;
  o.activation = RandomActivation(rng);
  int x, wt, bt, y;
  std::vector<std::vector<uint8_t>> inputs;
  std::string label = "fully_connected";
  const size_t wn = static_cast<size_t>(in * out);
  if (float_model) {
    label += " f32";
    x = b.AddTensor("x", T::FLOAT32, {batch, in});
    wt = b.AddConstant("w", T::FLOAT32, {out, in}, rng.floats(wn, -1, 1));
    bt = b.AddConstant("b", T::FLOAT32, {out}, rng.floats(static_cast<size_t>(out), -1, 1));
    y = b.AddTensor("y", T::FLOAT32, {batch, out});
    inputs.push_back(Bytes(rng.floats(static_cast<size_t>(batch * in), -2, 2)));
  } else {
    label += per_channel ? " qc8 (1x1 conv)" : " qs8";
    const float sx = rng.scale(1e-3f, 0.1f), base = rng.scale(1e-3f, 0.05f);
    std::vector<float> scales(static_cast<size_t>(out));
    for (float& s : scales) s = per_channel ? base * rng.scale(0.25f, 4.0f) : base;
    x = b.AddTensor("x", T::INT8, {batch, in}, Q(sx, ZeroPoint(rng)));
    wt = b.AddConstant("w", T::INT8, {out, in}, rng.int8s(wn),
                       per_channel ? QuantParams::PerChannel(scales, 0) : QuantParams::PerChannel({base}, 0));
    bt = b.AddConstant("b", T::INT32, {out}, rng.int32s(static_cast<size_t>(out), -5000, 5000));
    y = b.AddTensor("y", T::INT8, {batch, out}, Q(AccScale(rng, sx, base, in), ZeroPoint(rng)));
    inputs.push_back(Bytes(rng.int8s(static_cast<size_t>(batch * in))));
  }
  b.AddOp(fb::OpType::FULLY_CONNECTED, {x, wt, bt}, {y}, std::move(o), "fc");
  b.SetInputs({x});
  b.SetOutputs({y});
  CompareBackends(label, b, inputs, 1, 2e-5f);
}

TEST(XnnpackOps, FullyConnected) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Rng rng(602);
  for (int i = 0; i < 60; ++i) {
    FcCase(rng, false, false);
    FcCase(rng, false, true);
    if (i % 3 == 0) FcCase(rng, true, false);
  }
  PrintStats("fully_connected");
}

// ------------------------------------------------------------ pools

// ONNX pool output size, as the native op computes it.
int64_t PoolOut(int64_t in, int64_t pb, int64_t pe, int64_t k, int64_t s, bool ceil_mode) {
  if (!ceil_mode) return OutSize(in, pb, pe, k, s, 1);
  const int64_t span = in + pb + pe - k;
  if (span < 0) return 0;
  int64_t out = (span + s - 1) / s + 1;
  if ((out - 1) * s >= in + pb) --out;
  return out;
}

void PoolCase(Rng& rng, bool max, bool float_model) {
  ModelBuilder b;
  const int batch = rng.uniform_int(1, 2), h = rng.uniform_int(1, 14), w = rng.uniform_int(1, 14);
  const int c = rng.uniform_int(1, 40);
  fb::Pool2DOptionsT o;
  o.kernel_h = rng.uniform_int(1, 4);
  o.kernel_w = rng.uniform_int(1, 4);
  if (o.kernel_h * o.kernel_w == 1) o.kernel_w = 2;  // XNNPACK rejects 1x1 windows: tested below
  o.stride_h = rng.uniform_int(1, 3);
  o.stride_w = rng.uniform_int(1, 3);
  o.pad_top = rng.uniform_int(0, o.kernel_h - 1);
  o.pad_bottom = rng.uniform_int(0, o.kernel_h - 1);
  o.pad_left = rng.uniform_int(0, o.kernel_w - 1);
  o.pad_right = rng.uniform_int(0, o.kernel_w - 1);
  o.ceil_mode = rng.coin();
  o.count_include_pad = rng.coin();
  o.activation = RandomActivation(rng);
  const int64_t oh = PoolOut(h, o.pad_top, o.pad_bottom, o.kernel_h, o.stride_h, o.ceil_mode);
  const int64_t ow = PoolOut(w, o.pad_left, o.pad_right, o.kernel_w, o.stride_w, o.ceil_mode);
  if (oh < 1 || ow < 1) return;
  const bool any_pad = o.pad_top + o.pad_bottom + o.pad_left + o.pad_right > 0 ||
                       (oh - 1) * o.stride_h + o.kernel_h > h ||
                       (ow - 1) * o.stride_w + o.kernel_w > w;
  // XNNPACK: max pools (int8, float32), float32 average pools that do not
  // count padding.
  const int expect = max ? 1 : (float_model ? ((o.count_include_pad && any_pad) ? 0 : 1) : 0);
  const size_t n = static_cast<size_t>(batch * h * w * c);
  std::vector<int32_t> yshape{batch, static_cast<int>(oh), static_cast<int>(ow), c};
  std::string label = max ? "max_pool2d" : "average_pool2d";
  int x, y;
  std::vector<std::vector<uint8_t>> inputs;
  if (float_model) {
    label += " f32";
    x = b.AddTensor("x", T::FLOAT32, {batch, h, w, c});
    y = b.AddTensor("y", T::FLOAT32, yshape);
    inputs.push_back(Bytes(rng.floats(n, -4, 4)));
  } else {
    label += " s8";
    const float s = rng.scale(1e-3f, 0.1f);
    const int zp = ZeroPoint(rng);
    x = b.AddTensor("x", T::INT8, {batch, h, w, c}, Q(s, zp));
    y = b.AddTensor("y", T::INT8, yshape, max ? Q(s, zp) : Q(s * rng.scale(0.5f, 2.0f), ZeroPoint(rng)));
    inputs.push_back(Bytes(rng.int8s(n)));
  }
  b.AddOp(max ? fb::OpType::MAX_POOL_2D : fb::OpType::AVERAGE_POOL_2D, {x}, {y}, std::move(o), "pool");
  b.SetInputs({x});
  b.SetOutputs({y});
  CompareBackends(label, b, inputs, expect, 1e-5f);
}

void GapCase(Rng& rng, bool float_model) {
  ModelBuilder b;
  const int batch = rng.uniform_int(1, 3), h = rng.uniform_int(1, 16), w = rng.uniform_int(1, 16);
  const int c = rng.uniform_int(1, 300);
  const size_t n = static_cast<size_t>(batch * h * w * c);
  std::vector<int32_t> yshape = rng.coin() ? std::vector<int32_t>{batch, c} : std::vector<int32_t>{batch, 1, 1, c};
  int x, y;
  std::vector<std::vector<uint8_t>> inputs;
  std::string label = "global_average_pool";
  if (float_model) {
    label += " f32";
    x = b.AddTensor("x", T::FLOAT32, {batch, h, w, c});
    y = b.AddTensor("y", T::FLOAT32, yshape);
    inputs.push_back(Bytes(rng.floats(n, -4, 4)));
  } else {
    label += " qs8";
    const float s = rng.scale(1e-3f, 0.1f);
    x = b.AddTensor("x", T::INT8, {batch, h, w, c}, Q(s, ZeroPoint(rng)));
    y = b.AddTensor("y", T::INT8, yshape, Q(s * rng.scale(0.1f, 1.0f), ZeroPoint(rng)));
    inputs.push_back(Bytes(rng.int8s(n)));
  }
  b.AddOp(fb::OpType::GLOBAL_AVERAGE_POOL, {x}, {y}, "gap");
  b.SetInputs({x});
  b.SetOutputs({y});
  CompareBackends(label, b, inputs, 1, 1e-5f);
}

TEST(XnnpackOps, Pools) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Rng rng(603);
  for (int i = 0; i < 60; ++i) {
    PoolCase(rng, true, false);
    PoolCase(rng, true, true);
    PoolCase(rng, false, true);
    if (i % 4 == 0) PoolCase(rng, false, false);  // int8 average: native fallback
    GapCase(rng, false);
    if (i % 3 == 0) GapCase(rng, true);
  }
  PrintStats("max_pool2d");
  PrintStats("average_pool2d");
  PrintStats("global_average_pool");
}

// ------------------------------------------------------------ ADD / MUL

// A shape for input b that broadcasts against `a`: some dims 1, maybe fewer.
std::vector<int32_t> BroadcastShape(Rng& rng, const std::vector<int32_t>& a) {
  std::vector<int32_t> s;
  const size_t drop = rng.coin() ? static_cast<size_t>(rng.uniform_int(0, static_cast<int>(a.size()) - 1)) : 0;
  for (size_t i = drop; i < a.size(); ++i) s.push_back(rng.uniform_int(0, 2) == 0 ? 1 : a[i]);
  return s;
}

size_t Count(const std::vector<int32_t>& s) {
  size_t n = 1;
  for (int32_t d : s) n *= static_cast<size_t>(d);
  return n;
}

void BinaryCase(Rng& rng, bool mul, bool float_model) {
  ModelBuilder b;
  std::vector<int32_t> out_shape(static_cast<size_t>(rng.uniform_int(1, 4)));
  for (int32_t& d : out_shape) d = rng.uniform_int(1, 9);
  std::vector<int32_t> sa = out_shape, sb = BroadcastShape(rng, out_shape);
  if (rng.coin()) std::swap(sa, sb);
  // The broadcast result must be the output shape: make one of them full.
  const bool b_constant = rng.uniform_int(0, 3) == 0;
  std::string label = mul ? "mul" : "add";
  int x, z, y;
  std::vector<std::vector<uint8_t>> inputs;
  if (float_model) {
    label += " f32";
    x = b.AddTensor("a", T::FLOAT32, sa);
    z = b_constant ? b.AddConstant("b", T::FLOAT32, sb, rng.floats(Count(sb), -3, 3))
                   : b.AddTensor("b", T::FLOAT32, sb);
    y = b.AddTensor("y", T::FLOAT32, out_shape);
    inputs.push_back(Bytes(rng.floats(Count(sa), -3, 3)));
    if (!b_constant) inputs.push_back(Bytes(rng.floats(Count(sb), -3, 3)));
  } else {
    label += " qs8";
    const float s1 = rng.scale(1e-3f, 0.1f), s2 = s1 * rng.scale(0.2f, 5.0f);
    const float so = mul ? s1 * s2 * 128.0f * rng.scale(0.3f, 3.0f) : std::max(s1, s2) * rng.scale(0.7f, 3.0f);
    x = b.AddTensor("a", T::INT8, sa, Q(s1, ZeroPoint(rng)));
    z = b_constant ? b.AddConstant("b", T::INT8, sb, rng.int8s(Count(sb)), Q(s2, ZeroPoint(rng)))
                   : b.AddTensor("b", T::INT8, sb, Q(s2, ZeroPoint(rng)));
    y = b.AddTensor("y", T::INT8, out_shape, Q(so, ZeroPoint(rng)));
    inputs.push_back(Bytes(rng.int8s(Count(sa))));
    if (!b_constant) inputs.push_back(Bytes(rng.int8s(Count(sb))));
  }
  fb::BinaryOptionsT o;
  o.activation = RandomActivation(rng);
  b.AddOp(mul ? fb::OpType::MUL : fb::OpType::ADD, {x, z}, {y}, std::move(o), "op");
  b.SetInputs(b_constant ? std::vector<int>{x} : std::vector<int>{x, z});
  b.SetOutputs({y});
  CompareBackends(label, b, inputs, 1, 1e-6f);
}

TEST(XnnpackOps, AddMul) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Rng rng(604);
  for (int i = 0; i < 80; ++i) {
    for (bool mul : {false, true}) {
      BinaryCase(rng, mul, false);
      if (i % 3 == 0) BinaryCase(rng, mul, true);
    }
  }
  PrintStats("add");
  PrintStats("mul");
}

// ------------------------------------------------------------ UNARY

void UnaryCase(Rng& rng, fb::UnaryKind kind, bool float_model, int expect, const char* name,
               bool tflite_output = false) {
  ModelBuilder b;
  std::vector<int32_t> shape{rng.uniform_int(1, 3), rng.uniform_int(1, 17), rng.uniform_int(1, 40)};
  fb::UnaryOptionsT o;
  o.kind = kind;
  o.alpha = rng.uniform_float(0.01f, 0.5f);
  o.min = rng.uniform_float(-2.0f, 0.0f);
  o.max = rng.uniform_float(0.1f, 3.0f);
  int x, y;
  std::vector<std::vector<uint8_t>> inputs;
  std::string label = std::string("unary ") + name;
  if (float_model) {
    label += " f32";
    x = b.AddTensor("x", T::FLOAT32, shape);
    y = b.AddTensor("y", T::FLOAT32, shape);
    inputs.push_back(Bytes(rng.floats(Count(shape), -8, 8)));
  } else {
    label += " s8";
    const float s = rng.scale(0.005f, 0.1f);
    const int zp = ZeroPoint(rng);
    QuantParams out = Q(s, zp);
    const bool same = kind == fb::UnaryKind::RELU || kind == fb::UnaryKind::RELU6 || kind == fb::UnaryKind::CLAMP;
    if (tflite_output) {
      out = kind == fb::UnaryKind::SIGMOID ? Q(1.0f / 256.0f, -128) : Q(1.0f / 128.0f, 0);
    } else if (!same) {
      out = Q(rng.scale(0.003f, 0.02f), ZeroPoint(rng));
    }
    if (tflite_output) label += " (tflite output quantization)";
    x = b.AddTensor("x", T::INT8, shape, Q(s, zp));
    y = b.AddTensor("y", T::INT8, shape, out);
    inputs.push_back(Bytes(rng.int8s(Count(shape))));
  }
  b.AddOp(fb::OpType::UNARY, {x}, {y}, std::move(o), "act");
  b.SetInputs({x});
  b.SetOutputs({y});
  CompareBackends(label, b, inputs, expect, 1e-5f);
}

TEST(XnnpackOps, Unary) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Rng rng(605);
  using K = fb::UnaryKind;
  for (int i = 0; i < 25; ++i) {
    UnaryCase(rng, K::SIGMOID, false, 1, "sigmoid", true);
    UnaryCase(rng, K::TANH, false, 1, "tanh", true);
    UnaryCase(rng, K::SIGMOID, false, -1, "sigmoid");  // other output quantizations: fallback
    UnaryCase(rng, K::TANH, false, -1, "tanh");
    UnaryCase(rng, K::RELU, false, 1, "relu");
    UnaryCase(rng, K::RELU6, false, 1, "relu6");
    UnaryCase(rng, K::CLAMP, false, 1, "clamp");
    UnaryCase(rng, K::HARD_SWISH, false, 0, "hard_swish");
    UnaryCase(rng, K::SIGMOID, true, 1, "sigmoid");
    UnaryCase(rng, K::HARD_SWISH, true, 1, "hard_swish");
    UnaryCase(rng, K::LEAKY_RELU, true, 1, "leaky_relu");
    UnaryCase(rng, K::RELU6, true, 1, "relu6");
    UnaryCase(rng, K::TANH, true, 0, "tanh");
  }
  PrintStats("unary");
}

// ------------------------------------------------------------ QUANTIZE / DEQUANTIZE

TEST(XnnpackOps, QuantizeDequantize) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Rng rng(606);
  for (int i = 0; i < 40; ++i) {
    for (bool quantize : {true, false}) {
      ModelBuilder b;
      std::vector<int32_t> shape{rng.uniform_int(1, 4), rng.uniform_int(1, 33), rng.uniform_int(1, 33)};
      const float s = rng.scale(1e-3f, 0.1f);
      const int zp = ZeroPoint(rng);
      int x, y;
      std::vector<std::vector<uint8_t>> inputs;
      if (quantize) {
        x = b.AddTensor("x", T::FLOAT32, shape);
        y = b.AddTensor("y", T::INT8, shape, Q(s, zp));
        // Values on and near rounding ties, and out of range.
        std::vector<float> v = rng.floats(Count(shape), -200 * s, 200 * s);
        for (size_t k = 0; k < v.size(); k += 3) v[k] = (static_cast<float>(rng.uniform_int(-140, 140)) + 0.5f) * s;
        inputs.push_back(Bytes(v));
      } else {
        x = b.AddTensor("x", T::INT8, shape, Q(s, zp));
        y = b.AddTensor("y", T::FLOAT32, shape);
        inputs.push_back(Bytes(rng.int8s(Count(shape))));
      }
      b.AddOp(quantize ? fb::OpType::QUANTIZE : fb::OpType::DEQUANTIZE, {x}, {y}, "q");
      b.SetInputs({x});
      b.SetOutputs({y});
      CompareBackends(quantize ? "quantize f32->s8" : "dequantize s8->f32", b, inputs, 1, 1e-6f);
    }
  }
  PrintStats("quantize");
  PrintStats("dequantize");
}

// ------------------------------------------------------------ SOFTMAX

TEST(XnnpackOps, Softmax) {
  QRUN_SKIP_WITHOUT_XNNPACK();
  Rng rng(607);
  for (int i = 0; i < 30; ++i) {
    for (int variant = 0; variant < 3; ++variant) {  // f32 beta 1, f32 beta 2, int8
      ModelBuilder b;
      std::vector<int32_t> shape{rng.uniform_int(1, 4), rng.uniform_int(1, 1200)};
      int x, y;
      std::vector<std::vector<uint8_t>> inputs;
      if (variant < 2) {
        x = b.AddTensor("x", T::FLOAT32, shape);
        y = b.AddTensor("y", T::FLOAT32, shape);
        inputs.push_back(Bytes(rng.floats(Count(shape), -10, 10)));
      } else {
        x = b.AddTensor("x", T::INT8, shape, Q(rng.scale(0.01f, 0.1f), ZeroPoint(rng)));
        y = b.AddTensor("y", T::INT8, shape, Q(1.0f / 256.0f, -128));
        inputs.push_back(Bytes(rng.int8s(Count(shape))));
      }
      fb::SoftmaxOptionsT o;
      o.beta = variant == 1 ? 2.0f : 1.0f;
      b.AddOp(fb::OpType::SOFTMAX, {x}, {y}, std::move(o), "softmax");
      b.SetInputs({x});
      b.SetOutputs({y});
      CompareBackends(variant == 0 ? "softmax f32" : variant == 1 ? "softmax f32 beta 2" : "softmax s8",
                      b, inputs, variant == 0 ? 1 : 0, 1e-6f);
    }
  }
  PrintStats("softmax");
}

}  // namespace
}  // namespace qrun::xnntest

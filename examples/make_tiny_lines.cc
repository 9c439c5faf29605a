// Builds examples/tiny_lines.qfb: a hand-designed int8 CNN that tells which
// way a line runs in an 8x8 grayscale image (horizontal, vertical, diagonal,
// anti-diagonal), plus one sample input per class as raw float32 files.
//
// Graph: input f32 [1,8,8,1] -> QUANTIZE -> CONV_2D 3x3 (4 line detectors,
// per-channel int8 weights, ReLU) -> MAX_POOL_2D 2x2/2 -> GLOBAL_AVERAGE_POOL
// -> FULLY_CONNECTED 4->4 -> DEQUANTIZE -> SOFTMAX -> probabilities f32 [1,4].
//
// Usage: make_tiny_lines OUT_DIR
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/builder/model_builder.h"

namespace {

using qrun::ModelBuilder;
using qrun::QuantParams;
namespace fb = qrun::fb;

constexpr int kSize = 8;
const char* const kLabels = "horizontal,vertical,diagonal,anti-diagonal";

// 3x3 line detectors in real values: +2 on the line, -1 off it.
std::vector<float> DetectorWeights() {
  std::vector<float> w;
  for (int f = 0; f < 4; ++f) {
    for (int y = 0; y < 3; ++y) {
      for (int x = 0; x < 3; ++x) {
        bool on = (f == 0 && y == 1) || (f == 1 && x == 1) || (f == 2 && x == y) ||
                  (f == 3 && x + y == 2);
        w.push_back(on ? 2.0f : -1.0f);
      }
    }
  }
  return w;
}

std::vector<int8_t> QuantizeSymmetric(const std::vector<float>& w, float scale) {
  std::vector<int8_t> q;
  for (float v : w) q.push_back(static_cast<int8_t>(std::lrint(v / scale)));
  return q;
}

std::vector<float> LineImage(int kind) {
  std::vector<float> img(kSize * kSize, 0.0f);
  for (int i = 0; i < kSize; ++i) {
    int y = 0, x = 0;
    switch (kind) {
      case 0: y = 3, x = i; break;
      case 1: y = i, x = 4; break;
      case 2: y = i, x = i; break;
      default: y = i, x = kSize - 1 - i; break;
    }
    img[static_cast<size_t>(y * kSize + x)] = 1.0f;
  }
  return img;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  ModelBuilder b("qrun examples/make_tiny_lines");
  b.SetDescription("Tiny int8 CNN: which way does the line in an 8x8 image run?");
  b.AddMetadata("labels", kLabels);

  const auto act = QuantParams::PerTensor(1.0f / 255.0f, -128);   // [0, 1]
  const auto feat = QuantParams::PerTensor(6.0f / 255.0f, -128);  // [0, 6]
  const auto logit = QuantParams::PerTensor(16.0f / 255.0f, -64); // [-4, 12]

  int image = b.AddTensor("image", fb::DType::FLOAT32, {1, kSize, kSize, 1});
  int image_q = b.AddTensor("image_q", fb::DType::INT8, {1, kSize, kSize, 1}, act);

  const float conv_w_scale = 2.0f / 127.0f;
  int conv_w = b.AddConstant("detectors", fb::DType::INT8, {4, 3, 3, 1},
                             QuantizeSymmetric(DetectorWeights(), conv_w_scale),
                             QuantParams::PerChannel(std::vector<float>(4, conv_w_scale), 0));
  int conv_b = b.AddConstant("detectors_bias", fb::DType::INT32, {4}, std::vector<int32_t>(4, 0));
  int conv_out = b.AddTensor("lines", fb::DType::INT8, {1, kSize, kSize, 4}, feat);
  fb::Conv2DOptionsT conv;
  conv.pad_top = conv.pad_left = conv.pad_bottom = conv.pad_right = 1;
  conv.activation = std::make_unique<fb::FusedActivationT>();
  conv.activation->kind = fb::Activation::RELU;

  int pooled = b.AddTensor("pooled", fb::DType::INT8, {1, kSize / 2, kSize / 2, 4}, feat);
  fb::Pool2DOptionsT pool;
  pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
  int gap = b.AddTensor("evidence", fb::DType::INT8, {1, 1, 1, 4}, feat);

  // Logits: 2x its own evidence minus half of the others', plus a small bias.
  std::vector<float> fc_w;
  for (int o = 0; o < 4; ++o) {
    for (int i = 0; i < 4; ++i) fc_w.push_back(o == i ? 2.0f : -0.5f);
  }
  const float fc_w_scale = 2.0f / 127.0f;
  int fc_weights = b.AddConstant("classifier", fb::DType::INT8, {4, 4},
                                 QuantizeSymmetric(fc_w, fc_w_scale),
                                 QuantParams::PerTensor(fc_w_scale, 0));
  int logits_q = b.AddTensor("logits_q", fb::DType::INT8, {1, 4}, logit);
  int logits = b.AddTensor("logits", fb::DType::FLOAT32, {1, 4});
  int probs = b.AddTensor("probabilities", fb::DType::FLOAT32, {1, 4});

  b.AddOp(fb::OpType::QUANTIZE, {image}, {image_q}, "quantize");
  b.AddOp(fb::OpType::CONV_2D, {image_q, conv_w, conv_b}, {conv_out}, std::move(conv), "conv");
  b.AddOp(fb::OpType::MAX_POOL_2D, {conv_out}, {pooled}, std::move(pool), "pool");
  b.AddOp(fb::OpType::GLOBAL_AVERAGE_POOL, {pooled}, {gap}, "gap");
  b.AddOp(fb::OpType::FULLY_CONNECTED, {gap, fc_weights, -1}, {logits_q},
          fb::FullyConnectedOptionsT(), "fc");
  b.AddOp(fb::OpType::DEQUANTIZE, {logits_q}, {logits}, "dequantize");
  b.AddOp(fb::OpType::SOFTMAX, {logits}, {probs}, fb::SoftmaxOptionsT(), "softmax");
  b.SetInputs({image});
  b.SetOutputs({probs});

  qrun::Status s = b.Save(dir + "/tiny_lines.qfb");
  const char* names[4] = {"horizontal", "vertical", "diagonal", "anti_diagonal"};
  for (int k = 0; s.ok() && k < 4; ++k) {
    std::vector<float> img = LineImage(k);
    s = qrun::WriteFile(dir + "/" + names[k] + "_line.bin", img.data(), img.size() * sizeof(float));
  }
  if (!s.ok()) {
    std::fprintf(stderr, "make_tiny_lines: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

// The layer shapes every kernel benchmark uses (qrun's kernels and XNNPACK's
// on the same list, so their rows compare one to one): MobileNetV2 and
// ResNet-18 layers at 224x224 input, MobileNetV3-small depthwise layers.
#pragma once

namespace qrun_bench {

struct ConvShape {
  const char* name;
  int hw, in_c, out_c, k, stride, groups;
  bool reference;  // also time the (slow) reference kernel
};

// (input size, channels, kernel, stride, groups); padding k/2.
inline constexpr ConvShape kShapes[] = {
    {"resnet18/conv1_7x7_s2", 224, 3, 64, 7, 2, 1, false},
    {"resnet18/layer1_3x3", 56, 64, 64, 3, 1, 1, true},
    {"resnet18/layer2_3x3_s2", 56, 64, 128, 3, 2, 1, false},
    {"resnet18/layer2_3x3", 28, 128, 128, 3, 1, 1, false},
    {"resnet18/layer2_down_1x1_s2", 56, 64, 128, 1, 2, 1, false},
    {"resnet18/layer3_3x3", 14, 256, 256, 3, 1, 1, true},
    {"resnet18/layer4_3x3", 7, 512, 512, 3, 1, 1, false},
    {"mobilenetv2/conv1_3x3_s2", 224, 3, 32, 3, 2, 1, false},
    {"mobilenetv2/expand_1x1_112", 112, 16, 96, 1, 1, 1, false},  // K = 16: requant-heavy
    {"mobilenetv2/expand_1x1_56", 56, 24, 144, 1, 1, 1, true},
    {"mobilenetv2/project_1x1_56", 56, 144, 24, 1, 1, 1, false},
    {"mobilenetv2/expand_1x1_28", 28, 32, 192, 1, 1, 1, false},
    {"mobilenetv2/project_1x1_28", 28, 192, 32, 1, 1, 1, true},
    {"mobilenetv2/expand_1x1_14", 14, 96, 576, 1, 1, 1, false},
    {"mobilenetv2/project_1x1_14", 14, 576, 96, 1, 1, 1, false},
    {"mobilenetv2/expand_1x1_7", 7, 160, 960, 1, 1, 1, false},
    {"mobilenetv2/last_1x1_7", 7, 320, 1280, 1, 1, 1, false},
    {"mobilenetv2/dw_3x3_56", 56, 144, 144, 3, 1, 144, true},
    {"mobilenetv2/dw_3x3_s2_56", 56, 144, 144, 3, 2, 144, true},
    {"mobilenetv2/dw_3x3_14", 14, 576, 576, 3, 1, 576, false},
};

struct FcShape {
  const char* name;
  int batch, in, out;
};
inline constexpr FcShape kFcShapes[] = {
    {"resnet18/fc", 1, 512, 1000},
    {"mobilenetv2/fc", 1, 1280, 1000},
    {"mobilenetv2/fc_batch8", 8, 1280, 1000},
};

// Depthwise layers: (input size, channels, kernel, stride); padding k/2.
struct DwShape {
  const char* name;
  int hw, c, k, stride;
};

inline constexpr DwShape kDwShapes[] = {
    {"mobilenetv2/112x112x32_3x3_s1", 112, 32, 3, 1},
    {"mobilenetv2/112x112x96_3x3_s2", 112, 96, 3, 2},
    {"mobilenetv2/56x56x144_3x3_s1", 56, 144, 3, 1},
    {"mobilenetv2/56x56x144_3x3_s2", 56, 144, 3, 2},
    {"mobilenetv2/28x28x192_3x3_s1", 28, 192, 3, 1},
    {"mobilenetv2/28x28x192_3x3_s2", 28, 192, 3, 2},
    {"mobilenetv2/14x14x384_3x3_s1", 14, 384, 3, 1},
    {"mobilenetv2/14x14x576_3x3_s1", 14, 576, 3, 1},
    {"mobilenetv2/14x14x576_3x3_s2", 14, 576, 3, 2},
    {"mobilenetv2/7x7x960_3x3_s1", 7, 960, 3, 1},
    {"mobilenetv3s/112x112x16_3x3_s2", 112, 16, 3, 2},
    {"mobilenetv3s/56x56x72_3x3_s2", 56, 72, 3, 2},
    {"mobilenetv3s/28x28x88_3x3_s1", 28, 88, 3, 1},
    {"mobilenetv3s/28x28x96_5x5_s2", 28, 96, 5, 2},
    {"mobilenetv3s/14x14x240_5x5_s1", 14, 240, 5, 1},
    {"mobilenetv3s/14x14x120_5x5_s1", 14, 120, 5, 1},
    {"mobilenetv3s/14x14x144_5x5_s1", 14, 144, 5, 1},
    {"mobilenetv3s/14x14x288_5x5_s2", 14, 288, 5, 2},
    {"mobilenetv3s/7x7x576_5x5_s1", 7, 576, 5, 1},
};

}  // namespace qrun_bench

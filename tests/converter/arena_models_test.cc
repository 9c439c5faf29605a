// The arena planner on the real models of ../shared/models (converted here):
// the arena stays within 10% of the lower bound (peak of live bytes).
// Skipped when ../shared is not beside the checkout.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "converter/converter.h"
#include "runtime/interpreter.h"
#include "runtime/model.h"
#include "test_models.h"

namespace qrun::conv {
namespace {

std::string SharedModels() {
  const char* src = std::getenv("QRUN_SOURCE_DIR");
  return std::string(src ? src : ".") + "/../shared/models";
}

void CheckArena(const std::string& file, bool quantized_import) {
  const std::string path = SharedModels() + "/" + file;
  if (!std::ifstream(path).good()) GTEST_SKIP() << path << " not found";
  ConvertOptions o;
  o.model_path = path;
  o.quantize = quantized_import;  // QDQ files import as int8; others as float32
  std::vector<uint8_t> bytes;
  ConvertSummary summary;
  Status s = ConvertToBytes(o, &bytes, &summary);
  ASSERT_TRUE(s.ok()) << s.message();
  AlignedBytes aligned(bytes);
  std::shared_ptr<const Model> model;
  s = Model::LoadBuffer(aligned.data(), aligned.size(), &model);
  ASSERT_TRUE(s.ok()) << s.message();
  std::unique_ptr<Interpreter> it;
  s = Interpreter::Create(model, {}, &it);
  ASSERT_TRUE(s.ok()) << s.message();
  const double ratio = static_cast<double>(it->arena_bytes()) / static_cast<double>(it->arena_lower_bound());
  std::printf("%s: arena %zu bytes, lower bound %zu, ratio %.4f\n", file.c_str(), it->arena_bytes(),
              it->arena_lower_bound(), ratio);
  ::testing::Test::RecordProperty("ratio", std::to_string(ratio));
  EXPECT_LE(ratio, 1.10);
}

TEST(ArenaOnSharedModels, MnistFloat) { CheckArena("mnist_cnn.onnx", false); }
TEST(ArenaOnSharedModels, MnistInt8) { CheckArena("mnist_cnn.qdq.onnx", true); }
TEST(ArenaOnSharedModels, MobileNetV2Float) { CheckArena("mobilenet_v2.onnx", false); }
TEST(ArenaOnSharedModels, MobileNetV2Int8) { CheckArena("mobilenet_v2.qdq.onnx", true); }
TEST(ArenaOnSharedModels, MobileNetV3SmallInt8) { CheckArena("mobilenet_v3_small.qdq.onnx", true); }
TEST(ArenaOnSharedModels, ResNet18Int8) { CheckArena("resnet18.qdq.onnx", true); }

}  // namespace
}  // namespace qrun::conv

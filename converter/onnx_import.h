// Reads an .onnx file (protobuf) into the converter's Graph.
#pragma once

#include <string>

#include "converter/ir.h"

namespace onnx {
class ModelProto;
}

namespace qrun::conv {

Status ImportOnnxFile(const std::string& path, Graph* graph);
Status ImportOnnxModel(const onnx::ModelProto& model, Graph* graph);

}  // namespace qrun::conv

// qconvert: ONNX -> .qfb. See docs/converter.md.
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "converter/converter.h"

namespace {

const char kUsage[] =
    "usage: qconvert MODEL.onnx -o MODEL.qfb [options]\n"
    "\n"
    "Static int8 quantization (default) needs calibration inputs; pre-quantized\n"
    "QDQ / QOperator models keep their own scales and need none.\n"
    "\n"
    "  -o, --output FILE          output .qfb (required)\n"
    "  --input-shape NAME=1x3x224x224  fix dynamic input dims (repeatable)\n"
    "  --calib PATH               directory or file of model inputs: .npy (float32/uint8),\n"
    "                             raw float32, or raw uint8 (.u8; see --calib-transform);\n"
    "                             a file may hold several samples back to back\n"
    "  --calib-count N            use at most N calibration samples\n"
    "  --calib-transform T        uint8 -> float: 'scale=1/255,mean=M[:M..],std=S[:S..]'\n"
    "                             per channel (NCHW dim 1), or 'imagenet' / 'mnist'\n"
    "  --calib-format auto|f32|u8 how raw files are read (default: .u8 = uint8, else by size)\n"
    "  --calib-random N           N random N(0,1) inputs (smoke tests only)\n"
    "  --calib-method minmax|percentile|mse  activation ranges (default minmax)\n"
    "  --percentile P             for --calib-method percentile (default 99.99)\n"
    "  --keep-float NODE[,NODE]   keep these ONNX nodes in float32\n"
    "  --auto-mixed               per-layer sensitivity analysis; keeps the most sensitive\n"
    "                             layers in float until --target-sqnr is met\n"
    "  --target-sqnr DB           output SQNR target for --auto-mixed (default 30)\n"
    "  --float                    no quantization: float32 model\n"
    "  --dynamic                  dynamic quantization: int8 Conv/Gemm weights, activations\n"
    "                             quantized at run time per tensor (no --calib needed)\n"
    "  --io int8                  int8 NHWC model inputs/outputs (default: float32, ONNX layout)\n"
    "  --report                   op counts, sizes, per-layer SQNR vs float\n"
    "  --report-samples N         samples used by --report / --auto-mixed (default 8)\n"
    "  --labels A,B,...           class names, stored as the model's \"labels\" metadata\n"
    "                             (qrun prints them next to class indices)\n"
    "  --metadata KEY=VALUE       add a metadata entry (repeatable)\n"
    "  -q, --quiet                no progress bar\n"
    "  -h, --help\n";

bool ParseShape(const std::string& s, std::vector<int64_t>* out) {
  out->clear();
  std::stringstream ss(s);
  std::string tok;
  while (std::getline(ss, tok, 'x')) {
    char* end = nullptr;
    const long long v = std::strtoll(tok.c_str(), &end, 10);
    if (tok.empty() || *end != '\0' || v <= 0) return false;
    out->push_back(v);
  }
  return !out->empty();
}

int Fail(const std::string& msg) {
  std::cerr << "qconvert: error: " << msg << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  qrun::conv::ConvertOptions o;
  bool quiet = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&](std::string* v) {
      if (i + 1 >= args.size()) return false;
      *v = args[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (a == "-o" || a == "--output") {
      if (!next(&o.output_path)) return Fail("-o needs a file name");
    } else if (a == "--input-shape") {
      if (!next(&v)) return Fail("--input-shape needs NAME=DIMS");
      const size_t eq = v.rfind('=');
      std::vector<int64_t> shape;
      if (eq == std::string::npos || !ParseShape(v.substr(eq + 1), &shape)) {
        return Fail("--input-shape expects NAME=1x3x224x224, got '" + v + "'");
      }
      o.input_shapes[v.substr(0, eq)] = shape;
    } else if (a == "--calib") {
      if (!next(&o.calib_path)) return Fail("--calib needs a path");
    } else if (a == "--calib-count") {
      if (!next(&v)) return Fail("--calib-count needs N");
      o.calib_count = std::atoi(v.c_str());
    } else if (a == "--calib-random") {
      if (!next(&v)) return Fail("--calib-random needs N");
      o.calib_random = std::atoi(v.c_str());
    } else if (a == "--calib-transform") {
      if (!next(&v)) return Fail("--calib-transform needs a value");
      qrun::Status s = qrun::conv::ParseTransform(v, &o.calib_transform);
      if (!s.ok()) return Fail(s.message());
    } else if (a == "--calib-format") {
      if (!next(&v)) return Fail("--calib-format needs auto, f32 or u8");
      if (v == "auto") o.calib_format = qrun::conv::SampleFormat::kAuto;
      else if (v == "f32") o.calib_format = qrun::conv::SampleFormat::kFloat32;
      else if (v == "u8") o.calib_format = qrun::conv::SampleFormat::kUInt8;
      else return Fail("--calib-format: auto, f32 or u8");
    } else if (a == "--calib-method") {
      if (!next(&v)) return Fail("--calib-method needs minmax, percentile or mse");
      if (v == "minmax") o.calib.method = qrun::conv::CalibMethod::kMinMax;
      else if (v == "percentile") o.calib.method = qrun::conv::CalibMethod::kPercentile;
      else if (v == "mse") o.calib.method = qrun::conv::CalibMethod::kMse;
      else return Fail("--calib-method: minmax, percentile or mse");
    } else if (a == "--percentile") {
      if (!next(&v)) return Fail("--percentile needs a value");
      o.calib.percentile = std::atof(v.c_str());
      if (!(o.calib.percentile > 50 && o.calib.percentile <= 100)) return Fail("--percentile must be in (50, 100]");
    } else if (a == "--keep-float") {
      if (!next(&v)) return Fail("--keep-float needs node names");
      std::stringstream ss(v);
      std::string n;
      while (std::getline(ss, n, ',')) if (!n.empty()) o.keep_float.push_back(n);
    } else if (a == "--auto-mixed") {
      o.auto_mixed = true;
    } else if (a == "--target-sqnr") {
      if (!next(&v)) return Fail("--target-sqnr needs a value in dB");
      o.target_sqnr = std::atof(v.c_str());
    } else if (a == "--float") {
      o.quantize = false;
    } else if (a == "--dynamic") {
      o.dynamic = true;
    } else if (a == "--io") {
      if (!next(&v) || (v != "int8" && v != "float")) return Fail("--io expects int8 or float");
      o.int8_io = v == "int8";
    } else if (a == "--report") {
      o.report = true;
    } else if (a == "--report-samples") {
      if (!next(&v)) return Fail("--report-samples needs N");
      o.report_samples = std::max(1, std::atoi(v.c_str()));
    } else if (a == "--labels") {
      if (!next(&v)) return Fail("--labels needs a comma-separated list of class names");
      o.metadata.emplace_back("labels", v);
    } else if (a == "--metadata") {
      if (!next(&v) || v.find('=') == std::string::npos) return Fail("--metadata expects KEY=VALUE");
      o.metadata.emplace_back(v.substr(0, v.find('=')), v.substr(v.find('=') + 1));
    } else if (a == "-q" || a == "--quiet") {
      quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      return Fail("unknown option '" + a + "' (qconvert --help)");
    } else if (o.model_path.empty()) {
      o.model_path = a;
    } else {
      return Fail("more than one model given ('" + o.model_path + "', '" + a + "')");
    }
  }
  if (o.model_path.empty()) return Fail("no model given (qconvert MODEL.onnx -o MODEL.qfb)");
  if (o.output_path.empty()) return Fail("no output given: add -o MODEL.qfb");
  o.log = &std::cerr;
  // The bar redraws with \r: only on a terminal, not in logs.
  if (!quiet && isatty(STDERR_FILENO)) {
    o.calib.progress = [](int done, int total, const char* what) {
      const int width = 30;
      const int filled = total ? done * width / total : width;
      static int last = -1;
      if (filled == last && done != total) return;  // redraw only when the bar moves
      last = filled;
      std::cerr << "\rqconvert: " << what << " [" << std::string(static_cast<size_t>(filled), '#')
                << std::string(static_cast<size_t>(width - filled), '.') << "] " << done << "/" << total
                << std::flush;
    };
  }
  qrun::conv::ConvertSummary summary;
  qrun::Status s = qrun::conv::Convert(o, &summary);
  if (!s.ok()) return Fail(s.message());
  std::cerr << summary.line << " -> " << o.output_path << "\n";
  return 0;
}

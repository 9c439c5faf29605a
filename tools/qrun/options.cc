#include "options.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "cli_error.h"

namespace qrun_cli {
namespace {

const char kUsage[] =
    R"(usage: qrun MODEL.qfb [INPUT ...] [options]

Runs a qrun model and prints its outputs. Give one INPUT file per model input,
in the model's input order. A file holds the input's raw bytes, either in the
input's own dtype (e.g. int8, NHWC) or as float32 values that are quantized
with the input's scale and zero point; the file size tells which. NumPy .npy
files ('<f4', '|i1', '|u1', '<i4'; C order) are recognised by their content
and must have as many elements as the input.

For each output, qrun prints its name, shape, dtype and quantization, then the
top-5 classes if it is a score vector ([N], [1, N], [1, 1, 1, N], ...) or else
its first values and min/max/mean; values are dequantized to real numbers.

options:
  -o, --output FILE    write the outputs to FILE: NumPy format if FILE ends
                       in .npy, raw bytes otherwise; output i > 0 goes to
                       FILE with _i before the extension (out.npy, out_1.npy)
  --dequantize         with -o: write real values as float32 instead of the
                       outputs' own dtype
  --input-dtype TYPE   read every input file as TYPE instead of going by
                       size: float32 (quantized on load), int8, uint8, or raw
                       (the input's own dtype); int8 data for a uint8 input,
                       or the reverse, is shifted by 128
  --zero-input         fill inputs that have no file with their zero point
                       (real value 0), e.g. to benchmark without data
  --threads N          number of threads (default 1)
  --backend NAME       native (default: qrun's kernels for this CPU),
                       reference (portable kernels) or xnnpack
  --isa NAME           native kernels' instruction set: auto (default: the
                       QRUN_ISA environment variable, else the best this CPU
                       has), reference, avx2, avxvnni, avx512vnni (x86),
                       neon, neondot, i8mm (ARM); a level the CPU lacks is an
                       error
  --no-winograd        direct kernels for 3x3 convolutions (the default uses
                       Winograd F(2x2,3x3) where the CPU has it: same results,
                       faster, more packed weight memory)
  --bench N            invoke N times after the warm-up and print the median,
                       min, mean and max time in ms and the GMAC/s
  --warmup N           untimed invokes before the --bench runs (default 1)
  --profile            print a per-op table: op type, node name, kernel,
                       dtype, output shape, MACs, time and share; with
                       --bench the times are means over the runs
  --dump DIR           write every op's output after the (last) invoke to
                       DIR as float32 .npy files (dequantized where int8),
                       with DIR/index.tsv listing op, node, tensor, dtype,
                       shape and quantization; uses a larger arena (no buffer
                       reuse). See docs/converter.md, "Debug workflow"
  --json               print one JSON object (model, inputs, outputs, top-5,
                       arena bytes, bench results, per-op profile) instead of
                       text
  -h, --help           print this help and exit
  --version            print the qrun version and exit

examples:
  qrun classifier.qfb cat.npy
  qrun classifier.qfb cat_f32.bin -o logits.npy --dequantize
  qrun classifier.qfb --zero-input --threads 4 --bench 100 --profile
  qrun classifier.qfb cat.npy --dump /tmp/layers

Exit status: 0 on success, 1 if loading or running fails, 2 for a bad command
line.
)";

// "--threads=4" and "--threads 4" are the same; short "-o FILE" too.
class ArgReader {
 public:
  ArgReader(int argc, char** argv) : argc_(argc), argv_(argv) {}

  bool Done() const { return next_ >= argc_; }
  std::string Next() { return argv_[next_++]; }

  std::string Value(const std::string& option, const std::string* inline_value) {
    if (inline_value != nullptr) return *inline_value;
    if (Done()) UsageFail("option '" + option + "' needs a value");
    return Next();
  }

 private:
  int argc_;
  char** argv_;
  int next_ = 1;
};

int ParseInt(const std::string& option, const std::string& text, int min) {
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < min || v > INT_MAX) {
    UsageFail("option '" + option + "' needs an integer >= " + std::to_string(min) + ", got '" +
              text + "'");
  }
  return static_cast<int>(v);
}

qrun_backend ParseBackend(const std::string& text) {
  if (text == "native") return QRUN_BACKEND_NATIVE;
  if (text == "reference") return QRUN_BACKEND_REFERENCE;
  if (text == "xnnpack") return QRUN_BACKEND_XNNPACK;
  UsageFail("unknown backend '" + text + "' (expected native, reference or xnnpack)");
}

InputDtype ParseInputDtype(const std::string& text) {
  if (text == "float32") return InputDtype::kFloat32;
  if (text == "int8") return InputDtype::kInt8;
  if (text == "uint8") return InputDtype::kUint8;
  if (text == "raw") return InputDtype::kRaw;
  UsageFail("unknown --input-dtype '" + text + "' (expected float32, int8, uint8 or raw)");
}

}  // namespace

Options ParseOptions(int argc, char** argv) {
  Options o;
  std::vector<std::string> positional;
  bool warmup_given = false;
  bool options_done = false;
  ArgReader args(argc, argv);
  while (!args.Done()) {
    std::string arg = args.Next();
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      continue;
    }
    std::string inline_value;
    const std::string* value_ptr = nullptr;
    const size_t eq = arg.find('=');
    if (arg.compare(0, 2, "--") == 0 && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      value_ptr = &inline_value;
      arg.resize(eq);
    }
    auto value = [&] { return args.Value(arg, value_ptr); };
    auto no_value = [&] {
      if (value_ptr) UsageFail("option '" + arg + "' takes no value");
    };
    if (arg == "--") {
      options_done = true;
    } else if (arg == "-h" || arg == "--help") {
      o.help = true;
      return o;
    } else if (arg == "--version") {
      o.version = true;
      return o;
    } else if (arg == "-o" || arg == "--output") {
      o.output_path = value();
      if (o.output_path.empty()) UsageFail("option '" + arg + "' needs a file name");
    } else if (arg == "--dequantize") {
      no_value();
      o.dequantize = true;
    } else if (arg == "--input-dtype") {
      o.input_dtype = ParseInputDtype(value());
    } else if (arg == "--zero-input") {
      no_value();
      o.zero_input = true;
    } else if (arg == "--threads") {
      o.threads = ParseInt(arg, value(), 1);
    } else if (arg == "--backend") {
      o.backend = ParseBackend(value());
    } else if (arg == "--isa") {
      o.isa = value();
      if (o.isa.empty()) UsageFail("option '" + arg + "' needs a name");
    } else if (arg == "--no-winograd") {
      no_value();
      o.winograd = false;
    } else if (arg == "--bench") {
      o.bench_runs = ParseInt(arg, value(), 1);
    } else if (arg == "--warmup") {
      o.warmup = ParseInt(arg, value(), 0);
      warmup_given = true;
    } else if (arg == "--profile") {
      no_value();
      o.profile = true;
    } else if (arg == "--dump") {
      o.dump_dir = value();
      if (o.dump_dir.empty()) UsageFail("option '" + arg + "' needs a directory");
    } else if (arg == "--json") {
      no_value();
      o.json = true;
    } else {
      UsageFail("unknown option '" + arg + "' (see qrun --help)");
    }
  }
  if (positional.empty()) UsageFail("no model given (usage: qrun MODEL.qfb [INPUT ...] [options])");
  o.model_path = positional[0];
  o.input_paths.assign(positional.begin() + 1, positional.end());
  if (o.dequantize && o.output_path.empty()) UsageFail("--dequantize needs -o FILE");
  if (warmup_given && o.bench_runs == 0) UsageFail("--warmup needs --bench N");
  return o;
}

const char* UsageText() { return kUsage; }

const char* BackendName(qrun_backend backend) {
  switch (backend) {
    case QRUN_BACKEND_NATIVE: return "native";
    case QRUN_BACKEND_REFERENCE: return "reference";
    case QRUN_BACKEND_XNNPACK: return "xnnpack";
  }
  return "unknown";
}

}  // namespace qrun_cli

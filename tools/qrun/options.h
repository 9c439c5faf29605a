// The command line: what the user asked for, and the --help text.
#pragma once

#include <string>
#include <vector>

#include "input_files.h"
#include "qrun/qrun.h"

namespace qrun_cli {

struct Options {
  std::string model_path;
  std::vector<std::string> input_paths;
  std::string output_path;  // -o; empty: don't write outputs
  bool dequantize = false;
  InputDtype input_dtype = InputDtype::kAuto;
  bool zero_input = false;
  int threads = 1;
  qrun_backend backend = QRUN_BACKEND_NATIVE;
  std::string isa;  // --isa; empty: auto (QRUN_ISA, else the CPU's best)
  bool winograd = true;  // --no-winograd
  int bench_runs = 0;  // 0: a single invoke, no timing
  int warmup = 1;
  bool profile = false;
  std::string dump_dir;  // --dump; empty: no dump
  bool json = false;
  bool help = false;
  bool version = false;
};

// Parses argv; bad command lines fail with a usage error (exit code 2).
Options ParseOptions(int argc, char** argv);

const char* UsageText();
const char* BackendName(qrun_backend backend);

}  // namespace qrun_cli

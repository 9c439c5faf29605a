// qrun MODEL.qfb [INPUT ...] [options]: loads a model through the public C
// API, fills its inputs, runs it (or benchmarks it) and reports the outputs.
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "cli_error.h"
#include "dump.h"
#include "input_files.h"
#include "json_report.h"
#include "options.h"
#include "output_files.h"
#include "qrun/qrun.h"
#include "quantize.h"
#include "report.h"
#include "scores.h"
#include "report_data.h"
#include "runner.h"

namespace qrun_cli {
namespace {

struct ModelFree {
  void operator()(qrun_model* m) const { qrun_model_free(m); }
};
struct InterpreterFree {
  void operator()(qrun_interpreter* it) const { qrun_interpreter_free(it); }
};
using ModelPtr = std::unique_ptr<qrun_model, ModelFree>;
using InterpreterPtr = std::unique_ptr<qrun_interpreter, InterpreterFree>;

// The library's messages already name the file and the problem.
void Check(qrun_status status) {
  if (status != QRUN_OK) Fail(qrun_last_error());
}

InterpreterPtr CreateInterpreter(const qrun_model* model, const Options& o) {
  qrun_options options = qrun_options_default();
  options.num_threads = o.threads;
  options.backend = o.backend;
  options.enable_profiling = o.profile ? 1 : 0;
  options.isa = o.isa.empty() ? nullptr : o.isa.c_str();
  options.winograd = o.winograd ? 1 : 0;
  options.preserve_intermediates = o.dump_dir.empty() ? 0 : 1;
  qrun_interpreter* raw = nullptr;
  Check(qrun_interpreter_create(model, &options, &raw));
  return InterpreterPtr(raw);
}

// The graph's inputs or outputs, each checked to have memory behind it.
template <typename Count, typename Get>
std::vector<qrun_tensor> Tensors(const qrun_interpreter* it, Count count, Get get,
                                 const char* kind) {
  std::vector<qrun_tensor> tensors(static_cast<size_t>(count(it)));
  for (size_t i = 0; i < tensors.size(); ++i) {
    Check(get(it, static_cast<int>(i), &tensors[i]));
    if (tensors[i].data == nullptr && tensors[i].bytes > 0) {
      Fail(std::string("the library gave no memory for ") + kind + " '" + tensors[i].name + "'");
    }
  }
  return tensors;
}

std::vector<qrun_tensor> Inputs(const qrun_interpreter* it) {
  return Tensors(it, qrun_interpreter_input_count, qrun_interpreter_input, "input");
}

std::vector<qrun_tensor> Outputs(const qrun_interpreter* it) {
  return Tensors(it, qrun_interpreter_output_count, qrun_interpreter_output, "output");
}

// Checks the file count against the model before reading any file, then
// fills every input from its file or with zeros.
void FillInputs(const std::vector<qrun_tensor>& inputs, const Options& o) {
  const size_t files = o.input_paths.size();
  if (files > inputs.size()) {
    UsageFail(std::to_string(files) + " input files given, but the model has " +
              std::to_string(inputs.size()) + " input" + (inputs.size() == 1 ? "" : "s"));
  }
  if (files < inputs.size() && !o.zero_input) {
    UsageFail(MissingInputMessage(static_cast<int>(files), inputs[files]));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i < files) {
      LoadInput(o.input_paths[i], static_cast<int>(i), inputs[i], o.input_dtype);
    } else {
      FillZero(inputs[i], inputs[i].data);
    }
  }
}

int Main(int argc, char** argv) {
  const Options o = ParseOptions(argc, argv);
  if (o.help) {
    std::fputs(UsageText(), stdout);
    return kExitOk;
  }
  if (o.version) {
    std::printf("qrun %s\n", qrun_version());
    return kExitOk;
  }

  qrun_model* raw_model = nullptr;
  Check(qrun_model_load_file(o.model_path.c_str(), &raw_model));
  const ModelPtr model(raw_model);
  const InterpreterPtr interpreter = CreateInterpreter(model.get(), o);

  ReportData report;
  report.options = &o;
  report.arena_bytes = qrun_interpreter_arena_bytes(interpreter.get());
  report.labels = ParseLabels(qrun_model_metadata(model.get(), "labels"));
  report.inputs = Inputs(interpreter.get());
  FillInputs(report.inputs, o);

  const bool bench = o.bench_runs > 0;
  report.run = Run(interpreter.get(), report.inputs, bench ? o.warmup : 0, bench ? o.bench_runs : 1);
  report.outputs = Outputs(interpreter.get());
  for (const qrun_tensor& t : report.outputs) report.output_values.push_back(Dequantize(t, t.data));

  // Files first: a write error then leaves no half-report on stdout.
  if (!o.output_path.empty()) {
    WriteOutputs(o.output_path, report.outputs, report.output_values, o.dequantize);
  }
  if (!o.dump_dir.empty()) WriteDump(o.dump_dir, interpreter.get());
  if (o.json) {
    std::fputs(JsonReport(report).c_str(), stdout);
  } else {
    PrintTextReport(report, stdout);
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) Fail("cannot write to standard output");
  return kExitOk;
}

// Errors are one line even when they quote bytes from a broken file.
void PrintError(const char* message) {
  std::string line = message;
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  std::fprintf(stderr, "qrun: error: %s\n", line.c_str());
}

}  // namespace
}  // namespace qrun_cli

int main(int argc, char** argv) {
  using qrun_cli::CliError;
  using qrun_cli::PrintError;
  try {
    return qrun_cli::Main(argc, argv);
  } catch (const CliError& e) {
    PrintError(e.what());
    return e.code();
  } catch (const std::bad_alloc&) {
    PrintError("out of memory");
  } catch (const std::exception& e) {
    PrintError(e.what());
  }
  return qrun_cli::kExitRuntimeError;
}

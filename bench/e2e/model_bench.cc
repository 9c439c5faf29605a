// qrun_model_bench: end-to-end latency and memory of one model, through the
// public C API only (what an embedding app sees).
//
//   qrun_model_bench MODEL.qfb [--threads N] [--backend native|xnnpack|reference]
//                    [--isa auto|avx2|...] [--input FILE]... [--warmup N]
//                    [--iters N] [--min-seconds S] [--label TEXT] [--smaps]
//                    [--no-winograd]
//
// Prints exactly one JSON line on stdout, also on failure (then with an
// "error" field and exit status 1), so a runner can always collect it. One
// process per (model, threads, backend): ru_maxrss is the process's peak, so
// it only means "this model's peak" when nothing else was loaded before.
// Peak RSS is measured after the timed runs (VmHWM, see PeakRssBytes).
//
// Inputs: --input once per graph input, in order: raw bytes of the input's
// own dtype, or float32 values (quantized with the input's scale and zero
// point for int8/uint8 inputs). Without --input the inputs are zeros. Files
// are read straight into the input tensors (quantized in small chunks) so
// that reading them does not raise the peak RSS being measured.
#include <limits.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "qrun/qrun.h"

namespace {

constexpr size_t kRssSlackBytes = 4u << 20;  // issue #7: model + arena + packed + 4 MB

struct Args {
  std::string model;
  std::string label;
  std::string backend = "native";
  std::string isa = "auto";
  bool winograd = true;  // --no-winograd: direct 3x3 kernels
  std::vector<std::string> inputs;
  int threads = 1;
  int warmup = 5;
  int iters = 20;
  double min_seconds = 1.0;
  bool smaps = false;
};

// Minimal JSON line writer: keys in insertion order, strings escaped.
class JsonLine {
 public:
  void Str(const char* k, const std::string& v) { Key(k); Quote(v); }
  void Int(const char* k, long long v) { Key(k); out_ += std::to_string(v); }
  void Bool(const char* k, bool v) { Key(k); out_ += v ? "true" : "false"; }
  void Num(const char* k, double v) {
    Key(k);
    char buf[64];
    if (std::isfinite(v)) {
      std::snprintf(buf, sizeof buf, "%.4f", v);
    } else {
      std::snprintf(buf, sizeof buf, "null");
    }
    out_ += buf;
  }
  void Print() const { std::printf("{%s}\n", out_.c_str()); std::fflush(stdout); }

 private:
  void Key(const char* k) {
    if (!out_.empty()) out_ += ", ";
    Quote(k);
    out_ += ": ";
  }
  void Quote(const std::string& s) {
    out_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out_ += buf;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }
  std::string out_;
};

std::string Basename(const std::string& p) {
  const size_t s = p.find_last_of('/');
  std::string b = s == std::string::npos ? p : p.substr(s + 1);
  const size_t dot = b.rfind(".qfb");
  if (dot != std::string::npos && dot + 4 == b.size()) b.resize(dot);
  return b;
}

// Peak resident set of this program so far: VmHWM of /proc/self/status
// (Linux). getrusage's ru_maxrss is not used for it: Linux carries it over
// execve, so a process started by a big parent (Python's subprocess, ctest)
// reports the parent's peak when that was larger. Falls back to ru_maxrss.
size_t StatusKb(const char* key) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  unsigned long kb = 0;
  const size_t n = std::strlen(key);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, key, n) == 0 && std::sscanf(line + n, " %lu kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb;
}

size_t MaxRssBytes() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<size_t>(ru.ru_maxrss) * 1024u;  // Linux reports KiB
}

size_t PeakRssBytes() {
  const size_t hwm = StatusKb("VmHWM:");
  return hwm > 0 ? hwm * 1024u : MaxRssBytes();
}

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

bool ParseInt(const char* s, int lo, int hi, int* out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

// Returns "" or an error message.
std::string ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    const bool has_value = i + 1 < argc;
    if (k.size() > 2 && k[0] == '-' && k[1] == '-' && k != "--smaps" && k != "--no-winograd" &&
        !has_value) {
      return "missing value for " + k;
    }
    if (k == "--threads") {
      if (!ParseInt(argv[++i], 1, 256, &a->threads)) return "bad --threads";
    } else if (k == "--warmup") {
      if (!ParseInt(argv[++i], 0, 1000000, &a->warmup)) return "bad --warmup";
    } else if (k == "--iters") {
      if (!ParseInt(argv[++i], 1, 1000000, &a->iters)) return "bad --iters";
    } else if (k == "--min-seconds") {
      char* end = nullptr;
      a->min_seconds = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(a->min_seconds >= 0)) return "bad --min-seconds";
    } else if (k == "--smaps") {
      a->smaps = true;
    } else if (k == "--no-winograd") {
      a->winograd = false;
    } else if (k == "--backend") {
      a->backend = argv[++i];
    } else if (k == "--isa") {
      a->isa = argv[++i];
    } else if (k == "--input") {
      a->inputs.push_back(argv[++i]);
    } else if (k == "--label") {
      a->label = argv[++i];
    } else if (!k.empty() && k[0] != '-' && a->model.empty()) {
      a->model = k;
    } else {
      return "unknown argument " + k;
    }
  }
  if (a->model.empty()) return "usage: qrun_model_bench MODEL.qfb [--threads N] [--backend B] [--isa I] "
                               "[--input FILE]... [--warmup N] [--iters N] [--min-seconds S]";
  if (a->label.empty()) a->label = Basename(a->model);
  return "";
}

bool BackendFromName(const std::string& name, qrun_backend* out) {
  if (name == "native") *out = QRUN_BACKEND_NATIVE;
  else if (name == "xnnpack") *out = QRUN_BACKEND_XNNPACK;
  else if (name == "reference") *out = QRUN_BACKEND_REFERENCE;
  else return false;
  return true;
}

size_t ElementCount(const qrun_tensor& t) {
  size_t n = 1;
  for (int d = 0; d < t.rank; ++d) n *= static_cast<size_t>(t.dims[d]);
  return n;
}

// Round half to even in double after a float division, clamped: the same
// convention as qrun's CLI, so both programs feed identical int8 inputs.
template <typename T>
void QuantizeChunk(const float* src, size_t n, const qrun_tensor& t, double lo, double hi, T* dst) {
  for (size_t i = 0; i < n; ++i) {
    double q = std::isnan(src[i]) ? t.zero_point
                                  : std::nearbyint(static_cast<double>(src[i] / t.scale)) + t.zero_point;
    dst[i] = static_cast<T>(std::min(hi, std::max(lo, q)));
  }
}

// Reads `path` into input tensor `t`: raw bytes of its dtype, or float32
// quantized chunk by chunk. Returns "" or an error message.
std::string FillInput(const std::string& path, const qrun_tensor& t) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "cannot open input " + path;
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  const size_t n = ElementCount(t);
  std::string err;
  if (size >= 0 && static_cast<size_t>(size) == t.bytes) {
    if (std::fread(t.data, 1, t.bytes, f) != t.bytes) err = "short read on " + path;
  } else if (size >= 0 && static_cast<size_t>(size) == n * sizeof(float) &&
             (t.dtype == QRUN_DTYPE_INT8 || t.dtype == QRUN_DTYPE_UINT8)) {
    float chunk[4096];
    for (size_t done = 0; done < n && err.empty();) {
      const size_t m = std::min(n - done, sizeof chunk / sizeof chunk[0]);
      if (std::fread(chunk, sizeof(float), m, f) != m) {
        err = "short read on " + path;
      } else if (t.dtype == QRUN_DTYPE_INT8) {
        QuantizeChunk(chunk, m, t, -128, 127, static_cast<int8_t*>(t.data) + done);
      } else {
        QuantizeChunk(chunk, m, t, 0, 255, static_cast<uint8_t*>(t.data) + done);
      }
      done += m;
    }
  } else {
    err = path + ": " + std::to_string(size) + " bytes, input '" + (t.name ? t.name : "") +
          "' needs " + std::to_string(t.bytes) + " (own dtype) or " +
          std::to_string(n * sizeof(float)) + " (float32)";
  }
  std::fclose(f);
  return err;
}

// The ISA level the kernels actually ran at, read off the kernel names
// (the C API reports the requested level only): the best level any op used.
std::string IsaFromKernels(const qrun_interpreter* it) {
  static const char* const kLevels[] = {"avx512vnni", "avxvnni", "avx2", "i8mm", "neondot", "neon"};
  int best = -1;
  bool xnn = false;
  const int ops = qrun_interpreter_op_count(it);
  for (int i = 0; i < ops; ++i) {
    qrun_op_profile p;
    if (qrun_interpreter_op_profile(it, i, &p) != QRUN_OK || p.kernel == nullptr) continue;
    if (std::strstr(p.kernel, "xnn") != nullptr) xnn = true;
    for (int l = 0; l < static_cast<int>(sizeof kLevels / sizeof kLevels[0]); ++l) {
      // "neon" is a prefix of "neondot": take the first (best) match per kernel.
      if (std::strstr(p.kernel, kLevels[l]) != nullptr) {
        if (best < 0 || l < best) best = l;
        break;
      }
    }
  }
  std::string s = best < 0 ? "reference" : kLevels[best];
  if (xnn) s += "+xnnpack";
  return s;
}

// Resident bytes of file-backed mappings other than the model (the program's
// and shared libraries' code and read-only data: shared with every process
// using them, yet counted in RSS) from /proc/self/smaps; with `print`, every
// mapping over 16 kB goes to stderr, to explain a peak RSS over the bound.
size_t FileBackedRssBytes(const std::string& model_path, bool print) {
  char model_real[PATH_MAX];
  if (realpath(model_path.c_str(), model_real) == nullptr) model_real[0] = '\0';
  FILE* f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return 0;
  char line[PATH_MAX + 128], header[PATH_MAX + 128] = "";
  const char* path = nullptr;
  size_t total = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long kb = 0;
    if (std::sscanf(line, "Rss: %lu kB", &kb) == 1) {
      if (print && kb >= 16) std::fprintf(stderr, "%8lu kB  %s\n", kb, header);
      const bool is_model = path != nullptr && model_real[0] != '\0' && std::strcmp(path, model_real) == 0;
      if (path != nullptr && !is_model) total += kb * 1024u;
    } else if (std::isxdigit(static_cast<unsigned char>(line[0])) && std::strchr(line, '-') != nullptr &&
               std::strstr(line, " kB") == nullptr) {
      // A mapping's header, "start-end perms offset dev inode [path]": the
      // first '/' starts the path ([heap], [stack] and anonymous have none).
      std::snprintf(header, sizeof header, "%s", line);
      header[std::strcspn(header, "\n")] = '\0';
      path = std::strchr(header, '/');
    }
  }
  std::fclose(f);
  return total;
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = (v.size() - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(pos)), hi = static_cast<size_t>(std::ceil(pos));
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

int Run(const Args& a, JsonLine* j) {
  // Resident before any qrun call: the program and its shared libraries.
  j->Int("base_rss_bytes", static_cast<long long>(StatusKb("VmRSS:") * 1024u));
  qrun_backend backend;
  if (!BackendFromName(a.backend, &backend)) {
    j->Str("error", "unknown backend '" + a.backend + "' (native|xnnpack|reference)");
    return 1;
  }
  qrun_model* model = nullptr;
  if (qrun_model_load_file(a.model.c_str(), &model) != QRUN_OK) {
    j->Str("error", std::string("load: ") + qrun_last_error());
    return 1;
  }
  const size_t file_bytes = qrun_model_size_bytes(model);
  j->Int("file_bytes", static_cast<long long>(file_bytes));

  qrun_options opts = qrun_options_default();
  opts.num_threads = a.threads;
  opts.backend = backend;
  opts.isa = a.isa.c_str();
  opts.winograd = a.winograd ? 1 : 0;
  qrun_interpreter* it = nullptr;
  if (qrun_interpreter_create(model, &opts, &it) != QRUN_OK) {
    j->Str("error", std::string("create: ") + qrun_last_error());
    qrun_model_free(model);
    return 1;
  }
  qrun_model_free(model);  // the interpreter keeps its own reference
  const size_t arena = qrun_interpreter_arena_bytes(it);
  const size_t packed = qrun_interpreter_packed_bytes(it);
  j->Str("isa_kernels", IsaFromKernels(it));
  j->Int("ops", qrun_interpreter_op_count(it));

  const int n_in = qrun_interpreter_input_count(it);
  if (!a.inputs.empty() && static_cast<int>(a.inputs.size()) != n_in) {
    j->Str("error", "model has " + std::to_string(n_in) + " inputs, got " +
                        std::to_string(a.inputs.size()) + " --input files");
    qrun_interpreter_free(it);
    return 1;
  }
  for (int i = 0; i < n_in; ++i) {
    qrun_tensor t;
    qrun_interpreter_input(it, i, &t);
    std::string err;
    if (a.inputs.empty()) {
      // Zero means the zero point for quantized inputs (a real 0.0).
      if (t.dtype == QRUN_DTYPE_INT8 || t.dtype == QRUN_DTYPE_UINT8) {
        std::memset(t.data, t.dtype == QRUN_DTYPE_INT8 ? static_cast<int8_t>(t.zero_point)
                                                       : static_cast<uint8_t>(t.zero_point), t.bytes);
      } else {
        std::memset(t.data, 0, t.bytes);
      }
    } else {
      err = FillInput(a.inputs[i], t);
    }
    if (!err.empty()) {
      j->Str("error", err);
      qrun_interpreter_free(it);
      return 1;
    }
  }
  j->Str("input", a.inputs.empty() ? "zeros" : Basename(a.inputs[0]));

  using Clock = std::chrono::steady_clock;
  // Documented not to fail for a created interpreter; checked once anyway.
  if (qrun_interpreter_invoke(it) != QRUN_OK) {
    j->Str("error", std::string("invoke: ") + qrun_last_error());
    qrun_interpreter_free(it);
    return 1;
  }
  for (int i = 0; i < a.warmup; ++i) qrun_interpreter_invoke(it);
  // Sized up front: the loop below must not allocate (it would show in RSS).
  const size_t max_iters = static_cast<size_t>(a.iters) * 64 + 1000;
  std::vector<double> ms;
  ms.reserve(max_iters);
  const double cpu0 = CpuSeconds();
  const auto start = Clock::now();
  double elapsed = 0;
  while (ms.size() < max_iters && (ms.size() < static_cast<size_t>(a.iters) || elapsed < a.min_seconds)) {
    const auto t0 = Clock::now();
    qrun_interpreter_invoke(it);
    const auto t1 = Clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    elapsed = std::chrono::duration<double>(t1 - start).count();
  }
  const double cpu = CpuSeconds() - cpu0;

  double sum = 0;
  for (double v : ms) sum += v;
  const size_t rss = PeakRssBytes();  // after the runs: includes every page touched
  const size_t bound = file_bytes + arena + packed + kRssSlackBytes;
  j->Int("iters", static_cast<long long>(ms.size()));
  j->Num("median_ms", Percentile(ms, 0.5));
  j->Num("min_ms", *std::min_element(ms.begin(), ms.end()));
  j->Num("mean_ms", sum / ms.size());
  j->Num("p90_ms", Percentile(ms, 0.9));
  j->Num("cpu_per_wall", elapsed > 0 ? cpu / elapsed : 0);
  j->Int("arena_bytes", static_cast<long long>(arena));
  j->Int("packed_bytes", static_cast<long long>(packed));
  j->Int("peak_rss_bytes", static_cast<long long>(rss));
  j->Int("ru_maxrss_bytes", static_cast<long long>(MaxRssBytes()));
  j->Int("rss_bound_bytes", static_cast<long long>(bound));
  j->Bool("rss_ok", rss <= bound);
  // Current (not peak) file-backed RSS: the part of the peak that is code.
  j->Int("code_rss_bytes", static_cast<long long>(FileBackedRssBytes(a.model, a.smaps)));
  qrun_interpreter_free(it);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  const std::string err = ParseArgs(argc, argv, &a);
  JsonLine j;
  j.Str("system", "qrun");
  j.Str("version", qrun_version());
  j.Str("model", a.label.empty() ? Basename(a.model) : a.label);
  j.Str("backend", a.backend);
  j.Str("isa", a.isa);
  j.Bool("winograd", a.winograd);
  j.Int("threads", a.threads);
  if (!err.empty()) {
    j.Str("error", err);
    j.Print();
    return 2;
  }
  const int rc = Run(a, &j);
  j.Print();
  return rc;
}

// qinspect MODEL.qfb: what a model file holds and what qrun plans for it.
//
// The structure comes from the runtime's loader (so the file is verified and
// validated exactly as an application would load it); the plan (arena,
// packed weights, kernel and MACs per op) from an interpreter created through
// the C API, as an application would create it.
#include <flatbuffers/minireflect.h>
#include <qrun/qrun.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "runtime/model.h"

namespace {

const char kUsage[] =
    "usage: qinspect MODEL.qfb [options]\n"
    "\n"
    "Prints a .qfb model: size, metadata, inputs and outputs, the plan an\n"
    "interpreter makes for it (activation arena, packed weights, MACs), and one\n"
    "line per op with its kernel, MACs, output and options.\n"
    "\n"
    "options:\n"
    "  --tensors          also list every tensor: dtype, shape, constant or\n"
    "                     activation, bytes, quantization\n"
    "  --backend NAME     plan with native (default), reference or xnnpack\n"
    "  --isa NAME         native kernels' instruction set (as qrun --isa)\n"
    "  --threads N        plan for N threads (default 1)\n"
    "  -h, --help         print this help and exit\n"
    "\n"
    "Exit status: 0 on success, 1 if the model does not load, 2 for a bad\n"
    "command line.\n";

struct Args {
  std::string model;
  bool tensors = false;
  std::string backend = "native";
  std::string isa;
  int threads = 1;
};

[[noreturn]] void UsageError(const std::string& msg) {
  std::fprintf(stderr, "qinspect: %s (qinspect --help)\n", msg.c_str());
  std::exit(2);
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) UsageError(s + " needs a value");
      return argv[++i];
    };
    if (s == "-h" || s == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (s == "--tensors") {
      a.tensors = true;
    } else if (s == "--backend") {
      a.backend = value();
      if (a.backend != "native" && a.backend != "reference" && a.backend != "xnnpack") {
        UsageError("unknown backend '" + a.backend + "'");
      }
    } else if (s == "--isa") {
      a.isa = value();
    } else if (s == "--threads") {
      const std::string v = value();
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || n < 1 || n > 256) UsageError("--threads takes 1..256");
      a.threads = static_cast<int>(n);
    } else if (!s.empty() && s[0] == '-') {
      UsageError("unknown option '" + s + "'");
    } else if (a.model.empty()) {
      a.model = s;
    } else {
      UsageError("one model at a time");
    }
  }
  if (a.model.empty()) UsageError("no model given");
  return a;
}

std::string Bytes(uint64_t b) {
  char buf[32];
  if (b >= 1024 * 1024) std::snprintf(buf, sizeof(buf), "%.2f MB", static_cast<double>(b) / (1024.0 * 1024.0));
  else if (b >= 1024) std::snprintf(buf, sizeof(buf), "%.1f KB", static_cast<double>(b) / 1024.0);
  else std::snprintf(buf, sizeof(buf), "%" PRIu64 " B", b);
  return buf;
}

std::string Count(uint64_t n) {
  char buf[32];
  if (n >= 1000000) std::snprintf(buf, sizeof(buf), "%.2fM", static_cast<double>(n) / 1e6);
  else if (n >= 1000) std::snprintf(buf, sizeof(buf), "%.1fK", static_cast<double>(n) / 1e3);
  else std::snprintf(buf, sizeof(buf), "%" PRIu64, n);
  return buf;
}

// "scale 0.0187 zp -14", "per-channel (32 on axis 0): scale 0.0011..0.0213 zp 0".
std::string QuantString(const qrun::TensorInfo& t) {
  const qrun::Quantization& q = t.quant;
  if (q.scale.empty()) return "";
  char buf[160];
  if (!q.per_channel()) {
    std::snprintf(buf, sizeof(buf), "scale %.6g zp %d", static_cast<double>(q.scale[0]), q.zero_point[0]);
    return buf;
  }
  float lo = q.scale[0], hi = q.scale[0];
  int32_t zlo = q.zero_point[0], zhi = q.zero_point[0];
  for (size_t i = 0; i < q.scale.size(); ++i) {
    lo = std::min(lo, q.scale[i]);
    hi = std::max(hi, q.scale[i]);
    zlo = std::min(zlo, q.zero_point[i]);
    zhi = std::max(zhi, q.zero_point[i]);
  }
  if (zlo == zhi) {
    std::snprintf(buf, sizeof(buf), "per-channel (%zu on axis %d): scale %.4g..%.4g zp %d", q.scale.size(),
                  q.axis, static_cast<double>(lo), static_cast<double>(hi), zlo);
  } else {
    std::snprintf(buf, sizeof(buf), "per-channel (%zu on axis %d): scale %.4g..%.4g zp %d..%d",
                  q.scale.size(), q.axis, static_cast<double>(lo), static_cast<double>(hi), zlo, zhi);
  }
  return buf;
}

std::string TensorBrief(const qrun::TensorInfo& t) {
  std::string s = std::string(qrun::dtype_name(t.dtype)) + " " + t.shape_string();
  const std::string q = QuantString(t);
  return q.empty() ? s : s + " " + q;
}

// The op's options table as "{ field: value, ... }" with the fields that
// differ from their defaults (FlatBuffers mini-reflection over the generated
// type tables), or "" for none.
std::string OptionsString(const qrun::fb::Operator* op) {
  if (op == nullptr || op->options() == nullptr) return "";
  const flatbuffers::TypeTable* ut = qrun::fb::OpOptionsTypeTable();
  const size_t u = static_cast<size_t>(op->options_type());
  if (u == 0 || u >= ut->num_elems) return "";
  const flatbuffers::TypeTable* tt = ut->type_refs[ut->type_codes[u].sequence_ref]();
  flatbuffers::ToStringVisitor v(" ", false, "", false);
  flatbuffers::IterateObject(static_cast<const uint8_t*>(op->options()), tt, &v);
  // Nested tables with only defaults (e.g. "activation: {  }") say nothing.
  std::string t = v.s;
  for (size_t p; (p = t.find(": {  }")) != std::string::npos;) {
    size_t begin = t.rfind(' ', p) + 1, end = p + 6;
    if (t.compare(end, 2, ", ") == 0) end += 2;
    else if (begin >= 2 && t.compare(begin - 2, 2, ", ") == 0) begin -= 2;
    t.erase(begin, end - begin);
  }
  return t.find(':') == std::string::npos ? "" : t;  // "{  }": all defaults
}

// The interpreter's view, through the C API; empty (with the error kept)
// when the interpreter cannot be created (e.g. an ISA this CPU lacks).
struct Plan {
  std::string error;
  size_t arena = 0, packed = 0;
  std::vector<std::string> kernels;  // per op
  std::vector<uint64_t> macs;        // per op
};

Plan MakePlan(const Args& a) {
  Plan p;
  qrun_model* m = nullptr;
  if (qrun_model_load_file(a.model.c_str(), &m) != QRUN_OK) {
    p.error = qrun_last_error();
    return p;
  }
  qrun_options o = qrun_options_default();
  o.num_threads = a.threads;
  o.backend = a.backend == "reference" ? QRUN_BACKEND_REFERENCE
              : a.backend == "xnnpack" ? QRUN_BACKEND_XNNPACK
                                       : QRUN_BACKEND_NATIVE;
  if (!a.isa.empty()) o.isa = a.isa.c_str();
  qrun_interpreter* it = nullptr;
  if (qrun_interpreter_create(m, &o, &it) != QRUN_OK) {
    p.error = qrun_last_error();
    qrun_model_free(m);
    return p;
  }
  p.arena = qrun_interpreter_arena_bytes(it);
  p.packed = qrun_interpreter_packed_bytes(it);
  const int n = qrun_interpreter_op_count(it);
  for (int i = 0; i < n; ++i) {
    qrun_op_profile op;
    if (qrun_interpreter_op_profile(it, i, &op) != QRUN_OK) break;
    p.kernels.emplace_back(op.kernel ? op.kernel : "");  // copied: owned by the interpreter
    p.macs.push_back(op.macs);
  }
  qrun_interpreter_free(it);
  qrun_model_free(m);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = ParseArgs(argc, argv);
  std::shared_ptr<const qrun::Model> model;
  const qrun::Status st = qrun::Model::LoadFile(a.model, &model);
  if (!st.ok()) {
    std::fprintf(stderr, "qinspect: error: %s\n", st.message().c_str());
    return 1;
  }
  const qrun::Model& m = *model;

  size_t const_count = 0, const_bytes = 0;
  for (const qrun::TensorInfo& t : m.tensors()) {
    if (t.is_constant()) {
      ++const_count;
      const_bytes += t.bytes;
    }
  }
  std::printf("%s: %s, %zu ops, %zu tensors (%zu constants, %s)\n", a.model.c_str(),
              Bytes(m.size_bytes()).c_str(), m.ops().size(), m.tensors().size(), const_count,
              Bytes(const_bytes).c_str());
  for (const auto& kv : m.metadata_entries()) {
    std::string v = kv.second;
    if (v.size() > 100) v = v.substr(0, 97) + "...";
    std::printf("  %s: %s\n", kv.first.c_str(), v.c_str());
  }
  for (size_t i = 0; i < m.inputs().size(); ++i) {
    const qrun::TensorInfo& t = m.tensor(m.inputs()[i]);
    std::printf("input %zu '%s': %s\n", i, t.name.c_str(), TensorBrief(t).c_str());
  }
  for (size_t i = 0; i < m.outputs().size(); ++i) {
    const qrun::TensorInfo& t = m.tensor(m.outputs()[i]);
    std::printf("output %zu '%s': %s\n", i, t.name.c_str(), TensorBrief(t).c_str());
  }

  const Plan plan = MakePlan(a);
  uint64_t macs = 0;
  for (uint64_t n : plan.macs) macs += n;
  if (plan.error.empty()) {
    std::printf("plan (%s backend, %d thread%s): arena %s, packed weights %s, %s MACs per run\n",
                a.backend.c_str(), a.threads, a.threads == 1 ? "" : "s", Bytes(plan.arena).c_str(),
                Bytes(plan.packed).c_str(), Count(macs).c_str());
  } else {
    std::printf("plan: not available: %s\n", plan.error.c_str());
  }

  std::printf("ops:\n");
  for (size_t i = 0; i < m.ops().size(); ++i) {
    const qrun::OpInfo& op = m.ops()[i];
    const bool planned = i < plan.kernels.size();
    std::string out = op.outputs.empty() ? "" : TensorBrief(m.tensor(op.outputs[0]));
    std::printf("%4zu %-20s %-40s", i, qrun::op_type_name(op.type), ("'" + op.name + "'").c_str());
    if (planned) {
      std::printf(" %-38s", plan.kernels[i].c_str());
      if (plan.macs[i]) std::printf(" %8s MACs", Count(plan.macs[i]).c_str());
    }
    std::printf("\n       in:");
    for (int t : op.inputs) {
      if (t < 0) std::printf(" -");
      else std::printf(" %d%s", t, m.tensor(t).is_constant() ? "(const)" : "");
    }
    std::printf("  out: %s\n", out.c_str());
    const std::string opts = OptionsString(op.fb);
    if (!opts.empty()) std::printf("       options: %s\n", opts.c_str());
  }

  if (a.tensors) {
    std::printf("tensors:\n");
    for (size_t i = 0; i < m.tensors().size(); ++i) {
      const qrun::TensorInfo& t = m.tensors()[i];
      std::printf("%4zu %-40s %-10s %-18s %10s %s\n", i, ("'" + t.name + "'").c_str(),
                  t.is_constant() ? "constant" : "activation", qrun::dtype_name(t.dtype),
                  Bytes(t.bytes).c_str(), (t.shape_string() + " " + QuantString(t)).c_str());
    }
  }
  return 0;
}

// Relu / Clip fused into the producing Conv, Gemm, MatMul, Add, Mul or pool
// when nothing else reads the producer's output.
#include <cmath>
#include <set>

#include "converter/passes/passes.h"

namespace qrun::conv {

bool ClipRange(const Graph& g, const Node& n, double* lo, double* hi);

std::string ActivationName(const Node& n) { return n.gets("qrun_act", ""); }

Status FuseActivations(Graph* g) {
  static const std::set<std::string> kFusable = {"Conv", "Gemm", "MatMul", "Add", "Mul",
                                                 "MaxPool", "AveragePool"};
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    Node act = g->nodes[k];
    double lo, hi;
    if (!ClipRange(*g, act, &lo, &hi)) continue;
    const std::string x = act.inputs[0];
    const int p = g->producer(x);
    if (p < 0) continue;
    Node& prod = g->nodes[static_cast<size_t>(p)];
    if (!kFusable.count(prod.op) || prod.has("qrun_act") || g->consumers(x).size() != 1 ||
        g->is_graph_output(x)) {
      continue;
    }
    std::string kind = "clamp";
    if (lo == 0 && std::isinf(hi)) kind = "relu";
    else if (lo == 0 && hi == 6) kind = "relu6";
    prod.attrs["qrun_act"].kind = Attr::kString;
    prod.attrs["qrun_act"].s = kind;
    prod.attrs["qrun_act_min"].kind = Attr::kFloat;
    prod.attrs["qrun_act_min"].f = static_cast<float>(lo);
    prod.attrs["qrun_act_max"].kind = Attr::kFloat;
    prod.attrs["qrun_act_max"].f = static_cast<float>(hi);
    prod.outputs[0] = act.outputs[0];
    g->nodes.erase(g->nodes.begin() + static_cast<long>(k));
    --k;
  }
  g->remove_dead();
  return Status::Ok();
}

}  // namespace qrun::conv

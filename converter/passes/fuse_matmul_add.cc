// MatMul(x, W) followed by Add(., b) with a constant b of N elements becomes
// one Gemm(x, W, b), so the bias is folded into the FULLY_CONNECTED op (an
// int32 bias in int8) instead of a separate ADD with its own rounding.
// This is the form PyTorch's nn.Linear takes when exported with inputs of
// rank > 2 or by some exporters at rank 2.
#include "converter/passes/passes.h"

namespace qrun::conv {

Status FuseMatMulAdd(Graph* g) {
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    Node& mm = g->nodes[k];
    if (mm.op != "MatMul" || mm.inputs.size() != 2 || !g->is_const(mm.inputs[1])) continue;
    const Value* w = g->find(mm.inputs[1]);
    if (w == nullptr || w->shape.size() != 2) continue;
    const std::string y = mm.outputs[0];
    const Value* yv = g->find(y);
    // A quantization fixed by the file on the MatMul output (QDQ) means the
    // product is rounded before the Add: keep the two ops to stay exact.
    if (yv == nullptr || !yv->quant.empty() || g->is_graph_output(y)) continue;
    const auto uses = g->consumers(y);
    if (uses.size() != 1) continue;
    Node& add = g->nodes[static_cast<size_t>(uses[0].first)];
    if (add.op != "Add" || add.inputs.size() != 2 || add.has("qrun_act")) continue;
    const std::string& other = add.inputs[uses[0].second == 0 ? 1 : 0];
    const Value* b = g->find(other);
    const int64_t n = w->shape[1];
    if (b == nullptr || !b->is_const || b->elements() != n || !b->qdata.empty()) continue;
    // b must broadcast along the last axis only: shape [N], [1, N], [1, 1, N]...
    bool last_axis = !b->shape.empty() && b->shape.back() == n;
    for (size_t d = 0; d + 1 < b->shape.size(); ++d) last_axis = last_axis && b->shape[d] == 1;
    if (!last_axis || b->shape.size() > yv->shape.size()) continue;  // no rank growth
    mm.op = "Gemm";  // transA = transB = 0, alpha = beta = 1: the defaults
    mm.inputs.push_back(other);
    mm.outputs = add.outputs;
    g->nodes.erase(g->nodes.begin() + uses[0].first);
    if (static_cast<size_t>(uses[0].first) < k) --k;
  }
  g->remove_dead();
  return Status::Ok();
}

}  // namespace qrun::conv

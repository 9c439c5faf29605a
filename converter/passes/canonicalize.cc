// Sub / Div by constants become Add / Mul, so lowering sees fewer forms.
#include "converter/passes/passes.h"

namespace qrun::conv {

Status CanonicalizeArithmetic(Graph* g) {
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    Node& n = g->nodes[k];
    if (n.op != "Sub" && n.op != "Div") continue;
    const bool c0 = g->is_const(n.inputs[0]), c1 = g->is_const(n.inputs[1]);
    if (c1) {
      Value c = *g->find(n.inputs[1]);
      c.name = g->unique_name(c.name + (n.op == "Sub" ? "_neg" : "_recip"));
      c.qdata.clear();
      for (double& d : c.data) d = n.op == "Sub" ? -d : static_cast<float>(1.0 / d);
      g->values[c.name] = c;
      n.inputs[1] = c.name;
      n.op = n.op == "Sub" ? "Add" : "Mul";
      continue;
    }
    if (n.op == "Div") {
      return Error(QRUN_ERROR_UNSUPPORTED, node_label(n), " (opset ", g->opset,
                   "): Div is supported only by a constant divisor");
    }
    // a - b = a + (-1 * b); for a constant a this is (-1 * b) + a.
    Value m;
    m.name = g->unique_name(n.name + "_minus1");
    m.type = ElemType::kFloat;
    m.is_const = m.has_shape = true;
    m.data = {-1.0};
    g->values[m.name] = m;
    const std::string negb = g->unique_name(n.name + "_negated");
    Value& nv = g->value(negb);
    nv.type = ElemType::kFloat;
    nv.has_shape = true;
    nv.shape = g->find(n.inputs[1])->shape;
    Node mul;
    mul.name = n.name + "_neg";
    mul.op = "Mul";
    mul.inputs = {n.inputs[1], m.name};
    mul.outputs = {negb};
    n.op = "Add";
    n.inputs = c0 ? std::vector<std::string>{negb, n.inputs[0]} : std::vector<std::string>{n.inputs[0], negb};
    g->nodes.insert(g->nodes.begin() + static_cast<long>(k), mul);
    ++k;
  }
  return Status::Ok();
}

}  // namespace qrun::conv

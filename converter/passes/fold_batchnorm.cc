// BatchNormalization folded into the preceding Conv / Gemm; a standalone one
// becomes Mul + Add with per-channel constants.
#include <cmath>

#include "converter/passes/passes.h"

namespace qrun::conv {
namespace {

bool SingleConsumer(const Graph& g, const std::string& v) {
  return g.consumers(v).size() == 1 && !g.is_graph_output(v);
}

}  // namespace

Status FoldBatchNorm(Graph* g) {
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    Node bn = g->nodes[k];
    if (bn.op != "BatchNormalization") continue;
    for (size_t i = 1; i < 5; ++i) {
      if (!g->is_const(bn.inputs.at(i))) {
        return Error(QRUN_ERROR_UNSUPPORTED, node_label(bn), ": non-constant statistics");
      }
    }
    const Value& gamma = *g->find(bn.inputs[1]);
    const Value& beta = *g->find(bn.inputs[2]);
    const Value& mean = *g->find(bn.inputs[3]);
    const Value& var = *g->find(bn.inputs[4]);
    const double eps = bn.getf("epsilon", 1e-5f);
    const size_t c = gamma.data.size();
    const Value* xin = g->find(bn.inputs[0]);
    const bool channels_known = xin != nullptr && xin->has_shape && xin->shape.size() >= 2 && xin->shape[1] >= 0;
    if (beta.data.size() != c || mean.data.size() != c || var.data.size() != c ||
        (channels_known && static_cast<int64_t>(c) != xin->shape[1])) {
      return Error(QRUN_ERROR_INVALID_MODEL, node_label(bn),
                   ": scale, bias, mean and variance need one value per channel");
    }
    for (size_t i = 0; i < c; ++i) {
      const double v = var.data[i] + eps;
      if (!(v > 0) || !std::isfinite(v) || !std::isfinite(gamma.data[i]) || !std::isfinite(beta.data[i]) ||
          !std::isfinite(mean.data[i])) {
        return Error(QRUN_ERROR_INVALID_MODEL, node_label(bn), ": channel ", i,
                     " has a non-finite parameter or variance + epsilon <= 0");
      }
    }
    std::vector<double> scale(c), shift(c);
    for (size_t i = 0; i < c; ++i) {
      scale[i] = gamma.data[i] / std::sqrt(var.data[i] + eps);
      shift[i] = beta.data[i] - mean.data[i] * scale[i];
    }
    const std::string x = bn.inputs[0];
    const int p = g->producer(x);
    Node* prod = p >= 0 ? &g->nodes[static_cast<size_t>(p)] : nullptr;
    bool folded = false;
    if (prod && SingleConsumer(*g, x) && (prod->op == "Conv" || prod->op == "Gemm") &&
        g->is_const(prod->inputs.at(1)) && (!prod->has_input(2) || g->is_const(prod->inputs[2])) &&
        g->find(prod->inputs[1])->qdata.empty()) {
      const Value& w0 = *g->find(prod->inputs[1]);
      bool ok = true;
      size_t out_c = 0, per = 0;
      bool column_major = false;  // Gemm with transB = 0: W is [K][N]
      if (prod->op == "Conv") {
        out_c = static_cast<size_t>(w0.shape[0]);
        per = static_cast<size_t>(w0.elements()) / out_c;
      } else {
        ok = prod->getf("alpha", 1.0f) == 1.0f && prod->getf("beta", 1.0f) == 1.0f;
        column_major = prod->geti("transB", 0) == 0;
        out_c = static_cast<size_t>(column_major ? w0.shape[1] : w0.shape[0]);
        per = static_cast<size_t>(w0.elements()) / out_c;
      }
      if (ok && out_c == c) {
        // New constants (the originals may be shared with other nodes).
        Value w = w0;
        w.name = g->unique_name(w0.name + "_bnfolded");
        for (size_t o = 0; o < c; ++o) {
          for (size_t e = 0; e < per; ++e) {
            double& d = column_major ? w.data[e * c + o] : w.data[o * per + e];
            d = static_cast<float>(d * scale[o]);
          }
        }
        Value b;
        b.name = g->unique_name(w0.name + "_bnbias");
        b.type = ElemType::kFloat;
        b.is_const = b.has_shape = true;
        b.shape = {static_cast<int64_t>(c)};
        b.data.assign(c, 0.0);
        if (prod->has_input(2)) {
          const Value& b0 = *g->find(prod->inputs[2]);
          for (size_t o = 0; o < c; ++o) b.data[o] = b0.data[b0.data.size() == 1 ? 0 : o];
        }
        for (size_t o = 0; o < c; ++o) b.data[o] = static_cast<float>(b.data[o] * scale[o] + shift[o]);
        g->values[w.name] = w;
        g->values[b.name] = b;
        prod->inputs[1] = w.name;
        if (prod->inputs.size() < 3) prod->inputs.resize(3);
        prod->inputs[2] = b.name;
        prod->outputs[0] = bn.outputs[0];
        g->nodes.erase(g->nodes.begin() + static_cast<long>(k));
        --k;
        folded = true;
      }
    }
    if (folded) continue;
    // Standalone: y = x * scale + shift, constants shaped [C, 1, 1] for NCHW.
    const Value& xv = *g->find(x);
    std::vector<int64_t> cshape = {static_cast<int64_t>(c)};
    for (size_t d = 2; d < xv.shape.size(); ++d) cshape.push_back(1);
    Value sv, tv;
    sv.name = g->unique_name(bn.name + "_scale");
    tv.name = g->unique_name(bn.name + "_shift");
    for (Value* v : {&sv, &tv}) {
      v->type = ElemType::kFloat;
      v->is_const = v->has_shape = true;
      v->shape = cshape;
    }
    for (size_t i = 0; i < c; ++i) {
      sv.data.push_back(static_cast<float>(scale[i]));
      tv.data.push_back(static_cast<float>(shift[i]));
    }
    g->values[sv.name] = sv;
    g->values[tv.name] = tv;
    const std::string mid = g->unique_name(bn.name + "_scaled");
    Value& mv = g->value(mid);
    mv.type = ElemType::kFloat;
    mv.has_shape = true;
    mv.shape = xv.shape;
    Node mul, add;
    mul.name = bn.name + "_mul";
    mul.op = "Mul";
    mul.inputs = {x, sv.name};
    mul.outputs = {mid};
    add.name = bn.name;
    add.op = "Add";
    add.inputs = {mid, tv.name};
    add.outputs = {bn.outputs[0]};
    g->nodes[k] = add;
    g->nodes.insert(g->nodes.begin() + static_cast<long>(k), mul);
    ++k;
  }
  g->remove_dead();
  return Status::Ok();
}

}  // namespace qrun::conv

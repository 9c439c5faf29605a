// Decomposed HardSigmoid / HardSwish recognised (after CanonicalizeArithmetic):
//   clip(x + 3, 0, 6) * (1/6)            -> HardSigmoid(x; 1/6, 0.5)
//   x * HardSigmoid(x; 1/6, 0.5)         -> HardSwish(x)
//   (x * clip(x + 3, 0, 6)) * (1/6)      -> HardSwish(x)
// Relu6 written as Clip(0, 6) is matched by its range.
#include <cmath>

#include "converter/passes/passes.h"

namespace qrun::conv {
namespace {

bool Near(double a, double b) { return std::fabs(a - b) <= 1e-5 * std::max(1.0, std::fabs(b)); }

// Scalar constant value (any shape with all elements equal).
bool ScalarConst(const Graph& g, const std::string& name, double* v) {
  const Value* c = g.find(name);
  if (c == nullptr || !c->is_const || c->data.empty()) return false;
  for (double d : c->data) {
    if (d != c->data[0]) return false;
  }
  *v = c->data[0];
  return true;
}

bool OnlyConsumer(const Graph& g, const std::string& v) {
  return g.consumers(v).size() == 1 && !g.is_graph_output(v);
}

const Node* Producer(const Graph& g, const std::string& v) {
  const int p = g.producer(v);
  return p < 0 ? nullptr : &g.nodes[static_cast<size_t>(p)];
}

// The other input of a binary node whose input `slot` is a scalar constant.
bool BinaryWithScalar(const Graph& g, const Node& n, const std::string& op, double* c,
                      std::string* other) {
  if (n.op != op || n.inputs.size() != 2) return false;
  for (int s = 0; s < 2; ++s) {
    if (ScalarConst(g, n.inputs[static_cast<size_t>(s)], c) && !g.is_const(n.inputs[static_cast<size_t>(1 - s)])) {
      *other = n.inputs[static_cast<size_t>(1 - s)];
      return true;
    }
  }
  return false;
}

}  // namespace

bool ClipRange(const Graph& g, const Node& n, double* lo, double* hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  if (n.op == "Relu") {
    *lo = 0;
    return true;
  }
  if (n.op != "Clip") return false;
  if (n.has("min")) *lo = n.getf("min", -INFINITY);
  if (n.has("max")) *hi = n.getf("max", INFINITY);
  if (n.has_input(1) && !ScalarConst(g, n.inputs[1], lo)) return false;
  if (n.has_input(2) && !ScalarConst(g, n.inputs[2], hi)) return false;
  return true;
}

// x + 3 -> clip(0, 6) chain ending at value `v`; returns x.
static bool MatchRelu6OfXPlus3(const Graph& g, const std::string& v, std::string* x) {
  const Node* clip = Producer(g, v);
  double lo, hi, c;
  if (clip == nullptr || !ClipRange(g, *clip, &lo, &hi) || !Near(lo, 0) || !Near(hi, 6)) return false;
  const Node* add = Producer(g, clip->inputs[0]);
  if (add == nullptr || !BinaryWithScalar(g, *add, "Add", &c, x) || !Near(c, 3)) return false;
  return OnlyConsumer(g, clip->inputs[0]);
}

Status RecognizeHardSwish(Graph* g) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t k = 0; k < g->nodes.size() && !changed; ++k) {
      Node& n = g->nodes[k];
      double c;
      std::string a;
      // (...) * (1/6)
      if (BinaryWithScalar(*g, n, "Mul", &c, &a) && Near(c, 1.0 / 6.0)) {
        std::string x;
        if (MatchRelu6OfXPlus3(*g, a, &x) && OnlyConsumer(*g, a)) {
          n.op = "HardSigmoid";
          n.inputs = {x};
          n.attrs.clear();
          n.attrs["alpha"].kind = Attr::kFloat;
          n.attrs["alpha"].f = 1.0f / 6.0f;
          n.attrs["beta"].kind = Attr::kFloat;
          n.attrs["beta"].f = 0.5f;
          changed = true;
          continue;
        }
        const Node* mul = Producer(*g, a);
        if (mul != nullptr && mul->op == "Mul" && OnlyConsumer(*g, a)) {
          for (int s = 0; s < 2 && !changed; ++s) {
            const std::string& xi = mul->inputs[static_cast<size_t>(s)];
            const std::string& r = mul->inputs[static_cast<size_t>(1 - s)];
            if (MatchRelu6OfXPlus3(*g, r, &x) && x == xi && OnlyConsumer(*g, r)) {
              n.op = "HardSwish";
              n.inputs = {x};
              n.attrs.clear();
              changed = true;
            }
          }
          if (changed) continue;
        }
      }
      // x * HardSigmoid(x)
      if (n.op == "Mul" && n.inputs.size() == 2) {
        for (int s = 0; s < 2; ++s) {
          const std::string& xi = n.inputs[static_cast<size_t>(s)];
          const Node* hs = Producer(*g, n.inputs[static_cast<size_t>(1 - s)]);
          if (hs != nullptr && hs->op == "HardSigmoid" && hs->inputs[0] == xi &&
              Near(hs->getf("alpha", 0.2f), 1.0 / 6.0) && Near(hs->getf("beta", 0.5f), 0.5) &&
              OnlyConsumer(*g, hs->outputs[0]) && g->find(hs->outputs[0])->quant.empty()) {
            n.op = "HardSwish";
            n.inputs = {xi};
            n.attrs.clear();
            changed = true;
            break;
          }
        }
      }
    }
    if (changed) g->remove_dead();
  }
  return Status::Ok();
}

}  // namespace qrun::conv

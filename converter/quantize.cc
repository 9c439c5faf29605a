#include "converter/quantize.h"

#include "converter/qfb_writer.h"

namespace qrun::conv {
namespace {

bool SameQuant(const QAnnot& a, const QAnnot& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point;
}

// An int8 CONCAT whose inputs all have its output's parameters is a plain
// copy. Where an input is produced only for the concat by an int8 op that
// can write any parameters (not a pass-through op, not fixed by the file),
// let that op write the concat's parameters directly: the concat's
// calibrated range covers each input's, and a requantization disappears.
void ShareConcatQuantization(LGraph* g) {
  for (const LOp& op : g->ops) {
    if (op.type != fb::OpType::CONCAT || !op.int8) continue;
    const QAnnot& out = g->tensors[static_cast<size_t>(op.outputs[0])].quant;
    for (int t : op.inputs) {
      if (t < 0) continue;
      LTensor& in = g->tensors[static_cast<size_t>(t)];
      if (in.is_const() || in.fixed_quant || SameQuant(in.quant, out)) continue;
      const int p = g->producer(t);
      if (p < 0 || g->consumers(t).size() != 1) continue;
      const LOp& prod = g->ops[static_cast<size_t>(p)];
      if (!prod.int8 || SharesQuantization(prod.type) || prod.type == fb::OpType::SOFTMAX ||
          prod.outputs.size() != 1) {
        continue;
      }
      in.quant = out;
    }
  }
}

}  // namespace

Status AssignQuantization(LGraph* g, const std::vector<Range>& ranges, const QuantizeOptions& o) {
  // Activation parameters from calibration.
  for (size_t t = 0; t < g->tensors.size(); ++t) {
    LTensor& lt = g->tensors[t];
    if (lt.is_const() || lt.fixed_quant) continue;
    if (t < ranges.size() && ranges[t].seen) lt.quant = ActivationParams(ranges[t].lo, ranges[t].hi);
  }
  for (LOp& op : g->ops) {
    op.int8 = o.keep_float.count(op.name) == 0;
    if (!op.int8) continue;
    for (int t : op.inputs) {
      if (t >= 0 && !g->tensors[static_cast<size_t>(t)].is_const() && g->tensors[static_cast<size_t>(t)].quant.empty()) op.int8 = false;
    }
    for (int t : op.outputs) {
      if (g->tensors[static_cast<size_t>(t)].quant.empty() && !o.prequantized) continue;
      if (g->tensors[static_cast<size_t>(t)].quant.empty()) op.int8 = false;
    }
    if (!op.int8) continue;
    LTensor& in = g->tensors[static_cast<size_t>(op.inputs[0])];
    LTensor& out = g->tensors[static_cast<size_t>(op.outputs[0])];
    if (SharesQuantization(op.type)) {
      if (out.fixed_quant && !SameQuant(in.quant, out.quant)) {
        op.int8 = false;  // the file requantizes here: do it exactly in float
      } else {
        out.quant = in.quant;
      }
    } else if (op.type == fb::OpType::SOFTMAX && !out.fixed_quant) {
      out.quant.scale = {1.0f / 256.0f};
      out.quant.zero_point = {-128};
    }
    if (out.quant.empty()) op.int8 = false;
  }
  ShareConcatQuantization(g);
  return Status::Ok();
}

}  // namespace qrun::conv

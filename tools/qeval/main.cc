// qeval: runs .qfb models over many inputs and reports accuracy against
// labels, agreement between two models (top-1, cosine, max |diff|), or
// agreement with stored reference outputs (e.g. ONNX Runtime's logits).
//
//   qeval MODEL.qfb --inputs PATH [--count N] [--transform T] [--format u8|f32]
//         [--labels FILE.u8] [--ref OTHER.qfb] [--ref-outputs DIR]
//
// PATH is a directory or a file holding several samples (as qconvert --calib).
// --ref-outputs DIR reads DIR/<input name without extension>/<output>.f32.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "converter/input_data.h"
#include "converter/runner.h"

namespace {

using qrun::conv::Runner;

int Fail(const std::string& m) {
  std::cerr << "qeval: error: " << m << "\n";
  return 1;
}

size_t ArgMax(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    ab += double{a[i]} * b[i];
    aa += double{a[i]} * a[i];
    bb += double{b[i]} * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

std::string Stem(const std::string& path) {
  std::string s = path.substr(path.find_last_of('/') + 1);
  const size_t hash = s.find('#');
  if (hash != std::string::npos) s = s.substr(0, hash);
  const size_t dot = s.find_last_of('.');
  return dot == std::string::npos ? s : s.substr(0, dot);
}

}  // namespace

int main(int argc, char** argv) {
  std::string model, ref, inputs, labels, ref_outputs, format = "auto";
  int count = -1;
  qrun::conv::InputTransform transform;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--inputs") inputs = next();
    else if (a == "--count") count = std::atoi(next().c_str());
    else if (a == "--labels") labels = next();
    else if (a == "--ref") ref = next();
    else if (a == "--ref-outputs") ref_outputs = next();
    else if (a == "--format") format = next();
    else if (a == "--transform") {
      qrun::Status s = qrun::conv::ParseTransform(next(), &transform);
      if (!s.ok()) return Fail(s.message());
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: qeval MODEL.qfb --inputs PATH [--count N] [--transform T] [--format auto|f32|u8]\n"
                   "             [--labels FILE.u8] [--ref OTHER.qfb] [--ref-outputs DIR]\n";
      return 0;
    } else if (model.empty()) model = a;
    else return Fail("unexpected argument '" + a + "'");
  }
  if (model.empty() || inputs.empty()) return Fail("need MODEL.qfb and --inputs PATH (qeval --help)");
  Runner m, r;
  qrun::Status s = m.LoadFile(model);
  if (!s.ok()) return Fail(s.message());
  if (!ref.empty()) {
    s = r.LoadFile(ref);
    if (!s.ok()) return Fail(s.message());
  }
  const qrun::TensorInfo& in = m.model().tensor(m.model().inputs()[0]);
  std::vector<std::vector<float>> samples;
  std::vector<std::string> names;
  const auto fmt = format == "u8" ? qrun::conv::SampleFormat::kUInt8
                 : format == "f32" ? qrun::conv::SampleFormat::kFloat32 : qrun::conv::SampleFormat::kAuto;
  s = qrun::conv::LoadSamples(inputs, in.dims, transform, fmt, count, &samples, &names);
  if (!s.ok()) return Fail(s.message());
  std::vector<uint8_t> label_bytes;
  if (!labels.empty()) {
    s = qrun::conv::ReadFileBytes(labels, &label_bytes);
    if (!s.ok()) return Fail(s.message());
    if (label_bytes.size() < samples.size()) return Fail("fewer labels than samples");
  }
  const int out = m.model().outputs()[0];
  const std::string out_name = m.model().tensor(out).name;
  int correct = 0, ref_correct = 0, agree = 0, ref_agree = 0, n_ref_out = 0;
  double cos = 0, ref_cos = 0, maxdiff = 0, ref_maxdiff = 0;
  for (size_t k = 0; k < samples.size(); ++k) {
    s = m.Run({samples[k]});
    if (!s.ok()) return Fail(s.message());
    const std::vector<float> y = m.Get(out);
    if (!labels.empty()) correct += ArgMax(y) == label_bytes[k];
    if (!ref.empty()) {
      s = r.Run({samples[k]});
      if (!s.ok()) return Fail(s.message());
      const std::vector<float> z = r.Get(r.model().outputs()[0]);
      if (!labels.empty()) ref_correct += ArgMax(z) == label_bytes[k];
      agree += ArgMax(y) == ArgMax(z);
      cos += Cosine(y, z);
      for (size_t i = 0; i < y.size(); ++i) maxdiff = std::max(maxdiff, double{std::fabs(y[i] - z[i])});
    }
    if (!ref_outputs.empty()) {
      std::vector<uint8_t> bytes;
      const std::string f = ref_outputs + "/" + Stem(names[k]) + "/" + out_name + ".f32";
      if (!qrun::conv::ReadFileBytes(f, &bytes).ok()) continue;
      std::vector<float> z(bytes.size() / 4);
      std::copy(bytes.begin(), bytes.begin() + static_cast<long>(z.size() * 4), reinterpret_cast<uint8_t*>(z.data()));
      ++n_ref_out;
      ref_agree += ArgMax(y) == ArgMax(z);
      ref_cos += Cosine(y, z);
      for (size_t i = 0; i < y.size() && i < z.size(); ++i) ref_maxdiff = std::max(ref_maxdiff, double{std::fabs(y[i] - z[i])});
    }
  }
  const double n = static_cast<double>(samples.size());
  std::printf("qeval: %s on %zu inputs\n", model.c_str(), samples.size());
  if (!labels.empty()) {
    std::printf("  accuracy %.2f%% (%d/%zu)\n", 100.0 * correct / n, correct, samples.size());
    if (!ref.empty()) std::printf("  ref accuracy %.2f%% (%d/%zu)\n", 100.0 * ref_correct / n, ref_correct, samples.size());
  }
  if (!ref.empty()) {
    std::printf("  vs %s: top-1 agreement %.2f%% (%d/%zu), mean cosine %.5f, max |diff| %.6g\n", ref.c_str(),
                100.0 * agree / n, agree, samples.size(), cos / n, maxdiff);
  }
  if (!ref_outputs.empty()) {
    if (n_ref_out == 0) return Fail("no reference outputs found under " + ref_outputs);
    std::printf("  vs reference outputs (%d): top-1 agreement %d/%d, mean cosine %.6f, max |diff| %.6g\n", n_ref_out,
                ref_agree, n_ref_out, ref_cos / n_ref_out, ref_maxdiff);
  }
  return 0;
}

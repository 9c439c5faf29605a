#include "converter/input_data.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

namespace qrun::conv {
namespace {

bool EndsWith(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

Status ParseList(const std::string& key, const std::string& v, std::vector<double>* out) {
  out->clear();
  std::string tok;
  std::stringstream ss(v);
  while (std::getline(ss, tok, ':')) {
    try {
      out->push_back(std::stod(tok));
    } catch (...) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "--calib-transform: bad number '", tok, "' in ", key);
    }
  }
  if (out->empty()) return Error(QRUN_ERROR_INVALID_ARGUMENT, "--calib-transform: empty ", key);
  return Status::Ok();
}

void Transform(const uint8_t* u8, size_t n, const std::vector<int64_t>& shape, const InputTransform& t,
               float* out) {
  const size_t channels = shape.size() >= 2 ? static_cast<size_t>(shape[1]) : 1;
  size_t inner = 1;
  for (size_t d = 2; d < shape.size(); ++d) inner *= static_cast<size_t>(shape[d]);
  for (size_t e = 0; e < n; ++e) {
    const size_t c = (e / inner) % channels;
    const double m = t.mean.size() == 1 ? t.mean[0] : t.mean[std::min(c, t.mean.size() - 1)];
    const double s = t.std.size() == 1 ? t.std[0] : t.std[std::min(c, t.std.size() - 1)];
    out[e] = static_cast<float>((static_cast<double>(u8[e]) * t.scale_num / t.scale_den - m) / s);
  }
}

}  // namespace

bool IsDefaultTransform(const InputTransform& t) {
  const InputTransform d;
  return t.scale_num == d.scale_num && t.scale_den == d.scale_den && t.mean == d.mean && t.std == d.std;
}

Status ParseTransform(const std::string& text, InputTransform* out) {
  *out = InputTransform();
  if (text == "imagenet") {
    out->mean = {0.485, 0.456, 0.406};
    out->std = {0.229, 0.224, 0.225};
    return Status::Ok();
  }
  if (text == "mnist") {
    out->mean = {0.1307};
    out->std = {0.3081};
    return Status::Ok();
  }
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "--calib-transform: expected key=value, got '", item, "'");
    }
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k == "scale") {
      const size_t slash = v.find('/');
      try {
        out->scale_num = std::stod(v.substr(0, slash));
        out->scale_den = slash == std::string::npos ? 1.0 : std::stod(v.substr(slash + 1));
      } catch (...) {
        return Error(QRUN_ERROR_INVALID_ARGUMENT, "--calib-transform: bad scale '", v, "'");
      }
    } else if (k == "mean") {
      QRUN_RETURN_IF_ERROR(ParseList(k, v, &out->mean));
    } else if (k == "std") {
      QRUN_RETURN_IF_ERROR(ParseList(k, v, &out->std));
    } else {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "--calib-transform: unknown key '", k, "' (scale, mean, std)");
    }
  }
  return Status::Ok();
}

Status ReadFileBytes(const std::string& path, std::vector<uint8_t>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(QRUN_ERROR_IO, "cannot open '", path, "'");
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return Status::Ok();
}

Status LoadSamples(const std::string& path, const std::vector<int64_t>& shape,
                   const InputTransform& transform, SampleFormat format, int max_count,
                   std::vector<std::vector<float>>* samples, std::vector<std::string>* names,
                   bool* saw_uint8) {
  samples->clear();
  if (saw_uint8) *saw_uint8 = false;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Error(QRUN_ERROR_IO, "calibration/input path '", path, "' does not exist");
  }
  std::vector<std::string> files;
  if (S_ISDIR(st.st_mode)) {
    DIR* d = opendir(path.c_str());
    if (d == nullptr) return Error(QRUN_ERROR_IO, "cannot read directory '", path, "'");
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.empty() || n[0] == '.' || EndsWith(n, ".json") || EndsWith(n, ".md") || EndsWith(n, ".txt")) continue;
      // A directory with both forms of each sample: take the requested one.
      if (format == SampleFormat::kFloat32 && EndsWith(n, ".u8")) continue;
      if (format == SampleFormat::kUInt8 && EndsWith(n, ".f32")) continue;
      files.push_back(path + "/" + n);
    }
    closedir(d);
    std::sort(files.begin(), files.end());
    if (files.empty()) return Error(QRUN_ERROR_IO, "directory '", path, "' has no input files");
  } else {
    files.push_back(path);
  }
  int64_t elements = 1;
  for (int64_t d : shape) elements *= d;
  const size_t n = static_cast<size_t>(elements);
  for (const std::string& f : files) {
    if (max_count >= 0 && static_cast<int>(samples->size()) >= max_count) break;
    std::vector<uint8_t> bytes;
    QRUN_RETURN_IF_ERROR(ReadFileBytes(f, &bytes));
    size_t offset = 0;
    bool u8 = format == SampleFormat::kUInt8;
    if (EndsWith(f, ".npy")) {
      if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) {
        return Error(QRUN_ERROR_INVALID_ARGUMENT, "'", f, "' is not a .npy file");
      }
      const size_t hlen = bytes[6] == 1 ? (bytes[8] | (bytes[9] << 8)) : (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (static_cast<size_t>(bytes[11]) << 24));
      offset = (bytes[6] == 1 ? 10 : 12) + hlen;
      const std::string header(bytes.begin() + (bytes[6] == 1 ? 10 : 12), bytes.begin() + static_cast<long>(std::min(offset, bytes.size())));
      if (header.find("'<f4'") != std::string::npos) u8 = false;
      else if (header.find("'|u1'") != std::string::npos) u8 = true;
      else return Error(QRUN_ERROR_UNSUPPORTED, "'", f, "': only float32 (<f4) and uint8 (|u1) .npy files are supported");
      if (header.find("'fortran_order': True") != std::string::npos) {
        return Error(QRUN_ERROR_UNSUPPORTED, "'", f, "': Fortran-order .npy");
      }
    } else if (format == SampleFormat::kAuto) {
      u8 = EndsWith(f, ".u8") || (bytes.size() % (n * 4) != 0 && bytes.size() % n == 0);
    }
    const size_t payload = bytes.size() - offset;
    const size_t sample_bytes = n * (u8 ? 1 : 4);
    if (payload == 0 || payload % sample_bytes != 0) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "'", f, "' has ", payload, " bytes, not a multiple of one ",
                   u8 ? "uint8" : "float32", " sample (", sample_bytes, " bytes)");
    }
    for (size_t s = 0; s < payload / sample_bytes; ++s) {
      if (max_count >= 0 && static_cast<int>(samples->size()) >= max_count) break;
      std::vector<float> x(n);
      const uint8_t* p = bytes.data() + offset + s * sample_bytes;
      if (u8) {
        Transform(p, n, shape, transform, x.data());
        if (saw_uint8) *saw_uint8 = true;
      } else {
        std::memcpy(x.data(), p, sample_bytes);
      }
      samples->push_back(std::move(x));
      if (names) names->push_back(payload / sample_bytes > 1 ? f + "#" + std::to_string(s) : f);
    }
  }
  return Status::Ok();
}

}  // namespace qrun::conv

#include "npy.h"

#include <cstring>

#include "cli_error.h"
#include "file_io.h"
#include "tensor_util.h"

// The tool reads and writes tensor bytes as they are in memory, which is the
// .npy little-endian layout only on little-endian hosts.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "qrun's .npy support assumes a little-endian host"
#endif

namespace qrun_cli {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

// A reader for the Python dict literal in the header, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 10), }
// It understands exactly the value kinds numpy writes there.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  NpyArray Parse() {
    bool have_descr = false, have_order = false, have_shape = false;
    bool fortran = false;
    NpyArray a;
    Expect('{');
    while (!Accept('}')) {
      const std::string key = String();
      Expect(':');
      if (key == "descr") {
        if (Peek() == '[') Bad("structured dtypes are not supported");
        a.dtype = Descr(String());
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = Bool();
        have_order = true;
      } else if (key == "shape") {
        a.shape = Tuple();
        have_shape = true;
      } else {
        Bad("unexpected key '" + key + "' in the header");
      }
      if (!Accept(',')) {
        Expect('}');
        break;
      }
    }
    SkipSpace();
    if (pos_ != s_.size()) Bad("unexpected text after the header dictionary");
    if (!have_descr || !have_order || !have_shape) {
      Bad("header lacks 'descr', 'fortran_order' or 'shape'");
    }
    // Fortran and C order only differ when two or more dims exceed 1.
    int big_dims = 0;
    for (int64_t d : a.shape) big_dims += d > 1;
    if (fortran && big_dims > 1) {
      Bad("Fortran-order arrays are not supported (save np.ascontiguousarray(a))");
    }
    return a;
  }

 private:
  [[noreturn]] void Bad(const std::string& what) const {
    Fail("'" + path_ + "' is not a supported .npy file: " + what);
  }

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  char Peek() {
    SkipSpace();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  bool Accept(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  void Expect(char c) {
    if (!Accept(c)) Bad(std::string("malformed header (expected '") + c + "')");
  }

  std::string String() {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') Bad("malformed header (expected a string)");
    const size_t end = s_.find(quote, ++pos_);
    if (end == std::string::npos) Bad("malformed header (unterminated string)");
    std::string value = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return value;
  }

  bool Bool() {
    SkipSpace();
    for (const char* word : {"True", "False"}) {
      const size_t n = std::strlen(word);
      if (s_.compare(pos_, n, word) == 0) {
        pos_ += n;
        return word[0] == 'T';
      }
    }
    Bad("malformed header (fortran_order must be True or False)");
  }

  // (), (7,), (1, 2, 3); Python 2 files may write longs as 3L.
  std::vector<int64_t> Tuple() {
    std::vector<int64_t> dims;
    Expect('(');
    while (!Accept(')')) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') {
        Bad("malformed header (shape must be a tuple of non-negative integers)");
      }
      int64_t d = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        if (d > (int64_t{1} << 40)) Bad("shape dimension too large");
        d = d * 10 + (s_[pos_++] - '0');
      }
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;
      dims.push_back(d);
      if (!Accept(',')) {
        Expect(')');
        break;
      }
    }
    return dims;
  }

  qrun_dtype Descr(const std::string& d) {
    if (d.size() == 3) {
      const char order = d[0];
      const std::string type = d.substr(1);
      // Byte order is meaningless for one-byte types; numpy writes '|'.
      if (type == "i1") return QRUN_DTYPE_INT8;
      if (type == "u1") return QRUN_DTYPE_UINT8;
      if (order == '<' && type == "f4") return QRUN_DTYPE_FLOAT32;
      if (order == '<' && type == "i4") return QRUN_DTYPE_INT32;
      if (order == '>' && (type == "f4" || type == "i4")) {
        Bad("big-endian dtype '" + d + "' is not supported (use a.astype('<" + type + "'))");
      }
    }
    Bad("dtype '" + d + "' is not supported (only '<f4', '|i1', '|u1' and '<i4')");
  }

  const std::string& s_;
  const std::string& path_;
  size_t pos_ = 0;
};

std::string DescrOf(qrun_dtype dtype) {
  switch (dtype) {
    case QRUN_DTYPE_FLOAT32: return "<f4";
    case QRUN_DTYPE_INT8: return "|i1";
    case QRUN_DTYPE_UINT8: return "|u1";
    case QRUN_DTYPE_INT32: return "<i4";
  }
  return "";
}

uint32_t ReadLittleEndian(const uint8_t* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

bool IsNpy(const std::vector<uint8_t>& file) {
  return file.size() >= kMagicSize && std::memcmp(file.data(), kMagic, kMagicSize) == 0;
}

NpyArray ParseNpy(const std::vector<uint8_t>& file, const std::string& path) {
  auto bad = [&](const std::string& what) {
    Fail("'" + path + "' is not a supported .npy file: " + what);
  };
  if (file.size() < kMagicSize + 2) bad("truncated header");
  const int major = file[kMagicSize];
  if (major < 1 || major > 3) bad("format version " + std::to_string(major) + " is unknown");
  // Version 1 has a 2-byte header length, versions 2 and 3 a 4-byte one.
  const int len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + static_cast<size_t>(len_bytes);
  if (file.size() < prefix) bad("truncated header");
  const size_t header_len = ReadLittleEndian(file.data() + kMagicSize + 2, len_bytes);
  if (file.size() - prefix < header_len) bad("truncated header");
  const std::string header(reinterpret_cast<const char*>(file.data() + prefix), header_len);

  NpyArray a = HeaderParser(header, path).Parse();
  a.data_offset = prefix + header_len;
  a.data_bytes = file.size() - a.data_offset;
  constexpr uint64_t kMaxElements = uint64_t{1} << 40;
  uint64_t elements = 1;
  for (int64_t d : a.shape) {
    const uint64_t ud = static_cast<uint64_t>(d);
    if (ud != 0 && elements > kMaxElements / ud) bad("array too large");  // before it can wrap
    elements *= ud;
  }
  const uint64_t expected = elements * DtypeSize(a.dtype);
  if (expected != a.data_bytes) {
    bad("header says " + DtypeName(a.dtype) + " [" + ShapeString(a.shape) + "] (" +
        std::to_string(expected) + " bytes) but the file holds " +
        std::to_string(a.data_bytes) + " data bytes");
  }
  return a;
}

void WriteNpy(const std::string& path, qrun_dtype dtype, const std::vector<int64_t>& shape,
              const void* data, size_t bytes) {
  std::string dims;
  for (int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // "(7,)" keeps its comma
  if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string header =
      "{'descr': '" + DescrOf(dtype) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces and a final newline so the data starts 64-byte aligned.
  auto padded_total = [&](size_t prefix) { return (prefix + header.size() + 1 + 63) / 64 * 64; };
  size_t prefix = kMagicSize + 2 + 2;
  if (padded_total(prefix) - prefix > 0xffff) prefix = kMagicSize + 2 + 4;  // needs version 2.0
  const size_t total = padded_total(prefix);
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';

  std::string head(kMagic, kMagicSize);
  const bool v2 = prefix > kMagicSize + 4;
  head += static_cast<char>(v2 ? 2 : 1);
  head += '\0';
  const uint32_t len = static_cast<uint32_t>(header.size());
  for (int i = 0; i < (v2 ? 4 : 2); ++i) head += static_cast<char>((len >> (8 * i)) & 0xff);
  head += header;
  WriteFile(path, {{head.data(), head.size()}, {data, bytes}});
}

}  // namespace qrun_cli

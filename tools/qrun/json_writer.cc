#include "json_writer.h"

#include <cmath>
#include <cstdio>

namespace qrun_cli {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xc0) == 0x80; }

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
size_t Utf8Length(const std::string& s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  const unsigned char second = static_cast<unsigned char>(s[i + 1]);
  if (second < lo || second > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (!IsContinuation(static_cast<unsigned char>(s[i + k]))) return 0;
  }
  return len;
}

}  // namespace

std::string JsonQuote(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = Utf8Length(s, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s, i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + "\"";
}

void JsonWriter::Newline() {
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

// Separator and line break before an array element or object key.
void JsonWriter::BeforeItem() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& level = stack_.back();
  if (level.count > 0) out_ += ',';
  if (level.compact) {
    if (level.count > 0) out_ += ' ';
  } else {
    Newline();
  }
  ++level.count;
}

void JsonWriter::BeginObject(bool compact) {
  BeforeItem();
  out_ += '{';
  stack_.push_back({compact || (!stack_.empty() && stack_.back().compact), 0});
}

void JsonWriter::BeginArray(bool compact) {
  BeforeItem();
  out_ += '[';
  stack_.push_back({compact || (!stack_.empty() && stack_.back().compact), 0});
}

void JsonWriter::End(char close) {
  const Level level = stack_.back();
  stack_.pop_back();
  if (level.count > 0 && !level.compact) Newline();
  out_ += close;
  if (stack_.empty()) out_ += '\n';
}

void JsonWriter::EndObject() { End('}'); }
void JsonWriter::EndArray() { End(']'); }

void JsonWriter::Key(const std::string& key) {
  BeforeItem();
  out_ += JsonQuote(key);
  out_ += ": ";
  after_key_ = true;
}

void JsonWriter::String(const std::string& value) {
  BeforeItem();
  out_ += JsonQuote(value);
}

void JsonWriter::Int(int64_t value) {
  BeforeItem();
  out_ += std::to_string(value);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeItem();
  out_ += std::to_string(value);
}

void JsonWriter::Number(double value) {
  BeforeItem();
  if (!std::isfinite(value)) {
    out_ += "null";
    return;
  }
  // 9 significant digits round-trip a float; times don't need more.
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", value);
  out_ += buf;
}

void JsonWriter::Bool(bool value) {
  BeforeItem();
  out_ += value ? "true" : "false";
}

}  // namespace qrun_cli

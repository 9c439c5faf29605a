// A minimal streaming JSON writer: indented objects and arrays, compact
// (one-line) containers on request, strings escaped, non-finite numbers as
// null (JSON has no NaN or Infinity).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qrun_cli {

class JsonWriter {
 public:
  // A compact container and everything inside it stays on one line.
  void BeginObject(bool compact = false);
  void EndObject();
  void BeginArray(bool compact = false);
  void EndArray();
  void Key(const std::string& key);

  void String(const std::string& value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Number(double value);
  void Bool(bool value);

  const std::string& str() const { return out_; }

 private:
  struct Level {
    bool compact;
    int count;
  };
  void BeforeItem();
  void Newline();
  void End(char close);

  std::vector<Level> stack_;
  std::string out_;
  bool after_key_ = false;
};

// `s` as a JSON string literal, quotes included. Bytes that are not valid
// UTF-8 become U+FFFD so the output always parses.
std::string JsonQuote(const std::string& s);

}  // namespace qrun_cli

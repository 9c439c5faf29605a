// Internal error type: a code plus a human-readable message. Library code
// returns Status instead of throwing or aborting; the C API turns it into a
// qrun_status and the thread's last-error string.
#pragma once

#include <sstream>
#include <string>
#include <utility>

#include "qrun/qrun.h"

namespace qrun {

class Status {
 public:
  Status() = default;
  Status(qrun_status code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == QRUN_OK; }
  qrun_status code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  qrun_status code_ = QRUN_OK;
  std::string message_;
};

// Builds a message from streamable parts: Error(QRUN_ERROR_IO, "cannot open ", path).
template <typename... Parts>
Status Error(qrun_status code, const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return Status(code, os.str());
}

template <typename... Parts>
Status InvalidModel(const Parts&... parts) {
  return Error(QRUN_ERROR_INVALID_MODEL, parts...);
}

#define QRUN_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::qrun::Status _qrun_status = (expr);   \
    if (!_qrun_status.ok()) return _qrun_status; \
  } while (0)

}  // namespace qrun

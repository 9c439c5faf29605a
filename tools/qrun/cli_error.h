// How the tool reports failure: every problem becomes one `qrun: error: ...`
// line in main(), with exit code 2 for bad command lines and 1 otherwise.
#pragma once

#include <stdexcept>
#include <string>

namespace qrun_cli {

enum ExitCode { kExitOk = 0, kExitRuntimeError = 1, kExitUsageError = 2 };

class CliError : public std::runtime_error {
 public:
  CliError(ExitCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

[[noreturn]] inline void Fail(const std::string& message) {
  throw CliError(kExitRuntimeError, message);
}

[[noreturn]] inline void UsageFail(const std::string& message) {
  throw CliError(kExitUsageError, message);
}

}  // namespace qrun_cli

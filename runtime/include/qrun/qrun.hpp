// Thin C++ RAII wrapper over the C API (qrun.h). Errors come back as
// qrun::Error exceptions carrying the status and message. Header-only: it
// only calls the C API, so it works with a static or shared libqrun.
// Thread rules are the C API's: a Model may be shared by interpreters on
// any threads; one Interpreter is used by one thread at a time.
//
//   qrun::Model model = qrun::Model::FromFile("model.qfb");
//   qrun::Interpreter it(model);
//   qrun_tensor in = it.input(0);   // fill in.data
//   it.invoke();
//   qrun_tensor out = it.output(0);
#ifndef QRUN_QRUN_HPP_
#define QRUN_QRUN_HPP_

#include <memory>
#include <stdexcept>
#include <string>

#include "qrun/qrun.h"

namespace qrun {
// The library's internals also live in namespace qrun (and have their own
// Model and Interpreter classes); this inline namespace keeps the wrapper's
// symbols distinct from them, so that a static link never merges the two.
inline namespace api {

class Error : public std::runtime_error {
 public:
  Error(qrun_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  qrun_status status() const { return status_; }

 private:
  qrun_status status_;
};

inline void Check(qrun_status s) {
  if (s != QRUN_OK) throw Error(s, qrun_last_error());
}

// Shared, immutable model: copies share the same loaded file.
class Model {
 public:
  static Model FromFile(const std::string& path) {
    qrun_model* m = nullptr;
    Check(qrun_model_load_file(path.c_str(), &m));
    return Model(m);
  }
  // The bytes are used in place and must outlive the model and its interpreters.
  static Model FromBuffer(const void* data, size_t size) {
    qrun_model* m = nullptr;
    Check(qrun_model_load_buffer(data, size, &m));
    return Model(m);
  }
  const qrun_model* get() const { return model_.get(); }
  // Metadata value for key, or null when absent.
  const char* metadata(const char* key) const { return qrun_model_metadata(get(), key); }
  size_t size_bytes() const { return qrun_model_size_bytes(get()); }

 private:
  explicit Model(qrun_model* m) : model_(m, qrun_model_free) {}
  std::shared_ptr<qrun_model> model_;
};

class Interpreter {
 public:
  explicit Interpreter(const Model& model, const qrun_options& options = qrun_options_default())
      : model_(model) {
    qrun_interpreter* it = nullptr;
    Check(qrun_interpreter_create(model.get(), &options, &it));
    interpreter_.reset(it);
  }

  int input_count() const { return qrun_interpreter_input_count(interpreter_.get()); }
  int output_count() const { return qrun_interpreter_output_count(interpreter_.get()); }
  qrun_tensor input(int i) const {
    qrun_tensor t;
    Check(qrun_interpreter_input(interpreter_.get(), i, &t));
    return t;
  }
  qrun_tensor output(int i) const {
    qrun_tensor t;
    Check(qrun_interpreter_output(interpreter_.get(), i, &t));
    return t;
  }
  void invoke() { Check(qrun_interpreter_invoke(interpreter_.get())); }
  size_t arena_bytes() const { return qrun_interpreter_arena_bytes(interpreter_.get()); }
  size_t packed_bytes() const { return qrun_interpreter_packed_bytes(interpreter_.get()); }
  int op_count() const { return qrun_interpreter_op_count(interpreter_.get()); }
  qrun_op_profile op_profile(int i) const {
    qrun_op_profile p;
    Check(qrun_interpreter_op_profile(interpreter_.get(), i, &p));
    return p;
  }
  int op_output_count(int op) const { return qrun_interpreter_op_output_count(interpreter_.get(), op); }
  // Needs options.preserve_intermediates for tensors other than graph outputs.
  qrun_tensor op_output(int op, int i) const {
    qrun_tensor t;
    Check(qrun_interpreter_op_output(interpreter_.get(), op, i, &t));
    return t;
  }
  qrun_interpreter* get() const { return interpreter_.get(); }

 private:
  struct Deleter {
    void operator()(qrun_interpreter* p) const { qrun_interpreter_free(p); }
  };
  Model model_;  // keeps the model handle alive as long as the interpreter
  std::unique_ptr<qrun_interpreter, Deleter> interpreter_;
};

}  // namespace api
}  // namespace qrun

#endif  // QRUN_QRUN_HPP_

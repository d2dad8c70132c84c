// The C ABI (runtime/include/proviso/proviso_c.h) over the C++ SDK: every call catches what the SDK
// throws and turns it into a status and a proviso_error.
#include "proviso/proviso_c.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/interp/facts.h"
#include "proviso/proviso.h"
#include "runtime/src/proviso_c_internal.h"

using proviso::capi::Copy;
using proviso::capi::Fail;
using proviso::capi::Guard;

namespace {

bool Backend(int b, proviso::Backend* out) {
  if (b == PROVISO_BACKEND_JIT) *out = proviso::Backend::kJit;
  else if (b == PROVISO_BACKEND_INTERPRETER) *out = proviso::Backend::kInterpreter;
  else return false;
  return true;
}

}  // namespace

extern "C" {

const char* proviso_version(void) { return PROVISO_VERSION; }

proviso_status proviso_compile_file(const char* path, int backend, proviso_policy** policy, proviso_error** error) {
  proviso::Backend b;
  if (!path || !policy) return Fail(error, PROVISO_ERROR_USAGE, "proviso_compile_file: path and policy must not be NULL");
  if (!Backend(backend, &b)) return Fail(error, PROVISO_ERROR_USAGE, "proviso_compile_file: unknown back end");
  *policy = nullptr;
  return Guard(error, [&] {
    proviso::EngineOptions options;
    options.backend = b;
    *policy = new proviso_policy{proviso::Engine(options).CompileFile(path)};
  });
}

proviso_status proviso_compile_string(const char* source, const char* name, int backend, proviso_policy** policy,
                                      proviso_error** error) {
  proviso::Backend b;
  if (!source || !policy) {
    return Fail(error, PROVISO_ERROR_USAGE, "proviso_compile_string: source and policy must not be NULL");
  }
  if (!Backend(backend, &b)) return Fail(error, PROVISO_ERROR_USAGE, "proviso_compile_string: unknown back end");
  *policy = nullptr;
  return Guard(error, [&] {
    proviso::EngineOptions options;
    options.backend = b;
    *policy = new proviso_policy{proviso::Engine(options).CompileString(source, name ? name : "<string>")};
  });
}

void proviso_policy_free(proviso_policy* policy) { delete policy; }

const char* proviso_policy_name(const proviso_policy* policy) {
  return policy ? policy->policy.name().c_str() : "";
}

const char* proviso_policy_version(const proviso_policy* policy) {
  return policy ? policy->policy.version().c_str() : "";
}

proviso_status proviso_evaluate_json(const proviso_policy* policy, const char* facts_json, const char* as_of,
                                     char** decision_json, proviso_error** error) {
  if (!policy || !facts_json || !decision_json) {
    return Fail(error, PROVISO_ERROR_USAGE, "proviso_evaluate_json: policy, facts_json and decision_json must not be NULL");
  }
  *decision_json = nullptr;
  return Guard(error, [&] {
    proviso::EvalOptions options;
    if (as_of) options.as_of = std::string(as_of);
    // As the CLI reads facts: a key given twice is refused, not the last one kept.
    nlohmann::json facts = proviso::interp::ParseFactsJson(facts_json);
    proviso::Decision d = policy->policy.Evaluate(facts, options);
    char* out = Copy(d.ToJson().dump());
    if (!out) throw std::bad_alloc();
    *decision_json = out;
  });
}

void proviso_string_free(char* s) { std::free(s); }

void proviso_error_free(proviso_error* error) {
  if (!error) return;
  std::free(error->message);
  std::free(error->path);
  std::free(error);
}

}  // extern "C"

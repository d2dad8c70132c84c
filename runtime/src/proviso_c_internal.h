// Internal: what the C ABI's files share (runtime/src/proviso_c.cc, proviso_c_row.cc).
#ifndef PROVISO_RUNTIME_SRC_PROVISO_C_INTERNAL_H_
#define PROVISO_RUNTIME_SRC_PROVISO_C_INTERNAL_H_

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/interp/facts.h"
#include "proviso/proviso.h"
#include "proviso/proviso_c.h"

struct proviso_policy {
  proviso::Policy policy;
};

namespace proviso::capi {

// A malloc'ed copy (the C caller frees it), or null when out of memory.
inline char* Copy(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!out) return nullptr;
  std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

// Sets *error (when `error` is not null) and returns `status`.
inline proviso_status Fail(proviso_error** error, proviso_status status, const std::string& message,
                           const std::string& path = "") {
  if (error) {
    auto* e = static_cast<proviso_error*>(std::malloc(sizeof(proviso_error)));
    if (e) {
      e->status = status;
      e->message = Copy(message);
      e->path = Copy(path);
    }
    *error = e;
  }
  return status;
}

// A caller's mistake (a handle of another kind or policy, a getter of another kind): PROVISO_ERROR_USAGE.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs `f`, mapping the SDK's exceptions to statuses.
template <typename F>
proviso_status Guard(proviso_error** error, F f) {
  if (error) *error = nullptr;
  try {
    f();
    return PROVISO_OK;
  } catch (const UsageError& e) {
    return Fail(error, PROVISO_ERROR_USAGE, e.what());
  } catch (const proviso::CompileError& e) {
    std::string message = e.what();
    for (const proviso::PolicyDiagnostic& d : e.diagnostics()) message += "\n" + d.rendered;
    return Fail(error, PROVISO_ERROR_COMPILE, message);
  } catch (const proviso::FactsError& e) {
    return Fail(error, PROVISO_ERROR_FACTS, e.what(), e.path());
  } catch (const proviso::interp::FactsError& e) {  // a key given twice in the facts
    return Fail(error, PROVISO_ERROR_FACTS, e.what(), e.path());
  } catch (const proviso::EvaluationError& e) {
    return Fail(error, PROVISO_ERROR_EVALUATION, e.what());
  } catch (const nlohmann::json::exception& e) {
    return Fail(error, PROVISO_ERROR_FACTS, std::string("the facts are not valid JSON: ") + e.what());
  } catch (const proviso::Error& e) {  // a bad option (a malformed as_of)
    return Fail(error, PROVISO_ERROR_FACTS, e.what());
  } catch (const std::bad_alloc&) {
    return Fail(error, PROVISO_ERROR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return Fail(error, PROVISO_ERROR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(error, PROVISO_ERROR_INTERNAL, "internal error: an unknown exception");
  }
}

}  // namespace proviso::capi

#endif  // PROVISO_RUNTIME_SRC_PROVISO_C_INTERNAL_H_

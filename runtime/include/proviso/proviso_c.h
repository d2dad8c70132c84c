/* The C ABI of Proviso: compile a policy, evaluate facts given as JSON, read the decision as JSON.
 * For bindings (Go through cgo, Rust, Java through FFI, ...) and C programs; link libproviso.
 *
 * Contract: no C++ exception ever crosses these functions. A function that can fail returns a
 * proviso_status (PROVISO_OK or the kind of failure) and, on failure, sets *error (if `error` is not
 * NULL) to an error the caller frees with proviso_error_free. Strings returned are UTF-8,
 * NUL-terminated and owned by the caller (proviso_string_free), except those a function documents
 * as borrowed. A proviso_policy is immutable and thread-safe: evaluate it from any number of threads
 * at once; free it once, when no evaluation is running.
 *
 * Not in this version (docs/sdk-c.md): the typed row API (facts written by field handle, with no
 * JSON) and batches. */
#ifndef PROVISO_PROVISO_C_H_
#define PROVISO_PROVISO_C_H_

#ifdef __cplusplus
extern "C" {
#endif

typedef enum proviso_status {
  PROVISO_OK = 0,
  PROVISO_ERROR_COMPILE = 1,    /* the policy (or a file it imports) has errors or cannot be read */
  PROVISO_ERROR_FACTS = 2,      /* the facts (or an option's value) do not fit the policy */
  PROVISO_ERROR_EVALUATION = 3, /* valid facts, but no decision (a conflict, division by zero, ...) */
  PROVISO_ERROR_USAGE = 4,      /* a NULL argument, an unknown back end */
  PROVISO_ERROR_INTERNAL = 5    /* a bug in Proviso: please report it */
} proviso_status;

typedef struct proviso_error {
  proviso_status status;
  char* message; /* the whole message: for a compile error every diagnostic, rendered with file:line:col */
  char* path;    /* PROVISO_ERROR_FACTS: the field at fault ("call.ended_on", "calls[2].kept_for"); else "" */
} proviso_error;

typedef struct proviso_policy proviso_policy;

typedef enum proviso_backend {
  PROVISO_BACKEND_JIT = 0,        /* native code (LLVM ORC JIT) */
  PROVISO_BACKEND_INTERPRETER = 1 /* the reference interpreter */
} proviso_backend;

/* The library's version, "MAJOR.MINOR.PATCH" (borrowed, static). */
const char* proviso_version(void);

/* Compiles the policy at `path` and the files it imports (under the default import root). `backend`
 * is a proviso_backend (an int, so that a binding's out-of-range value is a usage error, not
 * undefined behaviour). */
proviso_status proviso_compile_file(const char* path, int backend, proviso_policy** policy, proviso_error** error);
/* Compiles policy text; `name` is the file name diagnostics show (NULL: "<string>"). */
proviso_status proviso_compile_string(const char* source, const char* name, int backend, proviso_policy** policy,
                                      proviso_error** error);
/* Frees a policy (NULL is fine). */
void proviso_policy_free(proviso_policy* policy);

/* The policy's name and version (its content hash); borrowed, valid while the policy lives. */
const char* proviso_policy_name(const proviso_policy* policy);
const char* proviso_policy_version(const proviso_policy* policy);

/* Evaluates facts (a JSON object matching the policy's `input`) as of `as_of` ("YYYY-MM-DD" or
 * "YYYY-MM-DDTHH:MM:SSZ"; NULL: now). On success *decision_json is the decision as `proviso eval
 * --format json` prints it (outputs, obligations, violations, policy_version, ...). */
proviso_status proviso_evaluate_json(const proviso_policy* policy, const char* facts_json, const char* as_of,
                                     char** decision_json, proviso_error** error);

void proviso_string_free(char* s);
void proviso_error_free(proviso_error* error);

#ifdef __cplusplus
}
#endif

#endif /* PROVISO_PROVISO_C_H_ */

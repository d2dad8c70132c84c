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
 * Two ways to evaluate: JSON facts in, the decision as JSON out (proviso_evaluate_json); or a typed
 * row (proviso_row_*: fields, outputs and obligations resolved once to handles, values set and read
 * by handle, no JSON and no allocation per row; one row per thread). Not in this version
 * (docs/sdk-c.md): batches. */
#ifndef PROVISO_PROVISO_C_H_
#define PROVISO_PROVISO_C_H_

#include <stddef.h>

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

/* ---------------------------------------------------------------- typed rows (proviso/row.h)
 *
 * A handle to an input field, an output or an obligation: plain data, copied freely, valid for every
 * row of the policy that made it (and only for those: another policy's is a usage error). */
typedef struct proviso_handle {
  unsigned long long opaque[8];
} proviso_handle;

typedef struct proviso_row proviso_row;

/* What a row decided for one obligation (ObligationState in proviso/row.h). */
typedef struct proviso_obligation_state {
  int applies, violated;
  int has_deadline;
  long long deadline; /* days since 1970-01-01, or seconds for an instant deadline */
  int status;         /* 0 none, 1 pending, 2 met, 3 overdue, 4 early, 5 breached, 6 undetermined */
  int applies_undetermined, violation_undetermined;
} proviso_obligation_state;

/* Handles by name: an input field by path ("operator.verifies_numbers"), a top-level output, an
 * obligation. An enum value's code for an enum (or enum set) field, and the name of an enum output's
 * code (borrowed, valid while the policy lives). The JIT back end only. */
proviso_status proviso_input(const proviso_policy* policy, const char* path, proviso_handle* field, proviso_error** error);
proviso_status proviso_output(const proviso_policy* policy, const char* name, proviso_handle* output, proviso_error** error);
proviso_status proviso_obligation(const proviso_policy* policy, const char* name, proviso_handle* obligation,
                                  proviso_error** error);
proviso_status proviso_enum_code(const proviso_policy* policy, const proviso_handle* field, const char* value, int* code,
                                 proviso_error** error);
proviso_status proviso_enum_name(const proviso_policy* policy, const proviso_handle* output, int code, const char** name,
                                 proviso_error** error);

/* A row with its options prepared once: `as_of` (NULL: now), `params_json` (NULL, or a JSON object of
 * param overrides: name -> value, a string in Proviso syntax or a JSON value). Its facts start not
 * given (defaults applied). Not thread-safe: one row per thread. */
proviso_status proviso_row_new(const proviso_policy* policy, const char* as_of, const char* params_json,
                               proviso_row** row, proviso_error** error);
void proviso_row_free(proviso_row* row);
/* Every field back to not given. */
void proviso_row_clear(proviso_row* row);

/* Setters (as Row::Set*): bool 0/1; decimal in millionths; date in days since 1970-01-01; datetime in
 * seconds; duration in seconds and months; enum by code; enum set as a bitmask; text as UTF-8 of
 * `size` bytes; none (an optional's absence); unknown (not given); json (any field, lists and
 * records included, as JSON text). A refused value (wrong kind, out of range, refused by the schema)
 * is PROVISO_ERROR_FACTS with the field's path, and the row is as it was. */
proviso_status proviso_row_set_bool(proviso_row* row, const proviso_handle* field, int value, proviso_error** error);
proviso_status proviso_row_set_int(proviso_row* row, const proviso_handle* field, long long value, proviso_error** error);
proviso_status proviso_row_set_decimal_micros(proviso_row* row, const proviso_handle* field, long long value,
                                              proviso_error** error);
proviso_status proviso_row_set_date(proviso_row* row, const proviso_handle* field, long long day, proviso_error** error);
proviso_status proviso_row_set_datetime(proviso_row* row, const proviso_handle* field, long long seconds,
                                        proviso_error** error);
proviso_status proviso_row_set_duration(proviso_row* row, const proviso_handle* field, long long seconds,
                                        long long months, proviso_error** error);
proviso_status proviso_row_set_enum(proviso_row* row, const proviso_handle* field, int code, proviso_error** error);
proviso_status proviso_row_set_enum_set(proviso_row* row, const proviso_handle* field, unsigned long long bits,
                                        proviso_error** error);
proviso_status proviso_row_set_text(proviso_row* row, const proviso_handle* field, const char* text, size_t size,
                                    proviso_error** error);
proviso_status proviso_row_set_none(proviso_row* row, const proviso_handle* field, proviso_error** error);
proviso_status proviso_row_set_unknown(proviso_row* row, const proviso_handle* field, proviso_error** error);
proviso_status proviso_row_set_json(proviso_row* row, const proviso_handle* field, const char* json, proviso_error** error);

/* Decides (PROVISO_ERROR_EVALUATION with the interpreter's message when there is no decision). */
proviso_status proviso_row_evaluate(proviso_row* row, proviso_error** error);

/* Getters of the last evaluation. `determined` 0: the output depends on facts not given; `present`
 * 0: an optional output has no value. A getter of another kind, of an undetermined output or of an
 * absent one is PROVISO_ERROR_USAGE. Text is borrowed, valid until the row's next call. */
proviso_status proviso_row_determined(const proviso_row* row, const proviso_handle* output, int* determined,
                                      proviso_error** error);
proviso_status proviso_row_present(const proviso_row* row, const proviso_handle* output, int* present,
                                   proviso_error** error);
proviso_status proviso_row_get_bool(const proviso_row* row, const proviso_handle* output, int* value, proviso_error** error);
proviso_status proviso_row_get_int(const proviso_row* row, const proviso_handle* output, long long* value,
                                   proviso_error** error);
proviso_status proviso_row_get_enum(const proviso_row* row, const proviso_handle* output, int* code, proviso_error** error);
proviso_status proviso_row_get_text(const proviso_row* row, const proviso_handle* output, const char** text,
                                    proviso_error** error);
proviso_status proviso_row_get_obligation(const proviso_row* row, const proviso_handle* obligation,
                                          proviso_obligation_state* state, proviso_error** error);
/* The whole decision of the last evaluation as JSON (as proviso_evaluate_json gives it). */
proviso_status proviso_row_decision_json(const proviso_row* row, char** decision_json, proviso_error** error);

void proviso_string_free(char* s);
void proviso_error_free(proviso_error* error);

#ifdef __cplusplus
}
#endif

#endif /* PROVISO_PROVISO_C_H_ */

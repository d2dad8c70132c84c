/* The C ABI (runtime/include/proviso/proviso_c.h) from a C program, as a binding would use it:
 * compile (file and text, both back ends), evaluate JSON facts, and every kind of error as a status
 * plus a message (and the field's path for bad facts). Exits non-zero on the first unmet
 * expectation, naming it. Run by ctest with the repository as its working directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proviso/proviso_c.h"

static int failures = 0;

#define EXPECT(cond, ...)                                   \
  do {                                                      \
    if (!(cond)) {                                          \
      fprintf(stderr, "capi_test:%d: %s: ", __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                         \
      fprintf(stderr, "\n");                                \
      ++failures;                                           \
    }                                                       \
  } while (0)

static const char* kPolicy =
    "policy retention\n"
    "input { kept_days: int, note: text? }\n"
    "output long_enough: bool\n"
    "rule r { then long_enough = kept_days >= 30 }\n"
    "output share: int\n"
    "rule s { then share = 100 / kept_days }\n";

static void check_backend(proviso_backend backend) {
  proviso_policy* p = NULL;
  proviso_error* err = NULL;
  proviso_status st = proviso_compile_string(kPolicy, "retention.proviso", backend, &p, &err);
  EXPECT(st == PROVISO_OK && p != NULL && err == NULL, "compile: %s", err ? err->message : "");
  if (!p) return;
  EXPECT(strcmp(proviso_policy_name(p), "retention") == 0, "name %s", proviso_policy_name(p));
  EXPECT(strlen(proviso_policy_version(p)) == 64, "version %s", proviso_policy_version(p));

  char* decision = NULL;
  st = proviso_evaluate_json(p, "{\"kept_days\": 45}", "2020-09-01", &decision, &err);
  EXPECT(st == PROVISO_OK && decision != NULL, "evaluate: %s", err ? err->message : "");
  if (decision) {
    EXPECT(strstr(decision, "\"long_enough\":true") != NULL, "decision %s", decision);
    EXPECT(strstr(decision, "\"share\":2") != NULL, "decision %s", decision);
    EXPECT(strstr(decision, "\"as_of\":\"2020-09-01\"") != NULL, "decision %s", decision);
    proviso_string_free(decision);
  }

  /* Facts of the wrong type: the path names the field. */
  st = proviso_evaluate_json(p, "{\"kept_days\": \"many\"}", "2020-09-01", &decision, &err);
  EXPECT(st == PROVISO_ERROR_FACTS && err && err->status == PROVISO_ERROR_FACTS, "wrong type: status %d", st);
  if (err) {
    EXPECT(strcmp(err->path, "kept_days") == 0, "path %s", err->path);
    proviso_error_free(err);
    err = NULL;
  }
  /* A key given twice is refused, not the last one kept. */
  st = proviso_evaluate_json(p, "{\"kept_days\": \"x\", \"kept_days\": 40}", "2020-09-01", &decision, &err);
  EXPECT(st == PROVISO_ERROR_FACTS && err && strstr(err->message, "twice"), "duplicate key: %s",
         err ? err->message : "no error");
  proviso_error_free(err);
  err = NULL;
  /* Not JSON. */
  st = proviso_evaluate_json(p, "{kept_days: 1", NULL, &decision, &err);
  EXPECT(st == PROVISO_ERROR_FACTS && err && strstr(err->message, "not valid JSON"), "not JSON: %d", st);
  proviso_error_free(err);
  err = NULL;
  /* No decision: division by zero, located in the policy. */
  st = proviso_evaluate_json(p, "{\"kept_days\": 0}", "2020-09-01", &decision, &err);
  EXPECT(st == PROVISO_ERROR_EVALUATION && err && strstr(err->message, "retention.proviso:6:"), "no decision: %s",
         err ? err->message : "no error");
  proviso_error_free(err);
  err = NULL;
  /* A bad as_of. */
  st = proviso_evaluate_json(p, "{\"kept_days\": 1}", "2020-02-30", &decision, &err);
  EXPECT(st == PROVISO_ERROR_FACTS && err && strstr(err->message, "2020-02-30"), "as_of: %d", st);
  proviso_error_free(err);
  err = NULL;
  /* NULL arguments are usage errors, and a NULL error pointer is allowed. */
  EXPECT(proviso_evaluate_json(p, NULL, NULL, &decision, NULL) == PROVISO_ERROR_USAGE, "NULL facts");
  proviso_policy_free(p);
}

/* The typed row: handles, setters, getters, facts not given, errors as statuses. */
static void check_typed_row(void) {
  proviso_policy* p = NULL;
  proviso_error* err = NULL;
  proviso_status st = proviso_compile_string(kPolicy, "retention.proviso", PROVISO_BACKEND_JIT, &p, &err);
  EXPECT(st == PROVISO_OK, "compile: %s", err ? err->message : "");
  if (!p) return;
  proviso_handle kept, note, long_enough, share;
  EXPECT(proviso_input(p, "kept_days", &kept, NULL) == PROVISO_OK, "input");
  EXPECT(proviso_input(p, "note", &note, NULL) == PROVISO_OK, "input");
  EXPECT(proviso_output(p, "long_enough", &long_enough, NULL) == PROVISO_OK, "output");
  EXPECT(proviso_output(p, "share", &share, NULL) == PROVISO_OK, "output");
  st = proviso_input(p, "kept", &kept, &err);
  EXPECT(st == PROVISO_ERROR_USAGE && err && strstr(err->message, "`kept_days`"), "no such field: %d", st);
  proviso_error_free(err);
  err = NULL;

  proviso_row* row = NULL;
  EXPECT(proviso_row_new(p, "2020-09-01", NULL, &row, &err) == PROVISO_OK, "row: %s", err ? err->message : "");
  if (!row) return;
  /* Nothing given: undetermined. */
  EXPECT(proviso_row_evaluate(row, NULL) == PROVISO_OK, "evaluate");
  int determined = 1;
  EXPECT(proviso_row_determined(row, &long_enough, &determined, NULL) == PROVISO_OK && !determined, "undetermined");
  int flag = 0;
  EXPECT(proviso_row_get_bool(row, &long_enough, &flag, NULL) == PROVISO_ERROR_USAGE, "reading an undetermined output");
  /* Given, in a loop: as the JSON facts decide. */
  long long sum = 0;
  for (long long days = 1; days <= 100; ++days) {
    EXPECT(proviso_row_set_int(row, &kept, days, NULL) == PROVISO_OK, "set");
    EXPECT(proviso_row_set_none(row, &note, NULL) == PROVISO_OK, "none");
    EXPECT(proviso_row_evaluate(row, NULL) == PROVISO_OK, "evaluate %lld", days);
    long long v = -1;
    EXPECT(proviso_row_get_bool(row, &long_enough, &flag, NULL) == PROVISO_OK && flag == (days >= 30), "flag %lld", days);
    EXPECT(proviso_row_get_int(row, &share, &v, NULL) == PROVISO_OK && v == 100 / days, "share %lld", days);
    sum += v;
  }
  EXPECT(sum > 0, "sum");
  char* json = NULL;
  EXPECT(proviso_row_decision_json(row, &json, NULL) == PROVISO_OK && json && strstr(json, "\"share\":1"), "json %s",
         json ? json : "");
  proviso_string_free(json);
  /* Errors: a value of another kind, a handle of another kind, no decision. */
  st = proviso_row_set_bool(row, &kept, 1, &err);
  EXPECT(st == PROVISO_ERROR_FACTS && err && strcmp(err->path, "kept_days") == 0, "wrong kind: %d", st);
  proviso_error_free(err);
  err = NULL;
  EXPECT(proviso_row_set_int(row, &share, 1, NULL) == PROVISO_ERROR_USAGE, "an output's handle set");
  EXPECT(proviso_row_set_text(row, &note, "hello", 5, NULL) == PROVISO_OK, "text");
  EXPECT(proviso_row_set_int(row, &kept, 0, NULL) == PROVISO_OK, "zero");
  st = proviso_row_evaluate(row, &err);
  EXPECT(st == PROVISO_ERROR_EVALUATION && err && strstr(err->message, "retention.proviso:6:"), "no decision: %s",
         err ? err->message : "no error");
  proviso_error_free(err);
  err = NULL;
  proviso_row_free(row);
  /* The interpreter has no typed rows: a clear error. */
  proviso_policy* q = NULL;
  EXPECT(proviso_compile_string(kPolicy, "r.proviso", PROVISO_BACKEND_INTERPRETER, &q, NULL) == PROVISO_OK, "interp");
  st = proviso_row_new(q, NULL, NULL, &row, &err);
  EXPECT(st != PROVISO_OK && err && strstr(err->message, "JIT"), "interpreter row: %d", st);
  proviso_error_free(err);
  proviso_policy_free(q);
  proviso_policy_free(p);
}

int main(void) {
  EXPECT(strcmp(proviso_version(), "0.0.0") != 0 && strchr(proviso_version(), '.') != NULL, "version %s",
         proviso_version());
  check_backend(PROVISO_BACKEND_JIT);
  check_backend(PROVISO_BACKEND_INTERPRETER);
  check_typed_row();

  proviso_policy* p = NULL;
  proviso_error* err = NULL;
  /* A policy with an error: every diagnostic, rendered with its place. */
  proviso_status st = proviso_compile_string("policy p\ninput { x: int }\noutput o: bool\nrule r { then o = x }\n",
                                             "bad.proviso", PROVISO_BACKEND_JIT, &p, &err);
  EXPECT(st == PROVISO_ERROR_COMPILE && p == NULL && err && strstr(err->message, "bad.proviso:4:"),
         "compile error: %s", err ? err->message : "no error");
  proviso_error_free(err);
  err = NULL;
  /* A file that does not exist; a file from the repository. */
  st = proviso_compile_file("policies/cn/none.proviso", PROVISO_BACKEND_JIT, &p, &err);
  EXPECT(st == PROVISO_ERROR_COMPILE && err && strstr(err->message, "none.proviso"), "missing file: %d", st);
  proviso_error_free(err);
  err = NULL;
  st = proviso_compile_file("policies/cn/call_center.proviso", PROVISO_BACKEND_JIT, &p, &err);
  EXPECT(st == PROVISO_OK, "call_center: %s", err ? err->message : "");
  proviso_policy_free(p);
  EXPECT(proviso_compile_file("x.proviso", 7, &p, NULL) == PROVISO_ERROR_USAGE, "bad back end");
  proviso_policy_free(NULL);
  proviso_error_free(NULL);
  if (failures) fprintf(stderr, "capi_test: %d failures\n", failures);
  else printf("capi_test: ok\n");
  return failures ? 1 : 0;
}

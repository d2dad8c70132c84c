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

int main(void) {
  EXPECT(strcmp(proviso_version(), "0.0.0") != 0 && strchr(proviso_version(), '.') != NULL, "version %s",
         proviso_version());
  check_backend(PROVISO_BACKEND_JIT);
  check_backend(PROVISO_BACKEND_INTERPRETER);

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

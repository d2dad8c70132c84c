// `proviso verify` and `proviso diff` as a library: a policy's typed IR translated to SMT (Z3),
// proved never to fail for any valid facts or shown to fail with counterexamples; two policies (or
// one at two dates) proved equivalent or shown to differ with witnesses. This header does not
// expose Z3; nothing but the CLI links this library (docs/verify.md says what is proved and what
// is "unknown").
//
// Scope: facts are complete (every field given; an optional one may be none): unknown facts are
// not explored. A construct the translation does not cover makes the answer kUnknown with the
// reason, never kProved or kEquivalent. Counterexamples and witnesses are candidates: the caller
// replays them on the engines before reporting them (tools/verify_command.cc).
#ifndef PROVISO_COMPILER_VERIFY_VERIFY_H_
#define PROVISO_COMPILER_VERIFY_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/ir/ir.h"

namespace proviso::verify {

struct Options {
  // The evaluation date: fixed (a day number), else any day in [from, until] (inclusive).
  std::optional<int64_t> as_of;
  int64_t from = 10957;   // 2000-01-01
  int64_t until = 47481;  // 2099-12-31
  int list_bound = 3;  // list facts have at most this many elements (the result says so)
  unsigned query_timeout_ms = 2000;  // per solver query; a timeout is "unknown"
  unsigned total_timeout_ms = 8000;  // for the whole command; queries after it are "unknown"
};

// Facts (as `proviso eval --facts` reads them) and the evaluation date ("YYYY-MM-DD").
struct Witness {
  nlohmann::json facts;
  std::string as_of;
  std::string old_as_of;                  // diff --between: the first date ("" otherwise)
  std::vector<std::string> differences;   // "output x", "obligation y", "failure" (diff); the failure (verify)
  std::string where;                      // verify: file:line:col of the failure, or ""
};

struct VerifyResult {
  enum class Status { kProved, kFails, kUnknown };
  Status status = Status::kUnknown;
  std::string reason;                  // kUnknown: why
  std::vector<Witness> counterexamples;  // kFails: facts on which evaluation fails (one per place)
  // Proved facts about the policy, for all valid facts on which it does not fail: "rule `x` never
  // applies", "row 3 of table `t` is never chosen", "obligation `o` never applies", "obligation `o`
  // is never violated", "output `x` is always false".
  std::vector<std::string> findings;
  std::vector<std::string> notes;      // the scope of the proof, and checks left undecided
  std::string bound;                   // "lists of at most 3 elements" when the proof is bounded, else ""
};

// Proves that evaluating `p` never fails. Never throws for a policy it cannot translate (kUnknown).
VerifyResult Verify(const ir::Program& p, const Options& options);

struct DiffResult {
  enum class Status { kEquivalent, kDifferent, kUnknown };
  Status status = Status::kUnknown;
  std::string reason;
  std::vector<Witness> witnesses;  // one per output / obligation / failure that differs
  std::vector<std::string> notes;
  std::string bound;               // as VerifyResult::bound
};

// Compares `old_p` and `new_p` (the same input schema) on the same facts and date.
DiffResult Diff(const ir::Program& old_p, const ir::Program& new_p, const Options& options);
// Compares `p` evaluated on `first` with `p` evaluated on `second` (the same facts).
DiffResult DiffBetween(const ir::Program& p, int64_t first, int64_t second, const Options& options);

}  // namespace proviso::verify

#endif  // PROVISO_COMPILER_VERIFY_VERIFY_H_

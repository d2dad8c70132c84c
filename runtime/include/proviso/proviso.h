// Proviso C++ SDK: compile policies, evaluate facts, read decisions with obligations and explanations.
//
//   proviso::Engine engine;
//   proviso::Policy policy = engine.CompileFile("policies/cn/call_center.proviso");
//   proviso::Decision d = policy.Evaluate(nlohmann::json::parse(R"({"...": "..."})"),
//                                         {.as_of = "2020-09-01"});
//   for (const proviso::Obligation& o : d.obligations()) ...
//
// This header and the ones it includes are the only public C++ API of Proviso.
#ifndef PROVISO_PROVISO_H_
#define PROVISO_PROVISO_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace proviso {

class PolicyStore;

// A place in a policy file. line/column are 1-based; empty file = no location.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

// A problem found in a policy by the compiler.
struct PolicyDiagnostic {
  std::string severity;  // "error" or "warning"
  std::string code;      // stable, e.g. "E0203"
  std::string message;
  SourceLocation location;
  std::string help;
  std::string rendered;  // the compiler-style text with the source excerpt and caret
};

// Base of every error the SDK throws. All are recoverable: the Engine and Policies stay usable.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The policy (or a file it imports) has errors, or cannot be read. Carries every diagnostic.
class CompileError : public Error {
 public:
  CompileError(const std::string& summary, std::vector<PolicyDiagnostic> diagnostics)
      : Error(summary), diagnostics_(std::move(diagnostics)) {}
  const std::vector<PolicyDiagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<PolicyDiagnostic> diagnostics_;
};

// Facts (or a parameter override) that do not fit the policy's schema. `path()` names the field,
// e.g. "dataset.impact_degree"; for a parameter it is the parameter's name.
class FactsError : public Error {
 public:
  FactsError(const std::string& message, std::string path) : Error(message), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The facts are valid but the policy cannot decide: two rules conflict, no rule applies to an
// output, a `unique` table matches twice, division by zero. No partial decision is returned.
// The version of the JSON explanation (Decision::explanation(), `proviso eval --explain --format
// json`): its schema is docs/explanation.schema.json; a change that can break a reader bumps it.
inline constexpr int kExplanationVersion = 1;

class EvaluationError : public Error {
 public:
  EvaluationError(const std::string& message, SourceLocation location)
      : Error(message), location_(std::move(location)) {}
  const SourceLocation& location() const { return location_; }
  // With EvalOptions::explain: what was decided up to the failure (the same tree and JSON as
  // Decision::explanation_text() and explanation()), else empty.
  const std::string& explanation_text() const { return explanation_text_; }
  const nlohmann::json& explanation() const { return explanation_; }
  void set_explanation(nlohmann::json json, std::string text) {
    explanation_ = std::move(json);
    explanation_text_ = std::move(text);
  }

 private:
  SourceLocation location_;
  nlohmann::json explanation_;
  std::string explanation_text_;
};

// What an obligation cites: a paragraph of a law document (`law` and `text` set), or a provision the
// policy names in words (`law` and `text` empty).
struct Citation {
  std::string document;  // the document's title
  std::string article;   // the paragraph id ("p3"), or the policy's words
  std::string law;       // the law document's name, when resolved to its text
  std::string text;      // the paragraph, when resolved to its text
};

enum class Modality { kMust, kMustNot, kMay };
// "must", "must not", "may".
const char* ModalityName(Modality m);

// The element of a `for each` an obligation or outputs were decided for.
struct ItemRef {
  std::string scope;    // the `for each` variable (`transfer`)
  int index = 0;        // in the collection, from 0
  nlohmann::json key;   // the `key` (or the index), as JSON
};

// An obligation in a decision: who must (not) / may do what, by when, on which legal basis.
struct Obligation {
  std::string name;
  Modality modality = Modality::kMust;
  std::string subject;
  std::string action;
  // "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SSZ" when the deadline is an instant; for a retention, the
  // date until which to keep; for a recurring deadline, the current period's due date.
  std::optional<std::string> deadline;
  // "by", "recurring", "retention", "open" (an open standard, `standard`), or "" (no deadline).
  std::string deadline_kind;
  std::string standard;  // kind "open": the standard as written ("without undue delay")
  // Against the evaluation date: "pending", "met", "overdue", "early" (done before a window
  // opened), "breached" (deleted before the end of a retention), "undetermined" (it depends on facts
  // not given), or "" when nothing says.
  std::string status;
  std::vector<Citation> citations;
  std::string interpretation;  // the obligation reads a text that is silent or open: how, or ""
  bool violated = false;  // the facts show a breach, and that it applies
  // Facts not given leave open whether it applies (it is listed because it may), and whether it is
  // violated; `missing` are the facts (paths, "operator.verifies_numbers") that would decide.
  bool applies_undetermined = false;
  bool violation_undetermined = false;
  std::vector<std::string> missing;
  std::optional<ItemRef> item;  // decided for one element of a `for each`
};

// What a `for each` decided for one element: its outputs (name -> JSON value), and those that depend
// on facts not given (name -> array of the missing facts' paths).
struct Item {
  ItemRef ref;
  std::string law_as_of;  // "YYYY-MM-DD": the date whose law decided
  nlohmann::json outputs = nlohmann::json::object();
  nlohmann::json undetermined = nlohmann::json::object();
};

// The outcome of one evaluation. A plain value: copyable, independent of the Policy.
class Decision {
 public:
  // Output name -> value, as JSON (enums as names, dates "YYYY-MM-DD", durations "30 days",
  // decimals as numbers, or as exact text when a double cannot hold their 6 places). Outputs that
  // depend on facts not given are not here but in undetermined().
  const nlohmann::json& outputs() const { return outputs_; }
  // The value of one output; throws Error if the policy has no such output, or if it is
  // undetermined (the message names the missing facts).
  const nlohmann::json& output(const std::string& name) const;
  // Output name -> array of the paths of the facts not given that would decide it.
  const nlohmann::json& undetermined() const { return undetermined_; }
  // Every fact not given that something in the decision waits for (paths, in the input schema's
  // order): what to ask next.
  const std::vector<std::string>& missing_facts() const { return missing_facts_; }
  // Obligations that apply: the policy's in declaration order, then those of each element of each
  // `for each` (Obligation::item says which).
  const std::vector<Obligation>& obligations() const { return obligations_; }
  // What each `for each` decided, element by element in the collection's order.
  const std::vector<Item>& items() const { return items_; }
  // The applicable obligations the facts already violate.
  std::vector<Obligation> violations() const;
  // Why: which rules applied, which exceptions overrode which rules, the values each condition
  // read, and the citations. Empty unless evaluated with EvalOptions::explain.
  const std::string& explanation_text() const { return explanation_text_; }
  const nlohmann::json& explanation() const { return explanation_; }
  // "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SSZ" when the evaluation instant is not a midnight (UTC).
  const std::string& as_of() const { return as_of_; }
  // "YYYY-MM-DD": the date whose law decided, when the policy has `law as of` (else "": the law in
  // force on as_of decided, as for each element its own `law_as_of` in items()).
  const std::string& law_as_of() const { return law_as_of_; }
  // The version of the policy that decided (Policy::version(): a content hash of its sources), so
  // that a decision made while policies are reloaded (PolicyStore) says which one decided it.
  const std::string& version() const { return version_; }
  // {"policy", "version", "as_of", "law_as_of"?, "outputs", "undetermined"? (output -> missing facts),
  // "missing_facts"?, "obligations", "violations" (names of the policy's violated obligations),
  // "items"? (what each `for each` decided), "item_violations"? ({name, item} of each violated
  // obligation of an element), "explanation"?}
  nlohmann::json ToJson() const;

 private:
  friend class Policy;
  friend struct DecisionAccess;  // the SDK's internals (runtime/src/policy_impl.h)
  std::string policy_;
  std::string version_;
  std::string as_of_;
  nlohmann::json outputs_ = nlohmann::json::object();
  nlohmann::json undetermined_ = nlohmann::json::object();
  std::vector<std::string> missing_facts_;
  std::vector<Obligation> obligations_;
  std::vector<Item> items_;
  std::string law_as_of_;  // set when the policy has `law as of`
  nlohmann::json explanation_;
  std::string explanation_text_;
};

struct EvalOptions {
  // The evaluation date "YYYY-MM-DD", or instant "YYYY-MM-DDTHH:MM:SS" with `Z` or an offset: selects
  // the versions of rules and params in force (unless the policy has `law as of`), is `as_of` (its
  // UTC date) and `now` in the policy, and judges deadlines. A date is its midnight (UTC). Default:
  // now.
  std::optional<std::string> as_of;
  // What-if overrides: param name -> value in Proviso or JSON literal syntax
  // ("60 days", "[\"US\", \"JP\"]", "2020-08-31", "true", "national_security").
  std::map<std::string, std::string> params;
  // Record an explanation (slower).
  bool explain = false;
  // How many collection elements the evaluation's loops may visit (quantifiers, `filter`, `map`,
  // aggregates; nested ones multiply): over it, the evaluation fails with an EvaluationError that
  // says so. 0: the default (100,000,000, seconds of work); negative: no limit. For a batch, per row.
  int64_t budget = 0;
};

// Result of one in-language test.
struct TestOutcome {
  std::string name;
  SourceLocation location;
  bool passed = false;
  std::vector<std::string> failures;
};

// Which back end evaluates: native code from the LLVM JIT (the default), or the reference
// interpreter. Explanations always come from the interpreter, which the test suite keeps in
// agreement with the JIT on every policy.
enum class Backend { kJit, kInterpreter };

// ---------------------------------------------------------------- columnar batch evaluation
//
// A batch is N rows held as columns: one array per scalar leaf field of the input (records are
// flattened, paths joined with '.'), plus an optional presence mask (uint8, 1 = present) for
// optional fields. ColumnSpec::width says each column's element size, so that numpy/pandas arrays
// pass without conversion:
//   bool: uint8 0/1 (numpy bool); enum: int8 code, the index in `categories` (pandas categorical
//   codes), int32 for an enum of more than 127 values; int: int64; decimal: int64 in units of
//   10^-6; date: int64 days since 1970-01-01 (numpy datetime64[D]); datetime: int64 seconds since
//   1970-01-01T00:00:00Z (numpy datetime64[s], UTC); duration: int64 seconds (numpy
//   timedelta64[s]; durations of months/years cannot be batch inputs); text: int64 code into the column's
//   dictionary (what pandas.factorize gives: codes + uniques); a set of an enum of at most 64
//   values (enum set): uint64 bitmask, bit k set when categories[k] is in the set.
// Inputs of list types, sets of anything but such an enum and month-based durations cannot be
// batch columns (BatchInputs throws). An input
// with a default (`approved: bool = false`) takes a presence mask too: absent means the default.
// The element of an absent row is ignored (it may be anything: pandas' -1 code, for instance).
// Output columns must not overlap input columns or each other (EvaluateBatch throws Error if they
// do): the JIT's batch loop is compiled on that assumption (it reads and writes several rows at once).

enum class ColumnKind { kBool, kInt, kDecimal, kDate, kDuration, kEnum, kText, kEnumSet, kDateTime };

struct ColumnSpec {
  std::string name;                     // input path, output name, or "<obligation>.<applies|violated|deadline>"
  ColumnKind kind = ColumnKind::kInt;
  bool optional = false;                // a presence mask goes with it
  bool has_default = false;             // input with a default: absent (presence 0) means the default
  std::vector<std::string> categories;  // kEnum, kEnumSet: the values, in code (bit) order
  int width = 8;                        // bytes per element: 1 (bool, enum), 4 (large enum) or 8
};

struct BatchInput {
  int64_t rows = 0;
  std::vector<const void*> columns;     // in BatchInputs() order, each `rows` long, of its width
  std::vector<const uint8_t*> present;  // same order; nullptr = all present (required for optional=false)
  std::vector<const uint8_t*> known;    // same order, may be shorter or empty: nullptr = every cell is
                                        // known; else 0 = the cell is not known (a fact not given)
  // Text columns only (nullptr for others): the texts the codes index.
  std::vector<const std::vector<std::string>*> dictionaries;
};

struct BatchOutput {
  std::vector<void*> columns;     // in BatchOutputs() order, each `rows` long of its width, caller-owned
  std::vector<uint8_t*> present;  // same order; written only for optional columns (else may be nullptr)
  // Same order, may be shorter or empty: nullptr, or `rows * Policy::MissingWords()` words that say,
  // for each row, which facts (bit k: Policy::Facts()[k]) the column's value waits for; all zero
  // when it is determined. An undetermined output's value, `.applies`, `.violated` (then 0) and
  // `.deadline`/`.status` (status "undetermined") are not decisions: read the words.
  std::vector<uint64_t*> missing;
  std::vector<std::string> dictionary;  // filled by EvaluateBatch: the texts text outputs' codes index
};

// ---------------------------------------------------------------- handles for the typed row API
//
// Fields, outputs and obligations resolved once by name (Policy::Input, Output, Obligation) for the
// typed row API (proviso/row.h). Plain values; valid for every Row of the policy that made them.

// What a field or output holds, as the typed row API reads and writes it (kOther: a list, a set
// that is not an enum set, a record: SetJson only, or ToDecision()).
enum class FieldKind : uint8_t { kBool, kInt, kDecimal, kDate, kDateTime, kDuration, kEnum, kText, kEnumSet, kOther };

struct InputField {
  const void* policy = nullptr;  // the policy it belongs to
  int32_t slot = -1;             // where its value is in the row's facts
  int32_t presence = -1;         // an optional field's presence flag, else a scratch slot after the facts
  int32_t fact_slot = -1;        // 0 when known, else 1 + its fact's id
  int32_t index = -1;            // in the policy's field table
  int32_t slots = 1;             // its value's slots (an optional's payload)
  int64_t min = 0;               // the values a setter takes without further checks: min .. min + range
  uint64_t range = 0;
  FieldKind kind = FieldKind::kOther;
  bool optional = false;
  bool check = false;            // a setter checks more (constraints, nested records): out of line
};

struct OutputField {
  const void* policy = nullptr;
  int32_t slot = -1;      // the value's slot in the row's outputs
  int32_t presence = -1;  // an optional output's presence flag, else a slot that always holds 1
  int32_t index = -1;     // in the policy's outputs
  FieldKind kind = FieldKind::kOther;
  bool optional = false;
};

struct ObligationField {
  const void* policy = nullptr;
  int32_t slot = -1;
  int32_t index = -1;
  bool instant = false;  // its deadline is an instant (seconds), not a date (days)
};

// A compiled policy. Immutable; cheap to copy (copies share the compiled code, which is freed
// with the last copy); Evaluate, EvaluateBatch and RunTests are thread-safe.
class Policy {
 public:
  // Evaluates facts (a JSON object matching the policy's `input`). Throws FactsError,
  // EvaluationError, or Error for a bad option (unknown param, malformed date).
  Decision Evaluate(const nlohmann::json& facts, const EvalOptions& options = {}) const;
  // Runs the policy's own tests with this policy's back end; `today` ("YYYY-MM-DD") is the date
  // of tests without `as of` when the policy has no `effective from` (default: today).
  std::vector<TestOutcome> RunTests(const std::optional<std::string>& today = std::nullopt) const;

  // The batch input columns this policy takes; throws Error naming the first field that cannot
  // be a column (a list, a set).
  std::vector<ColumnSpec> BatchInputs() const;
  // The batch output columns: every output, then for each obligation `<name>.applies`,
  // `<name>.violated`, `<name>.deadline` (optional date, or datetime for an instant) and, for an
  // obligation with a deadline, `<name>.status` (an enum column: none, pending, met, overdue,
  // early, breached). Text outputs are written as codes into `BatchOutput::dictionary`.
  std::vector<ColumnSpec> BatchOutputs() const;
  // Evaluates every row (with Backend::kJit, in native code). Throws FactsError (bad code in a
  // column: the path names the column and row, e.g. "degree[17]") or EvaluationError for the
  // first row that has no decision (message starts with "row N: "); on error no output column is
  // complete. Cells marked not known (BatchInput::known) are facts not given, as a field left out
  // of JSON facts; what depends on them is undetermined (BatchOutput::missing).
  void EvaluateBatch(const BatchInput& input, BatchOutput& output, const EvalOptions& options = {}) const;
  // The facts of the input schema, by id: the paths that masks of missing facts (BatchOutput::missing)
  // and Decision::missing_facts() name ("operator.verifies_numbers", "activities[].recorded").
  const std::vector<std::string>& Facts() const;
  // The facts (paths as Facts()) whose type is optional: `null` gives them none, left out they are
  // not known.
  std::vector<std::string> OptionalFacts() const;
  // Words of one row's mask of missing facts: ceil(Facts().size() / 64), at least 1.
  int MissingWords() const;

  // Handles for the typed row API (proviso/row.h): an input field by path ("dataset.degree"), a
  // top-level output, an obligation by name; an enum value's code for an enum (or enum set) field,
  // and back for an enum output. Throw Error naming what does not exist (with the names that do).
  InputField FindInput(const std::string& path) const;
  OutputField FindOutput(const std::string& name) const;
  ObligationField FindObligation(const std::string& name) const;
  int32_t EnumCode(const InputField& field, const std::string& value) const;
  // The values of an enum (or enum set) field's enum, in code order.
  std::vector<std::string> EnumValues(const InputField& field) const;
  const std::string& EnumName(const OutputField& output, int32_t code) const;
  // A hash of the flat layout of the policy's facts and outputs, which headers generated by
  // `proviso compile --emit=cpp` are bound to (the same sources give the same hash).
  uint64_t LayoutHash() const;

  const std::string& name() const;
  // The version of the policy: the SHA-256 (64 lowercase hex digits) of the contents of every
  // file in SourceFiles(), in that order. The same sources give the same version wherever they
  // are and whichever back end compiles them; any change to the policy, an import or a law file
  // gives another. Every Decision names it (Decision::version()).
  const std::string& version() const;
  Backend backend() const;
  // The policy's outputs (those of a `for each` are per element: Decision::items()).
  std::vector<std::string> output_names() const;
  std::vector<std::string> param_names() const;
  // Warnings the compiler reported (a policy with errors never compiles).
  const std::vector<PolicyDiagnostic>& warnings() const;
  // Every file that went into the policy, as (path, content), the main file first, then its imports
  // and the law files they cite: enough to compile the same policy elsewhere (e.g. on a worker).
  std::vector<std::pair<std::string, std::string>> SourceFiles() const;
  // A dump of a compiler stage: "ast", "typed", "ir" or "llvm" (the optimised LLVM IR).
  std::string Dump(const std::string& stage) const;

  struct Impl;

 private:
  friend class Engine;
  friend class PolicyStore;  // store.h
  friend class Row;          // row.h
  explicit Policy(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

struct EngineOptions {
  Backend backend = Backend::kJit;
  // Reuse the compiled form of a policy whose files (the policy and everything it imports) have
  // the same content as in an earlier compilation in this process. Keyed by content hash.
  bool cache = true;
  // The folder under which a policy's imports and law files must be (a closed filesystem for
  // untrusted policy text: nothing else is read, and only `.proviso` and `.law` files). Empty: the
  // nearest folder at or above the policy's holding a `.proviso-root` file, else the policy's folder.
  std::string import_root;
};

// Compiles policies. Thread-safe; compiled policies are shared through a process-wide cache
// (EngineOptions::cache).
class Engine {
 public:
  explicit Engine(EngineOptions options = {}) : options_(options) {}

  // Compiles the policy at `path` and the files it imports. Throws CompileError with every
  // diagnostic (a missing file is a CompileError too).
  Policy CompileFile(const std::string& path) const;
  // Compiles policy text; `name` is the file name shown in diagnostics.
  Policy CompileString(const std::string& source, const std::string& name = "<string>") const;
  // Forgets every cached compilation (policies already returned stay valid).
  static void ClearCache();

 private:
  EngineOptions options_;
};

}  // namespace proviso

#endif  // PROVISO_PROVISO_H_

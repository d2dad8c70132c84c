// `proviso coverage --law`: a map of the law against the policies that encode it. For each paragraph
// of each law document: the declarations that cite it, the tests in which what cites it applies
// (positive) and is decided not to apply (negative), or why it is not encoded (informative in the
// law file, or `not encoded ... because` in a policy). The problems found are the paragraphs nothing
// accounts for, paragraphs without a rule or obligation or without both kinds of test, declarations
// that neither cite nor interpret (W0107), and policies that do not compile.
#ifndef PROVISO_COMPILER_COVERAGE_LAW_COVERAGE_H_
#define PROVISO_COMPILER_COVERAGE_LAW_COVERAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace proviso::coverage {

struct Place {
  std::string file;
  int line = 0;
  int column = 0;
};

// A declaration that cites a paragraph: `rule permit_by_default` at its place.
struct Citer {
  std::string kind;  // "rule", "obligation", "param", "table"
  std::string name;
  Place place;
  bool conditional = false;  // a rule or obligation with `when`: it can be decided not to apply
  bool decides() const { return kind == "rule" || kind == "obligation"; }
};

// A test that reached a paragraph, as `file:line: name`.
struct TestRef {
  std::string name;
  Place place;
};

struct NotEncodedMark {
  std::string reason;
  Place place;
};

struct ParagraphCoverage {
  std::string id;
  std::string text;
  Place place;                         // its `[id]` line in the law file
  bool informative = false;
  std::string informative_reason;
  std::vector<Citer> cited_by;         // in policy order, each declaration once
  std::vector<NotEncodedMark> not_encoded;
  std::vector<TestRef> positive;       // a rule citing it applies (and no exception overrides it), or an obligation citing it applies
  std::vector<TestRef> negative;       // one is decided not to apply (asked only when one has `when`)
  // "informative", "encoded", "not encoded", or "missing" (normative, and nothing accounts for it).
  std::string Status() const;
};

// A decision the text does not make: `interpretation "..."` on a declaration.
struct InterpretationMark {
  std::string kind;  // "rule", "obligation", "param", "table", "enum", "default" (of a fact)
  std::string name;  // "record.field" for a default
  std::string reason;
  Place place;
};

struct DocumentCoverage {
  std::string name;
  std::string title;
  std::string path;
  std::vector<ParagraphCoverage> paragraphs;
};

struct Report {
  std::vector<std::string> policies;          // the policy files read, in order
  std::vector<DocumentCoverage> documents;    // in the order first met (policies, then law files)
  std::vector<InterpretationMark> interpretations;  // of every policy (and import, once), in file order
  std::vector<std::string> problems;          // "file:line:col: what", sorted; empty: the law is covered
};

// Reads `paths` (policy files, law files, and folders searched recursively for both), compiles each
// policy, runs its tests on the reference interpreter (as of `today` when a test has no `as of` and
// its policy no `effective from`), and maps every law document they load or that is given. Never
// throws for a problem in the policies: it is a problem of the report.
Report LawCoverage(const std::vector<std::string>& paths, int64_t today);

std::string ToText(const Report& r);
// {documents: [{name, title, path, paragraphs: [{id, status, text, file, line, informative_reason?,
// cited_by: [{kind, name, file, line}], not_encoded: [{reason, file, line}], positive: [{name, file,
// line}], negative: [...]}]}], interpretations: [{kind, name, reason, file, line}], policies: [...],
// problems: [...], covered: bool}
nlohmann::json ToJson(const Report& r);
// One table per document (paragraph, status, what encodes it, tests), for docs/policies/.
std::string ToMarkdown(const Report& r);

}  // namespace proviso::coverage

#endif  // PROVISO_COMPILER_COVERAGE_LAW_COVERAGE_H_

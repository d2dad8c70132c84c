// What the pages of `proviso doc` are rendered from (internal to compiler/doc): the compiled policies
// with their test results, the law coverage report, and where each page and anchor is.
#ifndef PROVISO_COMPILER_DOC_MODEL_H_
#define PROVISO_COMPILER_DOC_MODEL_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/coverage/law_coverage.h"
#include "compiler/doc/html.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/test_runner.h"
#include "compiler/ir/ir.h"

namespace proviso::doc {

// One declaration of a policy's main file, as it is shown: its kind, its index in the module's
// vector of that kind, its anchor on the page, and the bytes of its source text.
struct Decl {
  enum class Kind {
    kHeader, kLawAsOf, kNotEncoded, kEnum, kRecord, kInput, kParam, kLet, kFunction, kTable, kOutput, kRule,
    kObligation, kTest, kCalendar, kScope
  };
  Kind kind = Kind::kHeader;
  int index = 0;
  std::string anchor;
  Span span;                 // what the declaration's span is (its name, mostly)
  size_t begin = 0, end = 0; // its source text, from its keyword to its last token
  std::string doc;           // its `///` comment lines, without the slashes
};

// A compiled policy (main file) and what its page shows.
struct PolicyDoc {
  std::string file;  // as found under the paths
  std::string page;  // "policy-NAME.html"
  std::unique_ptr<FrontEnd> fe;            // its sources and diagnostics
  std::unique_ptr<ir::Program> program;    // owns the checked program (fe->program moved here)
  std::vector<interp::TestResult> results; // of its tests, in order
  std::vector<Token> tokens;               // of the main file
  std::vector<Decl> decls;                 // in source order
  std::string about;                       // the file's leading `//` comment, joined into one paragraph

  const CheckedProgram& checked() const { return *program->checked; }
  const ast::Module& main() const { return program->checked->main(); }
  const SourceFile& source() const { return fe->sources.file(main().file); }
};

struct SiteModel {
  std::vector<PolicyDoc> policies;
  coverage::Report coverage;
  std::map<std::string, std::string> law_pages;  // canonical path of a law file -> its page
  // Where a declaration is: (canonical file, line, column of its span) -> "page#anchor". Filled by
  // PlanPolicy for every declaration, test and `not encoded` id of every page.
  std::map<std::tuple<std::string, int, int>, std::string> targets;
};

// The canonical form of a path (as far as it exists), to compare files named in different ways.
std::string PathKey(const std::string& path);

// The byte offset in `f` of 1-based `line` and code-point `col` (clamped to the text).
size_t OffsetOf(const SourceFile& f, int line, int col);

// "page#anchor" of paragraph `id` of the law file at `law_path`, or "" when the site has no page for it.
std::string LawHref(const SiteModel& m, const std::string& law_path, const std::string& id);

// The target of a declaration at `place` (a coverage report's place), or "".
std::string TargetHref(const SiteModel& m, const std::string& file, int line, int column);

// Lists the declarations of `p` in source order with their extents and anchors, and records their
// targets in `m`. Call after tokens are lexed, before any page is rendered.
void PlanPolicy(PolicyDoc& p, SiteModel& m);

// The pages.
std::string PolicyPage(const PolicyDoc& p, const SiteModel& m);
std::string LawPage(const coverage::DocumentCoverage& d, const SiteModel& m);
std::string IndexPage(const SiteModel& m);

// The page's head up to the opening of <main> (UTF-8, the stylesheet, a link home), and its end.
std::string PageStart(const std::string& title, const std::string& heading_html);
std::string PageEnd();
// The site's stylesheet (style.css).
std::string Stylesheet();

}  // namespace proviso::doc

#endif  // PROVISO_COMPILER_DOC_MODEL_H_

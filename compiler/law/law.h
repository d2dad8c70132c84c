// The text of the law a policy encodes: `.law` files, one document each, paragraph by paragraph with
// stable identifiers, so that citations resolve to text at compile time (docs/language.md, "The law").
//
//   // comments, before `document` only
//   document miit_call_center_circular "MIIT Circular on Tightening Call Center Business Management"
//   source "AnJie Law Firm legal update, 2020"
//
//   [h] informative "the article's headline"
//   MIIT urges tighter management over call centers
//
//   [p3]
//   The Circular calls on enterprises running call centers to ...
#ifndef PROVISO_COMPILER_LAW_LAW_H_
#define PROVISO_COMPILER_LAW_LAW_H_

#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace proviso::law {

struct Paragraph {
  std::string id;            // "p3", "p2.1", "h"
  std::string text;          // its lines joined with '\n', surrounding blank lines dropped
  bool informative = false;  // no normative content: needs neither a citation nor a `not encoded` mark
  std::string reason;        // why it is informative
  Span span;                 // the `[id]` header line
};

struct Document {
  std::string name;    // an identifier: what `cite "p3" of "NAME"` names
  std::string title;
  std::string source;  // where the text comes from, optional
  std::string path;    // as loaded
  Span span;           // the `document` line
  std::vector<Paragraph> paragraphs;  // in the order of the text

  // The paragraph with this id, or null.
  const Paragraph* Find(const std::string& id) const;
  std::vector<std::string> Ids() const;
};

// Parses `file` (already in `sources`) as a law document. Every problem is an error at its line
// (E0701); returns nullopt when the file cannot be used at all (no `document` line), else the
// document with the paragraphs that could be read.
std::optional<Document> Parse(const SourceManager& sources, int file, DiagnosticSink& diags);

}  // namespace proviso::law

#endif  // PROVISO_COMPILER_LAW_LAW_H_

// The language features of the server, as functions from a document's analysis and an LSP request's
// parameters to the result's JSON (LSP 3.17). Private to compiler/lsp.
#ifndef PROVISO_COMPILER_LSP_FEATURES_H_
#define PROVISO_COMPILER_LSP_FEATURES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostic.h"
#include "compiler/lsp/index.h"
#include "compiler/lsp/position.h"

namespace proviso::lsp {

using nlohmann::json;

// `file:///a/b%20c.proviso` <-> `/a/b c.proviso`. A URI that is not `file:` has no path (nullopt).
std::string PathToUri(const std::string& path);
std::optional<std::string> UriToPath(const std::string& uri);

// What the server knows of one open document: its index (the last compilation that parsed; it may be
// of an older text when the current one does not parse) and the path it was compiled as.
struct DocumentView {
  std::shared_ptr<const Index> index;  // may be null (nothing ever parsed)
  std::string path;
  std::string text;  // the current text (completion reads the line being typed)
};

// A diagnostic whose help says "did you mean `x`?" about a misspelt name: the edit that puts `x` in the
// name's place ({range, newText}), to be kept in the published diagnostic's `data` and offered back as
// a quick fix by CodeActions. Null when there is none (the name is not at either end of the span).
json QuickFix(const Diagnostic& d, const SourceFile& file);
// textDocument/codeAction: the quick fixes of the request's diagnostics (from their `data`).
json CodeActions(const json& params);

// Each returns the `result` of its request (null when there is nothing at the position).
json Hover(const DocumentView& doc, Position pos);
json Definition(const DocumentView& doc, Position pos);
// References and Rename also look in the `open` documents (all of them; `doc` may be among them) whose
// compilation holds the same declaration: a library and the open policies that import it.
json References(const DocumentView& doc, Position pos, bool include_declaration,
                const std::vector<DocumentView>& open = {});
json DocumentHighlight(const DocumentView& doc, Position pos);
json DocumentSymbols(const DocumentView& doc);
json Completion(const DocumentView& doc, Position pos);
json PrepareRename(const DocumentView& doc, Position pos);
// A WorkspaceEdit, or nullopt with `error` set to why the rename is refused.
std::optional<json> Rename(const DocumentView& doc, Position pos, const std::string& new_name, std::string* error,
                           const std::vector<DocumentView>& open = {});

}  // namespace proviso::lsp

#endif  // PROVISO_COMPILER_LSP_FEATURES_H_

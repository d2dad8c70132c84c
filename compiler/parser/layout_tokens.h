// The tokens of a policy, comments included, with what the parse says about their place: the input
// of `proviso fmt` (compiler/format), which must not see ANTLR itself.
#ifndef PROVISO_COMPILER_PARSER_LAYOUT_TOKENS_H_
#define PROVISO_COMPILER_PARSER_LAYOUT_TOKENS_H_

#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace proviso {

// One token of the source, in source order. Whitespace is not a token.
struct LayoutToken {
  enum class Kind { kCode, kLineComment, kBlockComment, kDocComment };
  // What begins a line of its own: a declaration (or `import`, `law`, the header's `policy`), an item
  // of the header (`title`, `law`, ...), an item of a block (a field, a rule's `when`, a test's
  // `given`, a calendar line, a declaration of a `for each`), a row of a table.
  enum class Item { kNone, kDecl, kHeaderItem, kBlockItem, kTableRow };
  // The part a code token plays where layout depends on it.
  enum class Role {
    kNone,
    kBlockOpen,   // `{` of a declaration's body (enum, record, input, table, calendar, rule,
                  // obligation, test, for each)
    kBlockClose,
    kMatchOpen,   // `{` of a `match`
    kMatchClose,
    kTypeOpen,    // `<` of `set<T>` / `list<T>`
    kTypeClose,
    kUnary,       // a prefix `-`
    kCellComma,   // `,` between the cells of a table row
    kRowArrow,    // `=>` of a table row
  };

  Kind kind = Kind::kCode;
  std::string type;  // the grammar's token name: "LBRACE", "ID", "LINE_COMMENT", ...
  std::string text;  // exactly as in the source
  int line = 0;      // 1-based
  int col = 0;       // 0-based, in code points
  Item item = Item::kNone;
  Role role = Role::kNone;
  int body = -1;     // for the first token of a declaration with a body: the index of its `{`
};

// Lexes and parses file `file` of `sm`. On a syntax error (or text that is not UTF-8) the
// diagnostics are added to `diags`, exactly as Parse reports them, and nullopt is returned.
// Never throws on any input bytes; the walk over the parse tree is iterative (no recursion).
std::optional<std::vector<LayoutToken>> LayoutTokens(const SourceManager& sm, int file, DiagnosticSink& diags);

}  // namespace proviso

#endif  // PROVISO_COMPILER_PARSER_LAYOUT_TOKENS_H_

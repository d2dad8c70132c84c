#include "compiler/parser/layout_tokens.h"

#include <exception>
#include <memory>
#include <utility>

#include "ProvisoLexer.h"
#include "ProvisoParser.h"
#include "antlr4-runtime.h"
#include "compiler/parser/parser.h"
#include "compiler/parser/parser_internal.h"

namespace proviso {
namespace {

using parser_internal::PP;
using Item = LayoutToken::Item;
using Role = LayoutToken::Role;

// Marks the direct children of `ctx` that are tokens of type `type` with `role`; returns the index
// of the last one marked, or -1.
int MarkChildren(antlr4::ParserRuleContext* ctx, size_t type, Role role, std::vector<LayoutToken>& out) {
  int last = -1;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child);
    if (term == nullptr || term->getSymbol()->getType() != type) continue;
    size_t i = term->getSymbol()->getTokenIndex();
    if (i < out.size()) {
      out[i].role = role;
      last = static_cast<int>(i);
    }
  }
  return last;
}

void MarkItem(antlr4::ParserRuleContext* ctx, Item item, std::vector<LayoutToken>& out) {
  size_t i = ctx->getStart()->getTokenIndex();
  if (i < out.size() && out[i].item == Item::kNone) out[i].item = item;
}

// A declaration with a body in braces: its braces, and the index of `{` on its first token.
bool HasBody(antlr4::ParserRuleContext* ctx) {
  return dynamic_cast<PP::EnumDeclContext*>(ctx) || dynamic_cast<PP::RecordDeclContext*>(ctx) ||
         dynamic_cast<PP::InputDeclContext*>(ctx) || dynamic_cast<PP::TableDeclContext*>(ctx) ||
         dynamic_cast<PP::CalendarDeclContext*>(ctx) || dynamic_cast<PP::RuleDeclContext*>(ctx) ||
         dynamic_cast<PP::ObligationDeclContext*>(ctx) || dynamic_cast<PP::TestDeclContext*>(ctx) ||
         dynamic_cast<PP::ScopeDeclContext*>(ctx);
}

// What the node says about its tokens (only the node itself, not its descendants).
void Annotate(antlr4::ParserRuleContext* ctx, std::vector<LayoutToken>& out) {
  if (dynamic_cast<PP::HeaderItemContext*>(ctx)) {
    MarkItem(ctx, Item::kHeaderItem, out);
  } else if (dynamic_cast<PP::HeaderContext*>(ctx) || dynamic_cast<PP::ImportDeclContext*>(ctx) ||
             dynamic_cast<PP::LawSourceContext*>(ctx) || dynamic_cast<PP::DeclContext*>(ctx)) {
    MarkItem(ctx, Item::kDecl, out);
  } else if (dynamic_cast<PP::ScopeItemContext*>(ctx) || dynamic_cast<PP::FieldDeclContext*>(ctx) ||
             dynamic_cast<PP::RuleItemContext*>(ctx) || dynamic_cast<PP::ObligationItemContext*>(ctx) ||
             dynamic_cast<PP::TestItemContext*>(ctx) || dynamic_cast<PP::CalendarItemContext*>(ctx)) {
    MarkItem(ctx, Item::kBlockItem, out);
  } else if (dynamic_cast<PP::TableRowContext*>(ctx)) {
    MarkItem(ctx, Item::kTableRow, out);
    MarkChildren(ctx, PP::COMMA, Role::kCellComma, out);
    MarkChildren(ctx, PP::FATARROW, Role::kRowArrow, out);
  } else if (HasBody(ctx)) {
    int open = MarkChildren(ctx, PP::LBRACE, Role::kBlockOpen, out);
    MarkChildren(ctx, PP::RBRACE, Role::kBlockClose, out);
    size_t first = ctx->getStart()->getTokenIndex();
    if (first < out.size()) out[first].body = open;
  } else if (dynamic_cast<PP::MatchExprContext*>(ctx)) {
    MarkChildren(ctx, PP::LBRACE, Role::kMatchOpen, out);
    MarkChildren(ctx, PP::RBRACE, Role::kMatchClose, out);
  } else if (dynamic_cast<PP::SetTypeContext*>(ctx) || dynamic_cast<PP::ListTypeContext*>(ctx)) {
    MarkChildren(ctx, PP::LT, Role::kTypeOpen, out);
    MarkChildren(ctx, PP::GT, Role::kTypeClose, out);
  } else if (dynamic_cast<PP::NegExprContext*>(ctx) || dynamic_cast<PP::BoundContext*>(ctx)) {
    MarkChildren(ctx, PP::MINUS, Role::kUnary, out);
  }
}

LayoutToken::Kind KindOf(size_t type) {
  switch (type) {
    case PP::LINE_COMMENT: return LayoutToken::Kind::kLineComment;
    case PP::BLOCK_COMMENT: return LayoutToken::Kind::kBlockComment;
    case PP::DOC_COMMENT: return LayoutToken::Kind::kDocComment;
    default: return LayoutToken::Kind::kCode;
  }
}

}  // namespace

std::optional<std::vector<LayoutToken>> LayoutTokens(const SourceManager& sm, int file, DiagnosticSink& diags) {
  // The same checks and messages as the compiler's: a file fmt refuses is one `check` refuses.
  if (Parse(sm, file, diags) == nullptr) return std::nullopt;
  try {
    antlr4::ANTLRInputStream input(sm.file(file).text);
    proviso_antlr::ProvisoLexer lexer(&input);
    lexer.removeErrorListeners();
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    PP parser(&tokens);
    parser.removeErrorListeners();
    PP::ProgramContext* tree = parser.program();
    if (parser.getNumberOfSyntaxErrors() > 0) return std::nullopt;  // Parse accepted it: cannot happen

    std::vector<LayoutToken> out;
    const antlr4::dfa::Vocabulary& vocabulary = lexer.getVocabulary();
    for (antlr4::Token* t : tokens.getTokens()) {
      if (t->getType() == antlr4::Token::EOF) break;
      LayoutToken lt;
      lt.kind = KindOf(t->getType());
      lt.type = vocabulary.getSymbolicName(t->getType());
      lt.text = t->getText();
      lt.line = static_cast<int>(t->getLine());
      lt.col = static_cast<int>(t->getCharPositionInLine());
      out.push_back(std::move(lt));
    }
    // INVARIANT: out[i] is the token of index i (EOF, the last token, is left out).
    std::vector<antlr4::tree::ParseTree*> work{tree};
    while (!work.empty()) {
      antlr4::tree::ParseTree* node = work.back();
      work.pop_back();
      auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(node);
      if (ctx == nullptr) continue;
      Annotate(ctx, out);
      for (auto it = ctx->children.rbegin(); it != ctx->children.rend(); ++it) work.push_back(*it);
    }
    return out;
  } catch (const std::exception&) {
    // Parse read the same text without an exception; if ANTLR throws here all the same, say so.
    Span span;
    span.file = file;
    span.line = span.end_line = 1;
    span.col = 1;
    span.end_col = 2;
    diags.Error("E0004", span, "the file cannot be read as policy text");
    return std::nullopt;
  }
}

}  // namespace proviso

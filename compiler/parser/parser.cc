#include "compiler/parser/parser.h"

#include <algorithm>
#include <exception>
#include <iterator>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "ProvisoLexer.h"
#include "ProvisoParser.h"
#include "antlr4-runtime.h"
#include "compiler/parser/parser_internal.h"
#include "compiler/support/utf8.h"

namespace proviso {
namespace {

using parser_internal::Builder;
using parser_internal::ErrorListener;
using parser_internal::IsOperator;
using parser_internal::PP;
using parser_internal::TokenSpan;

// Every stage walks expressions recursively; a pathological file (thousands of nested brackets or a
// chain of thousands of operators) would exhaust the stack. Such input is rejected up front.
constexpr int kMaxNesting = 1000;
constexpr int kMaxOperatorsPerDeclaration = 3000;

bool WithinLimits(antlr4::CommonTokenStream& tokens, int file, DiagnosticSink& diags) {
  int depth = 0, operators = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    switch (t->getType()) {
      case PP::LPAREN: case PP::LBRACKET: case PP::LBRACE: ++depth; ++operators; break;
      case PP::RPAREN: case PP::RBRACKET: case PP::RBRACE: depth = std::max(0, depth - 1); break;
      case PP::RULE: case PP::OBLIGATION: case PP::LET: case PP::PARAM: case PP::TABLE: case PP::FUNCTION:
      case PP::OUTPUT: case PP::TEST: case PP::ENUM: case PP::RECORD: case PP::INPUT: case PP::CALENDAR:
      case PP::FOR: case PP::LAW:
        if (depth == 0) operators = 0;  // a new declaration
        break;
      default:
        if (IsOperator(t->getType()) || t->getType() == PP::IF || t->getType() == PP::MATCH) ++operators;
        break;
    }
    if (depth > kMaxNesting || operators > kMaxOperatorsPerDeclaration) {
      diags.Error("E0007", TokenSpan(file, t),
                  depth > kMaxNesting
                      ? fmt::format("brackets are nested more than {} deep", kMaxNesting)
                      : fmt::format("this declaration has more than {} operators", kMaxOperatorsPerDeclaration))
          .help = "split the expression into several `let` declarations";
      return false;
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<ast::Module> Parse(const SourceManager& sm, int file, DiagnosticSink& diags) {
  const SourceFile& f = sm.file(file);
  try {
    antlr4::ANTLRInputStream input(f.text);
    proviso_antlr::ProvisoLexer lexer(&input);
    ErrorListener listener(file, diags);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    if (!WithinLimits(tokens, file, diags)) return nullptr;
    PP parser(&tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    PP::ProgramContext* tree = parser.program();
    if (listener.count() > 0) return nullptr;
    // Errors found while building (bad dates, huge numbers) leave a complete tree: the checker
    // still runs on it so that one run reports everything.
    Builder builder(file, tokens, diags);
    return builder.Program(tree);
  } catch (const std::exception& e) {
    // The ANTLR runtime throws on some malformed input (e.g. invalid UTF-8): point at the first
    // byte that is not UTF-8 (1:1 if there is none).
    Span span;
    span.file = file;
    span.line = span.end_line = 1;
    span.col = 1;
    size_t bad = FirstInvalidUtf8(f.text);
    if (bad < f.text.size()) {
      auto begin = f.text.begin(), at = begin + static_cast<std::ptrdiff_t>(bad);
      span.line = span.end_line = 1 + static_cast<int>(std::count(begin, at, '\n'));
      // Columns count code points: the bytes before `bad` on its line that start one.
      auto line_start = std::find(std::make_reverse_iterator(at), f.text.rend(), '\n').base();
      span.col = 1 + static_cast<int>(std::count_if(line_start, at, [](char ch) {
                   return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
                 }));
    }
    span.end_col = span.col + 1;
    diags.Error("E0004", span, "the file cannot be read as UTF-8 text").help =
        "save the policy as UTF-8";
    return nullptr;
  }
}

}  // namespace proviso

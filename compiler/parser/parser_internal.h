// Internals of the parser shared by its files: the syntax-error listener (syntax_errors.cc) and
// the builder that turns the ANTLR parse tree into the AST (build_decls.cc, build_exprs.cc).
// Only the parser's own .cc files include this header.
#ifndef PROVISO_COMPILER_PARSER_PARSER_INTERNAL_H_
#define PROVISO_COMPILER_PARSER_PARSER_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ProvisoParser.h"
#include "antlr4-runtime.h"
#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace proviso {
namespace parser_internal {

using PP = proviso_antlr::ProvisoParser;
using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

// ---- syntax_errors.cc

Span TokenSpan(int file, antlr4::Token* t);

bool IsOperator(size_t type);

// Turns ANTLR's syntax errors into Proviso diagnostics with messages a legal engineer can act on.
class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(int file, DiagnosticSink& diags) : file_(file), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t col, const std::string& msg, std::exception_ptr) override;

  int count() const { return count_; }

 private:
  static std::string Where(antlr4::ParserRuleContext* ctx);
  static std::string Help(antlr4::Parser* parser, antlr4::Token* offending, bool name_expected);
  static antlr4::Token* UnknownClauseWord(antlr4::Parser* parser, antlr4::Token* offending);
  static std::string After(antlr4::Parser* parser, antlr4::Token* offending);

  int file_;
  DiagnosticSink& diags_;
  int count_ = 0;
};

// ---- build_exprs.cc

std::string Unquote(const std::string& s);

// ---- build_decls.cc (declarations) and build_exprs.cc (expressions, literals)

// Builds the AST from the ANTLR parse tree. Only called on trees without syntax errors.
class Builder {
 public:
  Builder(int file, antlr4::CommonTokenStream& tokens, DiagnosticSink& diags)
      : file_(file), tokens_(tokens), diags_(diags) {}

  // build_decls.cc
  Span SpanOf(antlr4::ParserRuleContext* ctx);
  Span SpanOf(antlr4::Token* t);
  std::string DocOf(antlr4::ParserRuleContext* ctx);
  std::unique_ptr<ast::Module> Program(PP::ProgramContext* ctx);
  ast::Header Header(PP::HeaderContext* ctx);
  ast::Effective Effective(PP::EffectiveContext* ctx);
  ast::Citation Citation(PP::CitationContext* ctx);
  ast::Interpretation Interpretation(PP::InterpretationContext* ctx);
  void NotEncoded(PP::NotEncodedDeclContext* ctx, ast::Module& m);
  void Decl(PP::DeclContext* d, ast::Module& m);
  void Scope(PP::ScopeDeclContext* c, ast::Module& m);
  ast::LetDecl Let(PP::LetDeclContext* c, std::string doc);
  ast::OutputDecl Output(PP::OutputDeclContext* c, std::string doc);
  bool Undetermined(antlr4::Token* word);
  void MissingFacts(PP::MissingFactsContext* c, ast::TestExpect& x);
  ast::FieldDecl Field(PP::FieldDeclContext* c);
  ExprPtr Bound(PP::BoundContext* c);
  std::vector<ast::TypedName> Params(PP::ParamListContext* c);
  std::unique_ptr<ast::TypeExpr> Type(PP::TypeRefContext* c);
  ast::TableDecl Table(PP::TableDeclContext* c, std::string doc);
  ast::Cell Cell(PP::CellContext* c);
  std::vector<ast::NameRef> ExceptionTo(PP::ExceptionToContext* c);
  std::optional<int64_t> Priority(PP::PriorityContext* c);
  ast::CalendarDecl Calendar(PP::CalendarDeclContext* c, std::string doc);
  ast::RuleDecl Rule(PP::RuleDeclContext* c, std::string doc);
  bool Word(antlr4::Token* word, const char* expected, const char* form);
  void Duplicate(Span span, const char* clause, const char* what, const std::string& name);
  ast::ObligationDecl Obligation(PP::ObligationDeclContext* c, std::string doc);
  ast::TestDecl Test(PP::TestDeclContext* c);

  // build_exprs.cc
  int64_t DateTimeValue(antlr4::Token* t);
  int64_t DateValue(antlr4::Token* t);
  static ast::BinOp CompareOp(size_t type);
  static std::string Digits(const std::string& text);
  int64_t IntValue(antlr4::Token* t);
  int64_t IntValue(antlr4::Token* t, const std::string& text);
  ExprPtr Make(ExprKind kind, antlr4::ParserRuleContext* ctx);
  ExprPtr Binary(ExprKind kind, antlr4::ParserRuleContext* ctx, PP::ExprContext* a,
                 PP::ExprContext* b);
  ExprPtr Expression(PP::ExprContext* c);
  ExprPtr Primary(PP::PrimaryContext* c);

 private:
  int file_;
  antlr4::CommonTokenStream& tokens_;
  DiagnosticSink& diags_;
};

}  // namespace parser_internal
}  // namespace proviso

#endif  // PROVISO_COMPILER_PARSER_PARSER_INTERNAL_H_

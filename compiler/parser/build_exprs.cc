// Builder: expressions and literals (numbers, dates, text, durations) of the parse tree.

#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "compiler/parser/parser_internal.h"
#include "compiler/support/calendar.h"

namespace proviso {
namespace parser_internal {

std::string Unquote(const std::string& s) {
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) {
      char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

int64_t Builder::DateTimeValue(antlr4::Token* t) {
  auto d = ParseDateTime(t->getText());
  if (!d) {
    diags_.Error("E0501", SpanOf(t), fmt::format("`{}` is not a valid date-time", t->getText()))
        .help = "date-times are written YYYY-MM-DDTHH:MM[:SS] with `Z` or an offset (`+08:00`), a real date and "
                "time, in years 1 to 9999";
    return 0;
  }
  return *d;
}

int64_t Builder::DateValue(antlr4::Token* t) {
  auto d = ParseDate(t->getText());
  if (!d) {
    diags_.Error("E0501", SpanOf(t), fmt::format("`{}` is not a valid date", t->getText()))
        .help = "dates are written YYYY-MM-DD and must exist in the calendar";
    return 0;
  }
  return *d;
}

ast::BinOp Builder::CompareOp(size_t type) {
  switch (type) {
    case PP::LT: return ast::BinOp::kLt;
    case PP::LE: return ast::BinOp::kLe;
    case PP::GT: return ast::BinOp::kGt;
    case PP::GE: return ast::BinOp::kGe;
    case PP::EQ: return ast::BinOp::kEq;
    default: return ast::BinOp::kNe;
  }
}

// The digits of a number, without the `_` that may group them.
std::string Builder::Digits(const std::string& text) {
  std::string out;
  for (char ch : text) if (ch != '_') out += ch;
  return out;
}

int64_t Builder::IntValue(antlr4::Token* t) { return IntValue(t, t->getText()); }

int64_t Builder::IntValue(antlr4::Token* t, const std::string& text) {
  try {
    return std::stoll(Digits(text));
  } catch (...) {
    diags_.Error("E0503", SpanOf(t), fmt::format("number `{}` is too large", text));
    return 0;
  }
}

ExprPtr Builder::Make(ExprKind kind, antlr4::ParserRuleContext* ctx) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->span = SpanOf(ctx);
  return e;
}

ExprPtr Builder::Binary(ExprKind kind, antlr4::ParserRuleContext* ctx, PP::ExprContext* a,
                        PP::ExprContext* b) {
  auto e = Make(kind, ctx);
  e->args.push_back(Expression(a));
  e->args.push_back(Expression(b));
  return e;
}

// expr: see the grammar; one branch per labeled alternative.
ExprPtr Builder::Expression(PP::ExprContext* c) {
  if (auto* p = dynamic_cast<PP::PrimaryExprContext*>(c)) return Primary(p->primary());
  if (auto* f = dynamic_cast<PP::FieldExprContext*>(c)) {
    auto e = Make(ExprKind::kField, c);
    e->args.push_back(Expression(f->expr()));
    e->name = f->ident()->getText();
    return e;
  }
  if (auto* p = dynamic_cast<PP::PresentExprContext*>(c)) {
    auto e = Make(ExprKind::kIsPresent, c);
    e->negated = p->NOT() != nullptr;
    e->args.push_back(Expression(p->expr()));
    return e;
  }
  if (auto* p = dynamic_cast<PP::EmptyExprContext*>(c)) {
    auto e = Make(ExprKind::kIsEmpty, c);
    e->negated = p->NOT() != nullptr;
    e->args.push_back(Expression(p->expr()));
    return e;
  }
  if (auto* i = dynamic_cast<PP::IntersectExprContext*>(c)) {
    auto e = Binary(ExprKind::kSetOp, c, i->expr(0), i->expr(1));
    e->set_op = ast::SetOp::kIntersect;
    return e;
  }
  if (auto* so = dynamic_cast<PP::SetOpExprContext*>(c)) {
    auto e = Binary(ExprKind::kSetOp, c, so->expr(0), so->expr(1));
    e->set_op = so->op->getType() == PP::UNION ? ast::SetOp::kUnion : ast::SetOp::kMinus;
    return e;
  }
  if (auto* n = dynamic_cast<PP::NegExprContext*>(c)) {
    auto e = Make(ExprKind::kNeg, c);
    e->args.push_back(Expression(n->expr()));
    return e;
  }
  if (auto* m = dynamic_cast<PP::MulExprContext*>(c)) {
    auto e = Binary(ExprKind::kBinary, c, m->expr(0), m->expr(1));
    e->op = m->op->getType() == PP::STAR ? ast::BinOp::kMul : ast::BinOp::kDiv;
    return e;
  }
  if (auto* w = dynamic_cast<PP::WorkingDaysExprContext*>(c)) {
    auto e = Binary(ExprKind::kWorkingDays, c, w->expr(0), w->expr(1));
    if (w->unit->getText() != "days" && w->unit->getText() != "day") {
      diags_.Error("E0003", SpanOf(w->unit), fmt::format("expected `days` after `working`, found `{}`", w->unit->getText()))
          .help = "write `N working days after DATE`";
    }
    if (w->cal) e->name = w->cal->getText();
    e->negated = w->dir->getType() == PP::BEFORE;
    return e;
  }
  if (auto* a = dynamic_cast<PP::AddExprContext*>(c)) {
    auto e = Binary(ExprKind::kBinary, c, a->expr(0), a->expr(1));
    e->op = a->op->getType() == PP::PLUS ? ast::BinOp::kAdd : ast::BinOp::kSub;
    return e;
  }
  if (auto* q = dynamic_cast<PP::CoalesceExprContext*>(c)) {
    return Binary(ExprKind::kCoalesce, c, q->expr(0), q->expr(1));
  }
  if (auto* cmp = dynamic_cast<PP::CompareExprContext*>(c)) {
    auto e = Binary(ExprKind::kBinary, c, cmp->expr(0), cmp->expr(1));
    e->op = CompareOp(cmp->op->getType());
    return e;
  }
  if (auto* in = dynamic_cast<PP::InExprContext*>(c)) {
    auto e = Binary(ExprKind::kIn, c, in->expr(0), in->expr(1));
    e->negated = in->NOT() != nullptr;
    return e;
  }
  if (auto* n = dynamic_cast<PP::NotExprContext*>(c)) {
    auto e = Make(ExprKind::kNot, c);
    e->args.push_back(Expression(n->expr()));
    return e;
  }
  if (auto* a = dynamic_cast<PP::AndExprContext*>(c)) return Binary(ExprKind::kAnd, c, a->expr(0), a->expr(1));
  if (auto* o = dynamic_cast<PP::OrExprContext*>(c)) return Binary(ExprKind::kOr, c, o->expr(0), o->expr(1));
  if (auto* i = dynamic_cast<PP::IfExprContext*>(c)) {
    auto e = Make(ExprKind::kIf, c);
    for (auto* x : i->expr()) e->args.push_back(Expression(x));
    return e;
  }
  if (auto* q = dynamic_cast<PP::QuantExprContext*>(c)) {
    auto e = Make(ExprKind::kQuant, c);
    switch (q->quant->getType()) {
      case PP::ANY: e->quant = ast::QuantKind::kAny; break;
      case PP::ALL: e->quant = ast::QuantKind::kAll; break;
      case PP::COUNT: e->quant = ast::QuantKind::kCount; break;
      case PP::SUM: e->quant = ast::QuantKind::kSum; break;
      case PP::MIN: e->quant = ast::QuantKind::kMin; break;
      case PP::MAX: e->quant = ast::QuantKind::kMax; break;
      case PP::FILTER: e->quant = ast::QuantKind::kFilter; break;
      default: e->quant = ast::QuantKind::kMap; break;
    }
    e->name = q->ID()->getText();
    e->args.push_back(Expression(q->expr(0)));
    // args: the collection, the body, then `where` only beside a body; `count`/`filter` with
    // only `where` take it as their body (the condition).
    bool condition = e->quant == ast::QuantKind::kCount || e->quant == ast::QuantKind::kFilter;
    if (q->body) {
      e->args.push_back(Expression(q->body));
      if (q->where) e->args.push_back(Expression(q->where));
    } else if (q->where && condition) {
      e->args.push_back(Expression(q->where));
    } else {
      const char* what = condition ? "`where CONDITION` or `: CONDITION`"
                                   : e->quant == ast::QuantKind::kAny || e->quant == ast::QuantKind::kAll
                                         ? "`: CONDITION`" : "`: VALUE`";
      diags_.Error("E0003", SpanOf(c), fmt::format("`{} {} in ...` needs {}", ast::QuantText(e->quant), e->name, what))
          .help = fmt::format("e.g. `{} {} in items{}`", ast::QuantText(e->quant), e->name,
                              condition ? " where " + e->name + ".late" : e->quant == ast::QuantKind::kAny ||
                                  e->quant == ast::QuantKind::kAll ? ": " + e->name + ".late" : ": " + e->name + ".amount");
      // A stand-in body of the usual type, so that the checker adds no second diagnostic.
      bool cond = condition || e->quant == ast::QuantKind::kAny || e->quant == ast::QuantKind::kAll;
      e->args.push_back(Make(cond ? ExprKind::kBool : ExprKind::kInt, c));
    }
    return e;
  }
  auto e = Make(ExprKind::kBool, c);  // unreachable with a complete grammar
  return e;
}

ExprPtr Builder::Primary(PP::PrimaryContext* c) {
  if (auto* o = dynamic_cast<PP::ItemOfExprContext*>(c)) {
    auto e = Make(ExprKind::kItemOf, c);
    e->name = o->name->getText();
    e->args.push_back(Primary(o->elem));
    return e;
  }
  if (auto* i = dynamic_cast<PP::IntLitContext*>(c)) {
    auto e = Make(ExprKind::kInt, c);
    e->int_value = IntValue(i->INT()->getSymbol());
    return e;
  }
  if (auto* d = dynamic_cast<PP::DecimalLitContext*>(c)) {
    auto e = Make(ExprKind::kDecimal, c);
    e->text = Digits(d->DECIMAL()->getText());
    return e;
  }
  if (auto* t = dynamic_cast<PP::TextLitContext*>(c)) {
    auto e = Make(ExprKind::kText, c);
    e->text = Unquote(t->STRING()->getText());
    return e;
  }
  if (auto* d = dynamic_cast<PP::DateLitContext*>(c)) {
    auto e = Make(ExprKind::kDate, c);
    e->int_value = DateValue(d->DATE()->getSymbol());
    return e;
  }
  if (auto* d = dynamic_cast<PP::DateTimeLitContext*>(c)) {
    auto e = Make(ExprKind::kDateTime, c);
    e->int_value = DateTimeValue(d->DATETIME()->getSymbol());
    return e;
  }
  if (auto* d = dynamic_cast<PP::DurationLitContext*>(c)) {
    // One token: digits, blanks, a unit.
    auto e = Make(ExprKind::kDuration, c);
    std::string text = d->DURATION()->getText();
    size_t blank = text.find_first_of(" \t");
    size_t unit_at = text.find_first_not_of(" \t", blank);
    e->int_value = IntValue(d->DURATION()->getSymbol(), text.substr(0, blank));
    std::string unit = text.substr(unit_at);
    if (unit.back() == 's') unit.pop_back();
    static const std::pair<const char*, ast::DurationUnit> kUnits[] = {
        {"second", ast::DurationUnit::kSecond}, {"minute", ast::DurationUnit::kMinute},
        {"hour", ast::DurationUnit::kHour},     {"day", ast::DurationUnit::kDay},
        {"week", ast::DurationUnit::kWeek},     {"month", ast::DurationUnit::kMonth},
        {"year", ast::DurationUnit::kYear}};
    for (const auto& [name, u] : kUnits) if (unit == name) e->unit = u;
    if (e->int_value > 1000000) {
      diags_.Error("E0504", e->span, fmt::format("duration `{}` is out of range", ast::ToSource(*e)))
          .help = "durations are limited to 1000000 units";
    }
    return e;
  }
  if (auto* b = dynamic_cast<PP::BoolLitContext*>(c)) {
    auto e = Make(ExprKind::kBool, c);
    e->int_value = b->TRUE() != nullptr;
    return e;
  }
  if (dynamic_cast<PP::NoneLitContext*>(c)) return Make(ExprKind::kNone, c);
  if (dynamic_cast<PP::AsOfLitContext*>(c)) return Make(ExprKind::kAsOf, c);
  if (dynamic_cast<PP::NowLitContext*>(c)) return Make(ExprKind::kNow, c);
  if (auto* call = dynamic_cast<PP::CallExprContext*>(c)) {
    auto e = Make(ExprKind::kCall, c);
    e->name = call->name->getText();
    for (auto* a : call->expr()) e->args.push_back(Expression(a));
    return e;
  }
  if (auto* call = dynamic_cast<PP::BuiltinCallExprContext*>(c)) {
    auto e = Make(ExprKind::kCall, c);
    e->name = call->getStart()->getText();
    for (auto* a : call->expr()) e->args.push_back(Expression(a));
    return e;
  }
  if (auto* n = dynamic_cast<PP::NameExprContext*>(c)) {
    auto e = Make(ExprKind::kName, c);
    e->name = n->softName()->getText();
    return e;
  }
  if (auto* l = dynamic_cast<PP::ListLitContext*>(c)) {
    auto e = Make(ExprKind::kList, c);
    for (auto* a : l->expr()) e->args.push_back(Expression(a));
    return e;
  }
  if (dynamic_cast<PP::EmptySetLitContext*>(c)) return Make(ExprKind::kSet, c);
  if (auto* s = dynamic_cast<PP::SetLitContext*>(c)) {
    auto e = Make(ExprKind::kSet, c);
    for (auto* a : s->expr()) e->args.push_back(Expression(a));
    return e;
  }
  if (auto* r = dynamic_cast<PP::RecordLitContext*>(c)) {
    auto e = Make(ExprKind::kRecord, c);
    for (auto* f : r->recordField()) {
      e->field_names.push_back(f->ident()->getText());
      e->field_spans.push_back(SpanOf(f->ident()));
      e->args.push_back(Expression(f->expr()));
    }
    return e;
  }
  if (auto* m = dynamic_cast<PP::MatchExprContext*>(c)) {
    auto e = Make(ExprKind::kMatch, c);
    e->args.push_back(Expression(m->expr()));
    for (auto* a : m->matchArm()) {
      ast::MatchArm arm;
      arm.span = SpanOf(a);
      for (auto* pattern : a->matchPattern()) {
        arm.patterns.push_back(pattern->getText());
        arm.pattern_spans.push_back(SpanOf(pattern));
      }
      arm.body = Expression(a->expr());
      e->arms.push_back(std::move(arm));
    }
    return e;
  }
  if (auto* p = dynamic_cast<PP::ParenExprContext*>(c)) return Expression(p->expr());
  return Make(ExprKind::kBool, c);
}

}  // namespace parser_internal
}  // namespace proviso

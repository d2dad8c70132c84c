// Builder: the header, imports and declarations of the parse tree (enums, records, input, params,
// lets, functions, tables, outputs, rules, obligations, calendars, `for each` scopes, tests).

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compiler/parser/parser_internal.h"
#include "compiler/support/calendar.h"

namespace proviso {
namespace parser_internal {

Span Builder::SpanOf(antlr4::ParserRuleContext* ctx) {
  Span s = TokenSpan(file_, ctx->getStart());
  Span e = TokenSpan(file_, ctx->getStop());
  return s.To(e);
}

Span Builder::SpanOf(antlr4::Token* t) { return TokenSpan(file_, t); }

// `///` lines directly above a declaration.
std::string Builder::DocOf(antlr4::ParserRuleContext* ctx) {
  std::string doc;
  auto hidden = tokens_.getHiddenTokensToLeft(ctx->getStart()->getTokenIndex(), 2);
  for (antlr4::Token* t : hidden) {
    std::string line = t->getText().substr(3);
    if (!line.empty() && line[0] == ' ') line = line.substr(1);
    if (!doc.empty()) doc += "\n";
    doc += line;
  }
  return doc;
}

// program : header? (importDecl | lawSource)* decl* EOF
std::unique_ptr<ast::Module> Builder::Program(PP::ProgramContext* ctx) {
  auto m = std::make_unique<ast::Module>();
  m->file = file_;
  auto law = [&](PP::LawSourceContext* l) {
    m->laws.push_back(ast::LawSource{Unquote(l->target->getText()), SpanOf(l)});
  };
  if (ctx->header()) {
    m->header = Header(ctx->header());
    for (auto* item : ctx->header()->headerItem()) {
      if (auto* l = dynamic_cast<PP::HeaderLawContext*>(item)) law(l->lawSource());
    }
  }
  for (auto* i : ctx->importDecl()) {
    m->imports.push_back(ast::Import{Unquote(i->target->getText()), SpanOf(i)});
  }
  for (auto* l : ctx->lawSource()) law(l);
  for (auto* d : ctx->decl()) Decl(d, *m);
  return m;
}

// header : POLICY name=ID headerItem*
ast::Header Builder::Header(PP::HeaderContext* ctx) {
  ast::Header h;
  h.name = ctx->name->getText();
  h.span = SpanOf(ctx->name);
  bool titled = false, documented = false;
  for (auto* item : ctx->headerItem()) {
    if (auto* t = dynamic_cast<PP::HeaderTitleContext*>(item)) {
      if (titled) Duplicate(SpanOf(item), "title", "policy", h.name);
      titled = true;
      h.title = Unquote(t->STRING()->getText());
    }
    if (auto* d = dynamic_cast<PP::HeaderDocumentContext*>(item)) {
      if (documented) Duplicate(SpanOf(item), "document", "policy", h.name);
      documented = true;
      h.document = Unquote(d->STRING()->getText());
    }
    if (auto* e = dynamic_cast<PP::HeaderEffectiveContext*>(item)) {
      if (h.effective.present) Duplicate(SpanOf(item), "effective", "policy", h.name);
      h.effective = Effective(e->effective());
    }
  }
  return h;
}

// effective : EFFECTIVE FROM from=DATE (UNTIL until=DATE)?
ast::Effective Builder::Effective(PP::EffectiveContext* ctx) {
  ast::Effective e;
  e.present = true;
  e.span = SpanOf(ctx);
  e.from = DateValue(ctx->from);
  if (ctx->until) {
    e.until = DateValue(ctx->until);
    if (e.until <= e.from) {
      diags_.Error("E0502", SpanOf(ctx), "`until` date is not after the `from` date")
          .help = "an effective period runs from its first day up to, not including, `until`";
    }
  }
  return e;
}

// citation : CITE article=STRING (OF document=STRING)?
ast::Citation Builder::Citation(PP::CitationContext* ctx) {
  ast::Citation c;
  c.article = Unquote(ctx->article->getText());
  if (ctx->document) c.document = Unquote(ctx->document->getText());
  c.span = SpanOf(ctx);
  return c;
}

// interpretation : INTERPRETATION reason=STRING
ast::Interpretation Builder::Interpretation(PP::InterpretationContext* ctx) {
  return ast::Interpretation{Unquote(ctx->reason->getText()), SpanOf(ctx)};
}

// notEncodedDecl : NOT word=ID STRING (COMMA STRING)* (OF document=STRING)? because=ID reason=STRING
void Builder::NotEncoded(PP::NotEncodedDeclContext* c, ast::Module& m) {
  if (c->word->getText() != "encoded" || c->because->getText() != "because") {
    diags_.Error("E0001", SpanOf(c), "expected `not encoded \"ID\", ... because \"REASON\"`")
        .help = "marks paragraphs of the law that the policy deliberately does not encode, with the reason";
    return;
  }
  ast::NotEncoded n;
  n.span = SpanOf(c);
  auto strings = c->STRING();
  // The ids are every STRING before the document and the reason.
  size_t ids = strings.size() - 1 - (c->document ? 1 : 0);
  for (size_t i = 0; i < ids; ++i) {
    n.ids.push_back(Unquote(strings[i]->getText()));
    n.id_spans.push_back(SpanOf(strings[i]->getSymbol()));
  }
  if (c->document) {
    n.document = Unquote(c->document->getText());
    n.document_span = SpanOf(c->document);
  }
  n.reason = Unquote(c->reason->getText());
  m.not_encoded.push_back(std::move(n));
}

void Builder::Decl(PP::DeclContext* d, ast::Module& m) {
  if (auto* c = d->enumDecl()) {
    ast::EnumDecl e;
    e.name = c->name->getText();
    e.span = SpanOf(c->name);
    e.doc = DocOf(d);
    auto ids = c->ID();
    for (size_t i = 1; i < ids.size(); ++i) {
      e.variants.push_back(ids[i]->getText());
      e.variant_spans.push_back(SpanOf(ids[i]->getSymbol()));
    }
    if (c->interpretation()) e.interpretation = Interpretation(c->interpretation());
    m.enums.push_back(std::move(e));
  } else if (auto* c = d->recordDecl()) {
    ast::RecordDecl r;
    r.name = c->name->getText();
    r.span = SpanOf(c->name);
    r.doc = DocOf(d);
    for (auto* f : c->fieldDecl()) r.fields.push_back(Field(f));
    m.records.push_back(std::move(r));
  } else if (auto* c = d->inputDecl()) {
    ast::InputDecl in;
    in.span = SpanOf(c->getStart());
    for (auto* f : c->fieldDecl()) in.fields.push_back(Field(f));
    m.inputs.push_back(std::move(in));
  } else if (auto* c = d->paramDecl()) {
    ast::ParamDecl p;
    p.name = c->name->getText();
    p.span = SpanOf(c->name);
    p.doc = DocOf(d);
    p.type = Type(c->typeRef());
    p.value = Expression(c->expr());
    if (c->effective()) p.effective = Effective(c->effective());
    if (c->citation()) p.citation = Citation(c->citation());
    if (c->interpretation()) p.interpretation = Interpretation(c->interpretation());
    m.params.push_back(std::move(p));
  } else if (auto* c = d->letDecl()) {
    m.lets.push_back(Let(c, DocOf(d)));
  } else if (auto* c = d->functionDecl()) {
    ast::FunctionDecl f;
    f.name = c->name->getText();
    f.span = SpanOf(c->name);
    f.doc = DocOf(d);
    if (c->paramList()) f.params = Params(c->paramList());
    f.result = Type(c->typeRef());
    f.body = Expression(c->expr());
    m.functions.push_back(std::move(f));
  } else if (auto* c = d->tableDecl()) {
    m.tables.push_back(Table(c, DocOf(d)));
  } else if (auto* c = d->outputDecl()) {
    m.outputs.push_back(Output(c, DocOf(d)));
  } else if (auto* c = d->ruleDecl()) {
    m.rules.push_back(Rule(c, DocOf(d)));
  } else if (auto* c = d->obligationDecl()) {
    m.obligations.push_back(Obligation(c, DocOf(d)));
  } else if (auto* c = d->testDecl()) {
    m.tests.push_back(Test(c));
  } else if (auto* c = d->calendarDecl()) {
    m.calendars.push_back(Calendar(c, DocOf(d)));
  } else if (auto* c = d->scopeDecl()) {
    Scope(c, m);
  } else if (auto* c = d->notEncodedDecl()) {
    NotEncoded(c, m);
  } else if (auto* c = d->lawDecl()) {
    if (m.law) Duplicate(SpanOf(c), "law as of", "policy", m.header ? m.header->name : "");
    m.law = Expression(c->expr());
    m.law_span = SpanOf(c);
  }
}

// scopeDecl : FOR EACH var=ID IN collection=expr scopeClause* { scopeItem* }
void Builder::Scope(PP::ScopeDeclContext* c, ast::Module& m) {
  ast::ScopeDecl sc;
  sc.var = c->var->getText();
  sc.var_span = SpanOf(c->var);
  sc.span = SpanOf(c->getStart()).To(SpanOf(c->collection));
  sc.collection = Expression(c->collection);
  for (auto* clause : c->scopeClause()) {
    if (auto* k = dynamic_cast<PP::ScopeKeyContext*>(clause)) {
      if (sc.key) Duplicate(SpanOf(clause), "key", "for each", sc.var);
      sc.key = Expression(k->expr());
    } else if (auto* l = dynamic_cast<PP::ScopeLawContext*>(clause)) {
      if (sc.law) Duplicate(SpanOf(clause), "law as of", "for each", sc.var);
      sc.law = Expression(l->expr());
    }
  }
  int index = static_cast<int>(m.scopes.size());
  m.scopes.push_back(std::move(sc));
  for (auto* item : c->scopeItem()) {
    if (auto* l = item->letDecl()) {
      m.lets.push_back(Let(l, DocOf(item)));
      m.lets.back().scope = index;
    } else if (auto* o = item->outputDecl()) {
      m.outputs.push_back(Output(o, DocOf(item)));
      m.outputs.back().scope = index;
    } else if (auto* r = item->ruleDecl()) {
      m.rules.push_back(Rule(r, DocOf(item)));
      m.rules.back().scope = index;
    } else if (auto* o = item->obligationDecl()) {
      m.obligations.push_back(Obligation(o, DocOf(item)));
      m.obligations.back().scope = index;
    }
  }
}

ast::LetDecl Builder::Let(PP::LetDeclContext* c, std::string doc) {
  ast::LetDecl l;
  l.name = c->name->getText();
  l.span = SpanOf(c->name);
  l.doc = std::move(doc);
  if (c->typeRef()) l.type = Type(c->typeRef());
  l.value = Expression(c->expr());
  return l;
}

ast::OutputDecl Builder::Output(PP::OutputDeclContext* c, std::string doc) {
  ast::OutputDecl o;
  o.name = c->name->getText();
  o.span = SpanOf(c->name);
  o.doc = std::move(doc);
  o.type = Type(c->typeRef());
  if (c->word) {
    if (c->word->getText() == "required") {
      o.required = true;
    } else {
      diags_.Error("E0003", SpanOf(c->word), fmt::format("expected `required` or a new declaration after the type of "
                                                         "output `{}`, found `{}`", o.name, c->word->getText()));
    }
  }
  return o;
}

// `undetermined` after `expect NAME` or before `obligation`: a word the parser checks.
bool Builder::Undetermined(antlr4::Token* word) {
  if (word->getText() == "undetermined") return true;
  diags_.Error("E0003", SpanOf(word), fmt::format("expected `undetermined` here, found `{}`", word->getText()));
  return false;
}

void Builder::MissingFacts(PP::MissingFactsContext* c, ast::TestExpect& x) {
  if (!c) return;
  x.missing.emplace();
  for (auto* p : c->fieldPath()) {
    std::vector<std::string> path{p->softName()->getText()};
    for (auto* id : p->ident()) path.push_back(id->getText());
    x.missing->push_back(std::move(path));
    x.missing_spans.push_back(SpanOf(p));
  }
}

// fieldDecl : name=ident COLON typeRef (ASSIGN dflt=expr)? COMMA?
ast::FieldDecl Builder::Field(PP::FieldDeclContext* c) {
  ast::FieldDecl f;
  f.name = c->name->getText();
  f.span = SpanOf(c->name);
  f.type = Type(c->typeRef());
  for (auto* fc : c->fieldCheck()) {
    ast::FieldCheck check;
    check.span = SpanOf(fc);
    if (auto* r = dynamic_cast<PP::RangeCheckContext*>(fc)) {
      check.range = true;
      check.lo = Bound(r->lo);
      check.hi = Bound(r->hi);
    } else if (auto* k = dynamic_cast<PP::CompareCheckContext*>(fc)) {
      switch (k->op->getType()) {
        case PP::GE: check.op = ast::BinOp::kGe; break;
        case PP::GT: check.op = ast::BinOp::kGt; break;
        case PP::LE: check.op = ast::BinOp::kLe; break;
        case PP::LT: check.op = ast::BinOp::kLt; break;
        default: check.op = ast::BinOp::kNe; break;
      }
      check.lo = Bound(k->bound());
    }
    f.checks.push_back(std::move(check));
  }
  if (c->dflt) f.dflt = Expression(c->dflt);
  if (c->interpretation()) f.interpretation = Interpretation(c->interpretation());
  return f;
}

// bound : MINUS? primary
ExprPtr Builder::Bound(PP::BoundContext* c) {
  ExprPtr v = Primary(c->primary());
  if (!c->MINUS()) return v;
  auto e = Make(ExprKind::kNeg, c);
  e->args.push_back(std::move(v));
  return e;
}

// paramList : typedName (COMMA typedName)*
std::vector<ast::TypedName> Builder::Params(PP::ParamListContext* c) {
  std::vector<ast::TypedName> out;
  for (auto* t : c->typedName()) {
    out.push_back(ast::TypedName{t->name->getText(), SpanOf(t->name), Type(t->typeRef())});
  }
  return out;
}

// typeRef : prim | SET<typeRef> | LIST<typeRef> | ID | typeRef?
std::unique_ptr<ast::TypeExpr> Builder::Type(PP::TypeRefContext* c) {
  using K = ast::TypeExpr::Kind;
  auto t = std::make_unique<ast::TypeExpr>();
  t->span = SpanOf(c);
  if (dynamic_cast<PP::PrimTypeContext*>(c)) {
    switch (c->getStart()->getType()) {
      case PP::BOOL_T: t->kind = K::kBool; break;
      case PP::INT_T: t->kind = K::kInt; break;
      case PP::DECIMAL_T: t->kind = K::kDecimal; break;
      case PP::TEXT_T: t->kind = K::kText; break;
      case PP::DATE_T: t->kind = K::kDate; break;
      case PP::DATETIME_T: t->kind = K::kDateTime; break;
      default: t->kind = K::kDuration; break;
    }
  } else if (auto* s = dynamic_cast<PP::SetTypeContext*>(c)) {
    t->kind = K::kSet;
    t->elem = Type(s->typeRef());
  } else if (auto* l = dynamic_cast<PP::ListTypeContext*>(c)) {
    t->kind = K::kList;
    t->elem = Type(l->typeRef());
  } else if (auto* n = dynamic_cast<PP::NamedTypeContext*>(c)) {
    t->kind = K::kNamed;
    t->name = n->ID()->getText();
  } else if (auto* o = dynamic_cast<PP::OptionalTypeContext*>(c)) {
    t->kind = K::kOptional;
    t->elem = Type(o->typeRef());
  }
  return t;
}

// tableDecl : TABLE name=ID ( paramList ) -> typeRef hitPolicy citation? { tableRow* }
ast::TableDecl Builder::Table(PP::TableDeclContext* c, std::string doc) {
  ast::TableDecl t;
  t.name = c->name->getText();
  t.span = SpanOf(c->name);
  t.doc = std::move(doc);
  t.params = Params(c->paramList());
  t.result = Type(c->typeRef());
  auto* hp = c->hitPolicy();
  t.hit_span = SpanOf(hp);
  if (hp->UNIQUE()) t.hit = ast::HitPolicy::kUnique;
  else if (hp->ANY()) t.hit = ast::HitPolicy::kAny;
  else if (hp->FIRST()) t.hit = ast::HitPolicy::kFirst;
  else if (hp->PRIORITY()) t.hit = ast::HitPolicy::kPriority;
  else if (hp->order) {
    t.hit = hp->RULE() ? ast::HitPolicy::kRuleOrder : ast::HitPolicy::kOutputOrder;
    if (hp->order->getText() != "order") {
      diags_.Error("E0003", SpanOf(hp->order), fmt::format("expected `order` after `hit {}`, found `{}`",
                                                           hp->RULE() ? "rule" : "output", hp->order->getText()))
          .help = "the hit policies: unique, any, first, priority, collect [sum|min|max|count], rule order, output order";
    }
  } else {
    t.hit = ast::HitPolicy::kCollect;
    if (hp->aggregator) {
      switch (hp->aggregator->getType()) {
        case PP::SUM: t.aggregator = ast::Aggregator::kSum; break;
        case PP::MIN: t.aggregator = ast::Aggregator::kMin; break;
        case PP::MAX: t.aggregator = ast::Aggregator::kMax; break;
        default: t.aggregator = ast::Aggregator::kCount; break;
      }
    }
  }
  if (c->citation()) t.citation = Citation(c->citation());
  if (c->interpretation()) t.interpretation = Interpretation(c->interpretation());
  for (auto* r : c->tableRow()) {
    if (r->DEFAULT()) {
      if (t.default_result) {
        diags_.Error("E0301", SpanOf(r), fmt::format("table `{}` has two `default` rows", t.name));
      }
      t.default_result = Expression(r->expr());
      t.default_span = SpanOf(r);
      continue;
    }
    ast::TableRow row;
    row.span = SpanOf(r);
    for (auto* cell : r->cell()) row.cells.push_back(Cell(cell));
    row.result = Expression(r->expr());
    t.rows.push_back(std::move(row));
  }
  return t;
}

// cell : _ | op expr | expr .. expr | { expr, ... } | expr
ast::Cell Builder::Cell(PP::CellContext* c) {
  ast::Cell cell;
  cell.span = SpanOf(c);
  if (dynamic_cast<PP::AnyCellContext*>(c)) {
    cell.kind = ast::Cell::Kind::kAny;
  } else if (auto* cc = dynamic_cast<PP::CompareCellContext*>(c)) {
    cell.kind = ast::Cell::Kind::kCompare;
    cell.op = CompareOp(cc->op->getType());
    cell.values.push_back(Expression(cc->expr()));
  } else if (auto* rc = dynamic_cast<PP::RangeCellContext*>(c)) {
    cell.kind = ast::Cell::Kind::kRange;
    cell.values.push_back(Expression(rc->lo));
    cell.values.push_back(Expression(rc->hi));
  } else if (auto* oc = dynamic_cast<PP::OneOfCellContext*>(c)) {
    cell.kind = ast::Cell::Kind::kOneOf;
    for (auto* e : oc->expr()) cell.values.push_back(Expression(e));
  } else if (auto* ec = dynamic_cast<PP::EqualCellContext*>(c)) {
    cell.kind = ast::Cell::Kind::kEqual;
    cell.values.push_back(Expression(ec->expr()));
  }
  return cell;
}

std::vector<ast::NameRef> Builder::ExceptionTo(PP::ExceptionToContext* c) {
  std::vector<ast::NameRef> out;
  if (!c) return out;
  for (auto* id : c->ID()) out.push_back(ast::NameRef{id->getText(), SpanOf(id->getSymbol())});
  return out;
}

std::optional<int64_t> Builder::Priority(PP::PriorityContext* c) {
  if (!c) return std::nullopt;
  return IntValue(c->INT()->getSymbol());
}

// calendarDecl : CALENDAR name=ID { calendarItem* }
ast::CalendarDecl Builder::Calendar(PP::CalendarDeclContext* c, std::string doc) {
  ast::CalendarDecl cal;
  cal.name = c->name->getText();
  cal.span = SpanOf(c->name);
  cal.doc = std::move(doc);
  static const char* kWeekdays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  auto bad_key = [&](antlr4::Token* key, const char* expected) {
    diags_.Error("E0003", SpanOf(key), fmt::format("`{}` is not an item of a calendar here", key->getText()))
        .help = fmt::format("expected {}", expected);
  };
  for (auto* item : c->calendarItem()) {
    if (auto* w = dynamic_cast<PP::CalWordsContext*>(item)) {
      if (w->key->getText() != "weekend") {
        bad_key(w->key, "`weekend monday, ...` before a list of weekdays");
        continue;
      }
      if (cal.has_weekend) Duplicate(SpanOf(item), "weekend", "calendar", cal.name);
      cal.has_weekend = true;
      auto ids = w->ID();
      for (size_t i = 1; i < ids.size(); ++i) {
        std::string day = ids[i]->getText();
        auto at = std::find(std::begin(kWeekdays), std::end(kWeekdays), day);
        if (at == std::end(kWeekdays)) {
          diags_.Error("E0003", SpanOf(ids[i]->getSymbol()), fmt::format("`{}` is not a day of the week", day))
              .help = "write monday, tuesday, wednesday, thursday, friday, saturday or sunday";
          continue;
        }
        cal.weekend |= 1u << (1 + (at - std::begin(kWeekdays)));
      }
    } else if (auto* y = dynamic_cast<PP::CalYearsContext*>(item)) {
      if (y->key->getText() != "years") {
        bad_key(y->key, "`years FIRST..LAST`");
        continue;
      }
      if (cal.last_year >= cal.first_year) Duplicate(SpanOf(item), "years", "calendar", cal.name);
      cal.first_year = static_cast<int>(std::min<int64_t>(IntValue(y->INT(0)->getSymbol()), 100000));
      cal.last_year = static_cast<int>(std::min<int64_t>(IntValue(y->INT(1)->getSymbol()), 100000));
      cal.years_span = SpanOf(item);
    } else if (auto* so = dynamic_cast<PP::CalSourceContext*>(item)) {
      if (so->key->getText() != "source") {
        bad_key(so->key, "`source YEAR \"...\"`");
        continue;
      }
      cal.sources.push_back({static_cast<int>(std::min<int64_t>(IntValue(so->INT()->getSymbol()), 100000)),
                             Unquote(so->STRING()->getText())});
      cal.source_spans.push_back(SpanOf(item));
    } else if (auto* dd = dynamic_cast<PP::CalDaysContext*>(item)) {
      ast::CalendarDays days;
      days.working = dd->WORKING() != nullptr;
      if (!days.working && dd->key->getText() != "holiday") {
        bad_key(dd->key, "`holiday DATE[..DATE]` or `working DATE[..DATE]`");
        continue;
      }
      days.from = DateValue(dd->DATE(0)->getSymbol());
      days.until = dd->DATE().size() > 1 ? DateValue(dd->DATE(1)->getSymbol()) : days.from;
      if (dd->STRING()) days.label = Unquote(dd->STRING()->getText());
      days.span = SpanOf(item);
      cal.days.push_back(std::move(days));
    }
  }
  return cal;
}

// ruleDecl : RULE name=ID exceptionTo? priority? { ruleItem* }
ast::RuleDecl Builder::Rule(PP::RuleDeclContext* c, std::string doc) {
  ast::RuleDecl r;
  r.name = c->name->getText();
  r.span = SpanOf(c->name);
  r.doc = std::move(doc);
  r.exception_to = ExceptionTo(c->exceptionTo());
  r.priority = Priority(c->priority());
  for (auto* item : c->ruleItem()) {
    if (auto* w = dynamic_cast<PP::RuleWhenContext*>(item)) {
      if (r.when) Duplicate(SpanOf(item), "when", "rule", r.name);
      r.when = Expression(w->expr());
    } else if (auto* t = dynamic_cast<PP::RuleThenContext*>(item)) {
      if (r.target) Duplicate(SpanOf(item), "then", "rule", r.name);
      r.target = ast::NameRef{t->target->getText(), SpanOf(t->target)};
      r.value = Expression(t->expr());
    } else if (auto* e = dynamic_cast<PP::RuleEffectiveContext*>(item)) {
      if (r.effective.present) Duplicate(SpanOf(item), "effective", "rule", r.name);
      r.effective = Effective(e->effective());
    } else if (auto* ci = dynamic_cast<PP::RuleCiteContext*>(item)) {
      r.citations.push_back(Citation(ci->citation()));
    } else if (auto* in = dynamic_cast<PP::RuleInterpretationContext*>(item)) {
      if (r.interpretation.present()) Duplicate(SpanOf(item), "interpretation", "rule", r.name);
      r.interpretation = Interpretation(in->interpretation());
    }
  }
  if (!r.target) {
    diags_.Error("E0401", r.span, fmt::format("rule `{}` has no `then` clause", r.name)).help =
        "a rule sets one output: `then output_name = value`";
  }
  return r;
}

// A clause word that is not a keyword (`retain`, `done`, `deleted`, `overdue`): false, with a
// syntax error, when `word` is another.
bool Builder::Word(antlr4::Token* word, const char* expected, const char* form) {
  if (word->getText() == expected) return true;
  diags_.Error("E0003", SpanOf(word), fmt::format("`{}` does not begin a clause of an obligation", word->getText()))
      .help = fmt::format("did you mean {}?", form);
  return false;
}

void Builder::Duplicate(Span span, const char* clause, const char* what, const std::string& name) {
  diags_.Error("E0402", span, fmt::format("{} `{}` has more than one `{}` clause", what, name, clause));
}

// obligationDecl : OBLIGATION name=ID exceptionTo? priority? { obligationItem* }
ast::ObligationDecl Builder::Obligation(PP::ObligationDeclContext* c, std::string doc) {
  ast::ObligationDecl o;
  o.name = c->name->getText();
  o.span = SpanOf(c->name);
  o.doc = std::move(doc);
  o.exception_to = ExceptionTo(c->exceptionTo());
  o.priority = Priority(c->priority());
  bool has_subject = false;
  for (auto* item : c->obligationItem()) {
    if (auto* s = dynamic_cast<PP::ObSubjectContext*>(item)) {
      if (has_subject) Duplicate(SpanOf(item), "subject", "obligation", o.name);
      has_subject = true;
      o.subject = Unquote(s->STRING()->getText());
    } else if (auto* a = dynamic_cast<PP::ObActionContext*>(item)) {
      if (o.modality) Duplicate(SpanOf(item), "must/may", "obligation", o.name);
      auto* mod = a->modality();
      o.modality = mod->MAY() ? ast::Modality::kMay
                   : mod->NOT() ? ast::Modality::kMustNot
                                : ast::Modality::kMust;
      o.action = Unquote(a->STRING()->getText());
    } else if (auto* w = dynamic_cast<PP::ObWhenContext*>(item)) {
      if (o.when) Duplicate(SpanOf(item), "when", "obligation", o.name);
      o.when = Expression(w->expr());
    } else if (auto* d = dynamic_cast<PP::ObDeadlineContext*>(item)) {
      if (o.deadline || o.every) {
        Duplicate(SpanOf(item), "deadline", "obligation", o.name);
        continue;
      }
      o.deadline = Expression(d->expr(0));
      if (d->expr().size() > 1) o.deadline_after = Expression(d->expr(1));
    } else if (auto* r = dynamic_cast<PP::ObRecurringContext*>(item)) {
      if (o.deadline || o.every) {
        Duplicate(SpanOf(item), "deadline", "obligation", o.name);
        continue;
      }
      o.every = Expression(r->expr(0));
      o.every_from = Expression(r->expr(1));
    } else if (auto* nb = dynamic_cast<PP::ObNotBeforeContext*>(item)) {
      if (o.not_before) Duplicate(SpanOf(item), "not before", "obligation", o.name);
      o.not_before = Expression(nb->expr());
    } else if (auto* ru = dynamic_cast<PP::ObRetainUntilContext*>(item)) {
      if (!Word(ru->word, "retain", "`retain until DATE`")) continue;
      if (o.retain_until) Duplicate(SpanOf(item), "retain", "obligation", o.name);
      o.retain_until = Expression(ru->expr());
    } else if (auto* rf = dynamic_cast<PP::ObRetainForContext*>(item)) {
      if (!Word(rf->word, "retain", "`retain for PERIOD after DATE`")) continue;
      if (o.retain_until) Duplicate(SpanOf(item), "retain", "obligation", o.name);
      o.retain_until = Expression(rf->expr(0));
      o.retain_after = Expression(rf->expr(1));
    } else if (auto* at = dynamic_cast<PP::ObAtContext*>(item)) {
      std::string word = at->word->getText();
      if (at->at->getText() != "at") {
        Word(at->word, "", "`done at DATE` or `deleted at DATE`");
        continue;
      }
      if (word == "done") {
        if (o.done_at) Duplicate(SpanOf(item), "done at", "obligation", o.name);
        o.done_at = Expression(at->expr());
      } else if (Word(at->word, "deleted", "`done at DATE` or `deleted at DATE`")) {
        if (o.deleted_at) Duplicate(SpanOf(item), "deleted at", "obligation", o.name);
        o.deleted_at = Expression(at->expr());
      }
    } else if (auto* ov = dynamic_cast<PP::ObOverdueContext*>(item)) {
      if (!Word(ov->word, "overdue", "`overdue when CONDITION`")) continue;
      if (o.overdue) Duplicate(SpanOf(item), "overdue when", "obligation", o.name);
      o.overdue = Expression(ov->expr());
    } else if (auto* v = dynamic_cast<PP::ObViolatedContext*>(item)) {
      if (o.violated) Duplicate(SpanOf(item), "violated when", "obligation", o.name);
      o.violated = Expression(v->expr());
    } else if (auto* e = dynamic_cast<PP::ObEffectiveContext*>(item)) {
      if (o.effective.present) Duplicate(SpanOf(item), "effective", "obligation", o.name);
      o.effective = Effective(e->effective());
    } else if (auto* ci = dynamic_cast<PP::ObCiteContext*>(item)) {
      o.citations.push_back(Citation(ci->citation()));
    } else if (auto* in = dynamic_cast<PP::ObInterpretationContext*>(item)) {
      if (o.interpretation.present()) Duplicate(SpanOf(item), "interpretation", "obligation", o.name);
      o.interpretation = Interpretation(in->interpretation());
    }
  }
  if (!o.modality) {
    diags_.Error("E0403", o.span, fmt::format("obligation `{}` has no modality", o.name)).help =
        "say what is required: `must \"...\"`, `must not \"...\"` or `may \"...\"`";
  }
  if (!has_subject) {
    diags_.Error("E0404", o.span, fmt::format("obligation `{}` has no subject", o.name)).help =
        "say who is bound: `subject \"call-center operator\"`";
  }
  return o;
}

// testDecl : TEST name=STRING { testItem* }
ast::TestDecl Builder::Test(PP::TestDeclContext* c) {
  ast::TestDecl t;
  t.name = Unquote(c->name->getText());
  t.span = SpanOf(c->name);
  for (auto* item : c->testItem()) {
    if (auto* a = dynamic_cast<PP::TestAsOfContext*>(item)) {
      if (t.as_of) Duplicate(SpanOf(item), "as of", "test", t.name);
      t.as_of = a->DATE() ? DateValue(a->DATE()->getSymbol()) * kSecondsPerDay
                          : DateTimeValue(a->DATETIME()->getSymbol());
      t.as_of_span = SpanOf(item);
    } else if (auto* g = dynamic_cast<PP::TestGivenContext*>(item)) {
      ast::TestGiven given;
      auto* p = g->fieldPath();
      given.path.push_back(p->softName()->getText());
      for (auto* id : p->ident()) given.path.push_back(id->getText());
      given.span = SpanOf(p);
      given.value = Expression(g->expr());
      t.givens.push_back(std::move(given));
    } else if (auto* s = dynamic_cast<PP::TestSetContext*>(item)) {
      t.sets.push_back(ast::TestSet{s->name->getText(), SpanOf(s->name), Expression(s->expr())});
    } else if (auto* e = dynamic_cast<PP::TestExpectValueContext*>(item)) {
      ast::TestExpect x;
      x.kind = ast::TestExpect::Kind::kValue;
      x.name = e->name->getText();
      x.span = SpanOf(e->name);
      if (e->forItem()) x.item = Expression(e->forItem()->expr());
      x.value = Expression(e->expr());
      t.expects.push_back(std::move(x));
    } else if (auto* e = dynamic_cast<PP::TestExpectStateContext*>(item)) {
      ast::TestExpect x;
      x.kind = ast::TestExpect::Kind::kValue;
      x.name = e->name->getText();
      x.span = SpanOf(e->name);
      if (e->forItem()) x.item = Expression(e->forItem()->expr());
      x.undetermined = Undetermined(e->state);
      MissingFacts(e->missingFacts(), x);
      t.expects.push_back(std::move(x));
    } else if (auto* e = dynamic_cast<PP::TestExpectNoObligationContext*>(item)) {
      ast::TestExpect x;
      x.kind = ast::TestExpect::Kind::kNoObligation;
      x.name = e->name->getText();
      x.span = SpanOf(e->name);
      if (e->forItem()) x.item = Expression(e->forItem()->expr());
      t.expects.push_back(std::move(x));
    } else if (auto* e = dynamic_cast<PP::TestExpectObligationContext*>(item)) {
      ast::TestExpect x;
      x.kind = ast::TestExpect::Kind::kObligation;
      x.name = e->name->getText();
      x.span = SpanOf(e->name);
      if (e->forItem()) x.item = Expression(e->forItem()->expr());
      if (e->state) x.undetermined = Undetermined(e->state);
      MissingFacts(e->missingFacts(), x);
      for (auto* chk : e->obligationCheck()) {
        if (auto* v = dynamic_cast<PP::CheckViolatedContext*>(chk)) {
          // `violated undetermined`; a status word after `violated` is a check of its own.
          if (v->state && v->state->getText() == "undetermined" && !v->NOT()) {
            x.violation_undetermined = true;
          } else {
            x.violated = v->NOT() == nullptr;
            if (v->state) {
              x.status = v->state->getText();
              x.status_span = SpanOf(v->state);
            }
          }
        }
        if (auto* d = dynamic_cast<PP::CheckDeadlineContext*>(chk)) x.deadline = Expression(d->expr());
        if (auto* st = dynamic_cast<PP::CheckStatusContext*>(chk)) {
          x.status = st->status->getText();
          x.status_span = SpanOf(st->status);
        }
      }
      t.expects.push_back(std::move(x));
    } else if (auto* e = dynamic_cast<PP::TestExpectErrorContext*>(item)) {
      ast::TestExpect x;
      x.kind = ast::TestExpect::Kind::kError;
      x.span = SpanOf(item);
      if (e->STRING()) x.error_text = Unquote(e->STRING()->getText());
      t.expects.push_back(std::move(x));
    }
  }
  return t;
}

}  // namespace parser_internal
}  // namespace proviso

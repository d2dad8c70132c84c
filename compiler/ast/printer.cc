#include <fmt/format.h>

#include "compiler/ast/ast.h"
#include "compiler/support/calendar.h"

namespace proviso::ast {

const char* OpText(BinOp op) {
  switch (op) {
    case BinOp::kAdd: return "+";
    case BinOp::kSub: return "-";
    case BinOp::kMul: return "*";
    case BinOp::kDiv: return "/";
    case BinOp::kLt: return "<";
    case BinOp::kLe: return "<=";
    case BinOp::kGt: return ">";
    case BinOp::kGe: return ">=";
    case BinOp::kEq: return "==";
    case BinOp::kNe: return "!=";
  }
  return "?";
}

const char* QuantText(QuantKind q) {
  switch (q) {
    case QuantKind::kAny: return "any";
    case QuantKind::kAll: return "all";
    case QuantKind::kCount: return "count";
    case QuantKind::kSum: return "sum";
    case QuantKind::kMin: return "min";
    case QuantKind::kMax: return "max";
    case QuantKind::kFilter: return "filter";
    case QuantKind::kMap: return "map";
  }
  return "?";
}

const char* HitPolicyText(HitPolicy h) {
  static const char* kHit[] = {"unique", "any", "first", "priority", "collect", "rule order", "output order"};
  return kHit[static_cast<int>(h)];
}

const char* SetOpText(SetOp op) {
  switch (op) {
    case SetOp::kUnion: return "union";
    case SetOp::kIntersect: return "intersect";
    case SetOp::kMinus: return "minus";
  }
  return "?";
}

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

std::string Join(const std::vector<ExprPtr>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + ToSource(*xs[i]);
  return out;
}

}  // namespace

// Fully parenthesised where precedence could matter, so that the output parses back to the same tree.
std::string ToSource(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kInt: return std::to_string(e.int_value);
    case ExprKind::kDecimal: return e.text;
    case ExprKind::kText: return Quote(e.text);
    case ExprKind::kDate: return FormatDate(e.int_value);
    case ExprKind::kDateTime: return FormatDateTime(e.int_value);
    case ExprKind::kDuration: {
      static const char* kUnits[] = {"second", "minute", "hour", "day", "week", "month", "year"};
      return fmt::format("{} {}{}", e.int_value, kUnits[static_cast<int>(e.unit)],
                         e.int_value == 1 ? "" : "s");
    }
    case ExprKind::kBool: return e.int_value ? "true" : "false";
    case ExprKind::kNone: return "none";
    case ExprKind::kAsOf: return "as_of";
    case ExprKind::kNow: return "now";
    case ExprKind::kWorkingDays:
      return fmt::format("({} working days{} {} {})", ToSource(*e.args[0]), e.name.empty() ? "" : " of " + e.name,
                         e.negated ? "before" : "after", ToSource(*e.args[1]));
    case ExprKind::kName: return e.name;
    case ExprKind::kField: return ToSource(*e.args[0]) + "." + e.name;
    case ExprKind::kCall: return e.name + "(" + Join(e.args) + ")";
    case ExprKind::kNeg: return "-(" + ToSource(*e.args[0]) + ")";
    case ExprKind::kNot: return "not (" + ToSource(*e.args[0]) + ")";
    case ExprKind::kBinary:
      return fmt::format("({} {} {})", ToSource(*e.args[0]), OpText(e.op), ToSource(*e.args[1]));
    case ExprKind::kAnd: return fmt::format("({} and {})", ToSource(*e.args[0]), ToSource(*e.args[1]));
    case ExprKind::kOr: return fmt::format("({} or {})", ToSource(*e.args[0]), ToSource(*e.args[1]));
    case ExprKind::kIn:
      return fmt::format("({} {}in {})", ToSource(*e.args[0]), e.negated ? "not " : "",
                         ToSource(*e.args[1]));
    case ExprKind::kCoalesce: return fmt::format("({} ?? {})", ToSource(*e.args[0]), ToSource(*e.args[1]));
    case ExprKind::kIsPresent:
      return fmt::format("({} is {}present)", ToSource(*e.args[0]), e.negated ? "not " : "");
    case ExprKind::kIf:
      return fmt::format("(if {} then {} else {})", ToSource(*e.args[0]), ToSource(*e.args[1]),
                         ToSource(*e.args[2]));
    case ExprKind::kQuant:
      return fmt::format("({} {} in {}{}: {})", QuantText(e.quant), e.name, ToSource(*e.args[0]),
                         e.args.size() > 2 ? " where " + ToSource(*e.args[2]) : "", ToSource(*e.args[1]));
    case ExprKind::kSetOp:
      return fmt::format("({} {} {})", ToSource(*e.args[0]), SetOpText(e.set_op), ToSource(*e.args[1]));
    case ExprKind::kItemOf: return fmt::format("({} of {})", e.name, ToSource(*e.args[0]));
    case ExprKind::kIsEmpty:
      return fmt::format("({} is {}empty)", ToSource(*e.args[0]), e.negated ? "not " : "");
    case ExprKind::kList: return "[" + Join(e.args) + "]";
    case ExprKind::kSet: return "{" + Join(e.args) + "}";
    case ExprKind::kRecord: {
      std::string out = "{";
      for (size_t i = 0; i < e.args.size(); ++i) {
        out += fmt::format("{}{}: {}", i ? ", " : "", e.field_names[i], ToSource(*e.args[i]));
      }
      return out + "}";
    }
    case ExprKind::kMatch: {
      std::string out = "match " + ToSource(*e.args[0]) + " { ";
      for (size_t i = 0; i < e.arms.size(); ++i) {
        const MatchArm& a = e.arms[i];
        std::string pats;
        for (size_t j = 0; j < a.patterns.size(); ++j) pats += (j ? " | " : "") + a.patterns[j];
        out += fmt::format("{}{} => {}", i ? ", " : "", pats.empty() ? "_" : pats, ToSource(*a.body));
      }
      return out + " }";
    }
  }
  return "?";
}

std::string ToSource(const FieldCheck& c) {
  if (c.range) return "in " + ToSource(*c.lo) + ".." + ToSource(*c.hi);
  return std::string(OpText(c.op)) + " " + ToSource(*c.lo);
}

std::string ToSource(const TypeExpr& t) {
  switch (t.kind) {
    case TypeExpr::Kind::kBool: return "bool";
    case TypeExpr::Kind::kInt: return "int";
    case TypeExpr::Kind::kDecimal: return "decimal";
    case TypeExpr::Kind::kText: return "text";
    case TypeExpr::Kind::kDate: return "date";
    case TypeExpr::Kind::kDateTime: return "datetime";
    case TypeExpr::Kind::kDuration: return "duration";
    case TypeExpr::Kind::kNamed: return t.name;
    case TypeExpr::Kind::kSet: return "set<" + ToSource(*t.elem) + ">";
    case TypeExpr::Kind::kList: return "list<" + ToSource(*t.elem) + ">";
    case TypeExpr::Kind::kOptional: return ToSource(*t.elem) + "?";
  }
  return "?";
}

namespace {

std::string EffectiveText(const Effective& e) {
  if (!e.present) return "";
  std::string out = " effective from " + FormatDate(e.from);
  if (e.until != INT64_MAX) out += " until " + FormatDate(e.until);
  return out;
}

std::string CiteText(const Citation& c) {
  return " cite " + Quote(c.article) + (c.document.empty() ? "" : " of " + Quote(c.document));
}

std::string InterpretationText(const Interpretation& in) {
  return in.present() ? " interpretation " + Quote(in.reason) : "";
}

std::string Typed(const std::vector<TypedName>& ps) {
  std::string out;
  for (size_t i = 0; i < ps.size(); ++i) out += fmt::format("{}{}: {}", i ? ", " : "", ps[i].name, ToSource(*ps[i].type));
  return out;
}

std::string LetText(const LetDecl& l) {
  return fmt::format("let {}{} = {}\n", l.name, l.type ? ": " + ToSource(*l.type) : "", ToSource(*l.value));
}

std::string OutputText(const OutputDecl& o) {
  return "output " + o.name + ": " + ToSource(*o.type) + (o.required ? " required" : "") + "\n";
}

std::string ExceptionText(const std::vector<NameRef>& to) {
  std::string out;
  for (size_t i = 0; i < to.size(); ++i) out += (i ? ", " : " exception to ") + to[i].name;
  return out;
}

std::string RuleText(const RuleDecl& r) {
  std::string out = "rule " + r.name;
  out += ExceptionText(r.exception_to);
  if (r.priority) out += " priority " + std::to_string(*r.priority);
  out += " {\n";
  if (r.when) out += "  when " + ToSource(*r.when) + "\n";
  if (r.target) out += "  then " + r.target->name + " = " + ToSource(*r.value) + "\n";
  if (r.effective.present) out += " " + EffectiveText(r.effective) + "\n";
  for (const Citation& c : r.citations) out += " " + CiteText(c) + "\n";
  if (r.interpretation.present()) out += " " + InterpretationText(r.interpretation) + "\n";
  return out + "}\n";
}

std::string ObligationText(const ObligationDecl& o) {
  static const char* kMod[] = {"must", "must not", "may"};
  std::string out = "obligation " + o.name;
  out += ExceptionText(o.exception_to);
  if (o.priority) out += " priority " + std::to_string(*o.priority);
  out += " {\n  subject " + Quote(o.subject) + "\n";
  if (o.modality) out += fmt::format("  {} {}\n", kMod[static_cast<int>(*o.modality)], Quote(o.action));
  if (o.when) out += "  when " + ToSource(*o.when) + "\n";
  if (o.deadline) {
    out += "  deadline " + ToSource(*o.deadline);
    if (o.deadline_after) out += " after " + ToSource(*o.deadline_after);
    out += "\n";
  }
  if (o.every) out += "  deadline every " + ToSource(*o.every) + " from " + ToSource(*o.every_from) + "\n";
  if (o.not_before) out += "  not before " + ToSource(*o.not_before) + "\n";
  if (o.retain_until) {
    out += o.retain_after ? "  retain for " + ToSource(*o.retain_until) + " after " + ToSource(*o.retain_after)
                          : "  retain until " + ToSource(*o.retain_until);
    out += "\n";
  }
  if (o.done_at) out += "  done at " + ToSource(*o.done_at) + "\n";
  if (o.deleted_at) out += "  deleted at " + ToSource(*o.deleted_at) + "\n";
  if (o.overdue) out += "  overdue when " + ToSource(*o.overdue) + "\n";
  if (o.violated) out += "  violated when " + ToSource(*o.violated) + "\n";
  if (o.effective.present) out += " " + EffectiveText(o.effective) + "\n";
  for (const Citation& c : o.citations) out += " " + CiteText(c) + "\n";
  if (o.interpretation.present()) out += " " + InterpretationText(o.interpretation) + "\n";
  return out + "}\n";
}

}  // namespace

std::string Dump(const Module& m) {
  std::string out;
  if (m.header) {
    out += "policy " + m.header->name;
    if (!m.header->title.empty()) out += " title " + Quote(m.header->title);
    if (!m.header->document.empty()) out += " document " + Quote(m.header->document);
    out += EffectiveText(m.header->effective) + "\n";
  }
  for (const Import& i : m.imports) out += "import " + Quote(i.path) + "\n";
  for (const LawSource& l : m.laws) out += "law " + Quote(l.path) + "\n";
  for (const NotEncoded& n : m.not_encoded) {
    out += "not encoded";
    for (size_t i = 0; i < n.ids.size(); ++i) out += (i ? ", " : " ") + Quote(n.ids[i]);
    out += (n.document.empty() ? "" : " of " + Quote(n.document)) + " because " + Quote(n.reason) + "\n";
  }
  static const char* kWeekdays[] = {"", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  for (const CalendarDecl& c : m.calendars) {
    out += "calendar " + c.name + " {\n";
    if (c.has_weekend) {
      std::string days;
      for (int w = 1; w <= 7; ++w) if (c.weekend >> w & 1u) days += (days.empty() ? "" : ", ") + std::string(kWeekdays[w]);
      out += "  weekend " + days + "\n";
    }
    if (c.last_year >= c.first_year) out += fmt::format("  years {}..{}\n", c.first_year, c.last_year);
    for (const auto& [year, text] : c.sources) out += fmt::format("  source {} {}\n", year, Quote(text));
    for (const CalendarDays& d : c.days) {
      out += fmt::format("  {} {}{}{}\n", d.working ? "working" : "holiday", FormatDate(d.from),
                         d.until != d.from ? ".." + FormatDate(d.until) : "", d.label.empty() ? "" : " " + Quote(d.label));
    }
    out += "}\n";
  }
  for (const EnumDecl& e : m.enums) {
    out += "enum " + e.name + " {";
    for (size_t i = 0; i < e.variants.size(); ++i) out += (i ? ", " : " ") + e.variants[i];
    out += " }" + InterpretationText(e.interpretation) + "\n";
  }
  auto fields = [&](const std::vector<FieldDecl>& fs) {
    for (const FieldDecl& f : fs) {
      out += "  " + f.name + ": " + ToSource(*f.type);
      for (const FieldCheck& c : f.checks) out += " " + ToSource(c);
      if (f.dflt) out += " = " + ToSource(*f.dflt) + InterpretationText(f.interpretation);
      out += "\n";
    }
  };
  for (const RecordDecl& r : m.records) {
    out += "record " + r.name + " {\n";
    fields(r.fields);
    out += "}\n";
  }
  for (const InputDecl& in : m.inputs) {
    out += "input {\n";
    fields(in.fields);
    out += "}\n";
  }
  for (const ParamDecl& p : m.params) {
    out += fmt::format("param {}: {} = {}{}{}{}\n", p.name, ToSource(*p.type), ToSource(*p.value),
                       EffectiveText(p.effective), p.citation ? CiteText(*p.citation) : "",
                       InterpretationText(p.interpretation));
  }
  if (m.law) out += "law as of " + ToSource(*m.law) + "\n";
  for (const LetDecl& l : m.lets) if (l.scope < 0) out += LetText(l);
  for (const FunctionDecl& f : m.functions) {
    out += fmt::format("function {}({}) -> {} = {}\n", f.name, Typed(f.params), ToSource(*f.result),
                       ToSource(*f.body));
  }
  static const char* kAgg[] = {"", " sum", " min", " max", " count"};
  for (const TableDecl& t : m.tables) {
    out += fmt::format("table {}({}) -> {} hit {}{}{}{} {{\n", t.name, Typed(t.params),
                       ToSource(*t.result), HitPolicyText(t.hit),
                       kAgg[static_cast<int>(t.aggregator)], t.citation ? CiteText(*t.citation) : "",
                       InterpretationText(t.interpretation));
    for (const TableRow& r : t.rows) {
      out += "  ";
      for (size_t i = 0; i < r.cells.size(); ++i) {
        const Cell& c = r.cells[i];
        if (i) out += ", ";
        switch (c.kind) {
          case Cell::Kind::kAny: out += "_"; break;
          case Cell::Kind::kCompare: out += std::string(OpText(c.op)) + " " + ToSource(*c.values[0]); break;
          case Cell::Kind::kRange: out += ToSource(*c.values[0]) + ".." + ToSource(*c.values[1]); break;
          case Cell::Kind::kOneOf: out += "{" + Join(c.values) + "}"; break;
          case Cell::Kind::kEqual: out += ToSource(*c.values[0]); break;
        }
      }
      out += " => " + ToSource(*r.result) + "\n";
    }
    if (t.default_result) out += "  default => " + ToSource(*t.default_result) + "\n";
    out += "}\n";
  }
  for (const OutputDecl& o : m.outputs) if (o.scope < 0) out += OutputText(o);
  for (const RuleDecl& r : m.rules) if (r.scope < 0) out += RuleText(r);
  for (const ObligationDecl& o : m.obligations) if (o.scope < 0) out += ObligationText(o);
  for (size_t k = 0; k < m.scopes.size(); ++k) {
    const ScopeDecl& sc = m.scopes[k];
    out += fmt::format("for each {} in {}{}{} {{\n", sc.var, ToSource(*sc.collection),
                       sc.key ? " key " + ToSource(*sc.key) : "", sc.law ? " law as of " + ToSource(*sc.law) : "");
    int scope = static_cast<int>(k);
    for (const LetDecl& l : m.lets) if (l.scope == scope) out += LetText(l);
    for (const OutputDecl& o : m.outputs) if (o.scope == scope) out += OutputText(o);
    for (const RuleDecl& r : m.rules) if (r.scope == scope) out += RuleText(r);
    for (const ObligationDecl& o : m.obligations) if (o.scope == scope) out += ObligationText(o);
    out += "}\n";
  }
  for (const TestDecl& t : m.tests) {
    out += "test " + Quote(t.name) + " {\n";
    if (t.as_of) {
      out += "  as of " + (*t.as_of % kSecondsPerDay == 0 ? FormatDate(DayOf(*t.as_of)) : FormatDateTime(*t.as_of)) + "\n";
    }
    for (const TestGiven& g : t.givens) {
      std::string path;
      for (size_t i = 0; i < g.path.size(); ++i) path += (i ? "." : "") + g.path[i];
      out += "  given " + path + " = " + ToSource(*g.value) + "\n";
    }
    for (const TestSet& s : t.sets) out += "  set " + s.name + " = " + ToSource(*s.value) + "\n";
    for (const TestExpect& x : t.expects) {
      std::string missing;
      if (x.missing) {
        for (size_t i = 0; i < x.missing->size(); ++i) {
          missing += i ? ", " : " missing ";
          for (size_t k = 0; k < (*x.missing)[i].size(); ++k) missing += (k ? "." : "") + (*x.missing)[i][k];
        }
      }
      switch (x.kind) {
        case TestExpect::Kind::kValue:
          out += "  expect " + x.name + (x.item ? " for " + ToSource(*x.item) : "") +
                 (x.undetermined ? " undetermined" + missing : " = " + ToSource(*x.value)) + "\n";
          break;
        case TestExpect::Kind::kNoObligation:
          out += "  expect no obligation " + x.name + (x.item ? " for " + ToSource(*x.item) : "") + "\n";
          break;
        case TestExpect::Kind::kError: out += "  expect error " + Quote(x.error_text) + "\n"; break;
        case TestExpect::Kind::kObligation:
          out += std::string("  expect ") + (x.undetermined ? "undetermined " : "") + "obligation " + x.name;
          if (x.item) out += " for " + ToSource(*x.item);
          if (x.violated) out += *x.violated ? " violated" : " not violated";
          if (x.violation_undetermined) out += " violated undetermined";
          if (!x.status.empty()) out += " " + x.status;
          if (x.deadline) out += " deadline " + ToSource(*x.deadline);
          out += missing + "\n";
          break;
      }
    }
    out += "}\n";
  }
  return out;
}

}  // namespace proviso::ast

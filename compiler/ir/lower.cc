#include <algorithm>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "compiler/ir/ir.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"

namespace proviso::ir {
namespace {

using ast::ExprKind;
using ast::RefKind;

Value DurationLiteral(const ast::Expr& e) {
  switch (e.unit) {
    case ast::DurationUnit::kSecond: return Value::Dur({0, e.int_value});
    case ast::DurationUnit::kMinute: return Value::Dur({0, 60 * e.int_value});
    case ast::DurationUnit::kHour: return Value::Dur({0, 3600 * e.int_value});
    case ast::DurationUnit::kDay: return Value::Dur(Duration::Days(e.int_value));
    case ast::DurationUnit::kWeek: return Value::Dur(Duration::Days(7 * e.int_value));
    case ast::DurationUnit::kMonth: return Value::Dur({e.int_value, 0});
    case ast::DurationUnit::kYear: return Value::Dur({12 * e.int_value, 0});
  }
  return Value::None();
}

// A constant's JSON form, the way facts files write it.
nlohmann::json ConstantJson(const ast::Expr& e, const TypeTable& types) {
  switch (e.kind) {
    case ExprKind::kInt: return e.int_value;
    case ExprKind::kDecimal: return e.text;  // as text: exact
    case ExprKind::kText: return e.text;
    case ExprKind::kDate: return FormatDate(e.int_value);
    case ExprKind::kDateTime: return FormatDateTime(e.int_value);
    case ExprKind::kDuration: return FormatDuration(DurationLiteral(e).duration());
    case ExprKind::kBool: return e.int_value != 0;
    case ExprKind::kNone: return nullptr;
    case ExprKind::kNeg: {
      nlohmann::json inner = ConstantJson(*e.args[0], types);
      if (inner.is_number_integer()) return -inner.get<int64_t>();
      if (inner.is_string()) return "-" + inner.get<std::string>();
      return inner;
    }
    case ExprKind::kName:
      if (e.ref == RefKind::kEnumValue) return types.enum_info(e.index).variants.at(e.variant);
      return nullptr;
    case ExprKind::kList:
    case ExprKind::kSet: {
      nlohmann::json arr = nlohmann::json::array();
      for (auto& a : e.args) arr.push_back(ConstantJson(*a, types));
      return arr;
    }
    case ExprKind::kRecord: {
      nlohmann::json obj = nlohmann::json::object();
      for (size_t i = 0; i < e.args.size(); ++i) obj[e.field_names[i]] = ConstantJson(*e.args[i], types);
      return obj;
    }
    default: return nullptr;
  }
}

class Lowerer {
 public:
  explicit Lowerer(Program& p) : p_(p), c_(*p.checked) {}

  // The value of a constant expression: literals directly, anything else (`1000 * 1000`,
  // `1 day + 12 hours`) computed by the reference interpreter now. Throws ConstantError.
  Value Const(const ast::Expr& e) {
    if (IsLiteral(e)) return ConstantValue(e, p_);
    ExprPtr lowered = Lower(e);
    try {
      return interp::EvaluateConstant(p_, *lowered);
    } catch (const interp::EvalError& error) {
      throw ConstantError(fmt::format("this constant cannot be computed: {}", error.what()), e.span);
    }
  }

  // What ConstantValue computes by itself: literals, enum values, negated numbers, and collections
  // and records of them.
  static bool IsLiteral(const ast::Expr& e) {
    switch (e.kind) {
      case ExprKind::kInt: case ExprKind::kDecimal: case ExprKind::kText: case ExprKind::kDate:
      case ExprKind::kDateTime: case ExprKind::kDuration: case ExprKind::kBool: case ExprKind::kNone:
        return true;
      case ExprKind::kName: return e.ref == RefKind::kEnumValue;
      case ExprKind::kNeg: return e.args[0]->kind != ExprKind::kNeg && IsLiteral(*e.args[0]);
      case ExprKind::kList: case ExprKind::kSet: case ExprKind::kRecord:
        return std::all_of(e.args.begin(), e.args.end(), [](const ast::ExprPtr& a) { return IsLiteral(*a); });
      default: return false;
    }
  }

  void Run() {
    const ast::Module& main = c_.main();
    p_.name = c_.name();
    if (main.header) {
      p_.title = main.header->title;
      p_.document = main.header->document;
      if (!main.laws.empty() && main.laws.front().law >= 0) p_.document = c_.laws[main.laws.front().law].title;
      if (main.header->effective.present) p_.effective = Eff(main.header->effective);
    }
    p_.input_record = c_.input_record;
    p_.max_locals = c_.max_locals;
    for (const ast::CalendarDecl* cal : c_.calendars) {
      std::vector<int64_t> holidays, working;
      for (const ast::CalendarDays& d : cal->days) {
        for (int64_t day = d.from; day <= d.until; ++day) (d.working ? working : holidays).push_back(day);
      }
      p_.calendars.emplace_back(cal->name, cal->first_year, cal->last_year, cal->weekend, holidays, working);
    }
    LowerFacts();
    LowerDefaults();
    for (const ParamSymbol& ps : c_.params) {
      Param param{ps.name, ps.type, {}, ps.versions.front()->span};
      for (const ast::ParamDecl* v : ps.versions) {
        ParamVersion pv;
        pv.effective = Eff(v->effective);
        pv.value = Const(*v->value);
        if (v->citation) pv.citations.push_back(Cite(*v->citation));
        pv.interpretation = v->interpretation.reason;
        param.versions.push_back(std::move(pv));
      }
      p_.params.push_back(std::move(param));
    }
    for (const LetSymbol& l : c_.lets) {
      p_.lets.push_back(Let{l.decl->name, l.type, Lower(*l.decl->value), l.decl->span, l.scope});
    }
    if (c_.main().law) p_.law = Lower(*c_.main().law);
    for (const ScopeSymbol& sc : c_.scopes) {
      Scope out;
      out.var = sc.decl->var;
      out.collection = Lower(*sc.decl->collection);
      if (sc.decl->key) out.key = Lower(*sc.decl->key);
      if (sc.decl->law) out.law = Lower(*sc.decl->law);
      out.element = sc.element;
      out.key_type = sc.key;
      out.span = sc.decl->span;
      p_.scopes.push_back(std::move(out));
    }
    for (const FunctionSymbol& f : c_.functions) {
      p_.functions.push_back(Function{f.decl->name, f.params, Lower(*f.decl->body), f.result});
    }
    for (const TableSymbol& t : c_.tables) p_.tables.push_back(LowerTable(t));
    for (const OutputSymbol& o : c_.outputs) {
      Output out{o.decl->name, o.type, {}, o.decl->span, o.scope, o.decl->required};
      if (o.scope >= 0) p_.scopes[o.scope].outputs.push_back(static_cast<int>(p_.outputs.size()));
      p_.outputs.push_back(std::move(out));
    }
    for (size_t i = 0; i < c_.rules.size(); ++i) {
      const ast::RuleDecl& r = *c_.rules[i];
      Rule rule;
      rule.name = r.name;
      rule.scope = r.scope;
      rule.parents = c_.rule_parents[i];
      rule.priority = r.priority.value_or(0);
      if (r.when) rule.when = Lower(*r.when);
      rule.value = Lower(*r.value);
      rule.effective = Eff(r.effective);
      for (const ast::Citation& ci : r.citations) rule.citations.push_back(Cite(ci));
      rule.interpretation = r.interpretation.reason;
      rule.doc = r.doc;
      rule.span = r.span;
      p_.rules.push_back(std::move(rule));
    }
    for (size_t o = 0; o < c_.outputs.size(); ++o) {
      for (int r : c_.outputs[o].rules) {
        p_.rules[r].output = static_cast<int>(o);
        if (p_.rules[r].parents.empty()) p_.outputs[o].roots.push_back(r);
        for (int parent : p_.rules[r].parents) p_.rules[parent].children.push_back(r);
      }
    }
    for (size_t i = 0; i < c_.obligations.size(); ++i) {
      const ast::ObligationDecl& d = *c_.obligations[i];
      Obligation o;
      o.name = d.name;
      o.scope = d.scope;
      if (d.scope >= 0) p_.scopes[d.scope].obligations.push_back(static_cast<int>(i));
      o.modality = d.modality.value_or(ast::Modality::kMust);
      o.subject = d.subject;
      o.action = d.action;
      o.parents = c_.obligation_parents[i];
      o.priority = d.priority.value_or(0);
      if (d.when) o.when = Lower(*d.when);
      if (d.deadline && d.deadline->type->kind == TypeKind::kText) {
        o.deadline_kind = DeadlineKind::kOpen;
        o.standard = d.deadline->text;
      } else if (d.deadline) {
        o.deadline_kind = DeadlineKind::kBy;
        o.deadline = d.deadline_after ? After(*d.deadline, *d.deadline_after) : Lower(*d.deadline);
      } else if (d.every) {
        o.deadline_kind = DeadlineKind::kRecurring;
        o.every = Lower(*d.every);
        o.every_from = Lower(*d.every_from);
      } else if (d.retain_until) {
        o.deadline_kind = DeadlineKind::kRetention;
        o.deadline = d.retain_after ? After(*d.retain_until, *d.retain_after) : Lower(*d.retain_until);
      }
      if (o.deadline) {
        const Type* t = o.deadline->type->kind == TypeKind::kOptional ? o.deadline->type->elem : o.deadline->type;
        o.instant = t->kind == TypeKind::kDateTime;
      }
      if (d.not_before) o.not_before = Lower(*d.not_before);
      if (d.overdue) o.overdue = Lower(*d.overdue);
      if (d.done_at) o.done_at = Lower(*d.done_at);
      if (d.deleted_at) o.deleted_at = Lower(*d.deleted_at);
      if (d.violated) o.violated = Lower(*d.violated);
      o.effective = Eff(d.effective);
      for (const ast::Citation& ci : d.citations) o.citations.push_back(Cite(ci));
      o.interpretation = d.interpretation.reason;
      o.doc = d.doc;
      o.span = d.span;
      p_.obligations.push_back(std::move(o));
    }
    for (size_t i = 0; i < p_.obligations.size(); ++i) {
      for (int parent : p_.obligations[i].parents) p_.obligations[parent].children.push_back(static_cast<int>(i));
    }
    for (const ast::TestDecl* t : c_.tests) p_.tests.push_back(LowerTest(*t));
    p_.max_depth = MaxDepth();
  }

  // `D after E` (a deadline or a retention period) is E + D, with the source of E: the
  // interpreter names the whole clause by it when the date leaves the calendar.
  ExprPtr After(const ast::Expr& period, const ast::Expr& event) {
    auto sum = std::make_unique<Expr>();
    sum->op = Op::kArith;
    sum->bop = ast::BinOp::kAdd;
    sum->type = event.type->kind == TypeKind::kDateTime ? c_.types.DateTime() : c_.types.Date();
    sum->source = &event;
    sum->args.push_back(Lower(event));
    sum->args.push_back(Lower(period));
    return sum;
  }

  static int Depth(const Expr* e) {
    if (!e) return 0;
    int d = 0;
    for (const auto& a : e->args) d = std::max(d, Depth(a.get()));
    return d + 1;
  }

  // Deepest expression plus every function and table body (a call chain cannot exceed their sum).
  int MaxDepth() const {
    int deepest = 0, bodies = 0;
    for (const Let& l : p_.lets) deepest = std::max(deepest, Depth(l.value.get()));
    for (const Rule& r : p_.rules) deepest = std::max({deepest, Depth(r.when.get()), Depth(r.value.get())});
    deepest = std::max(deepest, Depth(p_.law.get()));
    for (const Scope& sc : p_.scopes) {
      deepest = std::max({deepest, Depth(sc.collection.get()), Depth(sc.key.get()), Depth(sc.law.get())});
    }
    for (const Obligation& o : p_.obligations) {
      deepest = std::max({deepest, Depth(o.when.get()), Depth(o.deadline.get()), Depth(o.violated.get()),
                          Depth(o.not_before.get()), Depth(o.every.get()), Depth(o.every_from.get()),
                          Depth(o.overdue.get()), Depth(o.done_at.get()), Depth(o.deleted_at.get())});
    }
    for (const Function& f : p_.functions) bodies += Depth(f.body.get());
    for (const Table& t : p_.tables) {
      int d = Depth(t.default_result.get());
      for (const TableRow& r : t.rows) {
        d = std::max(d, Depth(r.result.get()));
        for (const Cell& c : r.cells) for (const auto& v : c.values) d = std::max(d, Depth(v.get()));
      }
      bodies += d;
    }
    // Exceptions are evaluated (and explained) recursively down their chain.
    int chain = std::max(LongestChain(p_.rules), LongestChain(p_.obligations));
    return deepest + bodies + chain + static_cast<int>(p_.lets.size() + p_.outputs.size());
  }

 private:
  // The most exceptions below one another among `decls` (rules or obligations, acyclic: checked),
  // each counting its longest chain through `parents`, in declaration-independent order.
  template <typename Decl>
  static int LongestChain(const std::vector<Decl>& decls) {
    std::vector<int> depth(decls.size(), -1);
    int longest = 0;
    for (size_t start = 0; start < decls.size(); ++start) {
      std::vector<int> stack{static_cast<int>(start)};
      while (!stack.empty()) {
        int d = stack.back();
        if (depth[d] >= 0) {
          stack.pop_back();
          continue;
        }
        bool ready = true;
        for (int up : decls[d].parents) {
          if (depth[up] < 0) {
            stack.push_back(up);
            ready = false;
          }
        }
        if (!ready) continue;
        depth[d] = 0;
        for (int up : decls[d].parents) depth[d] = std::max(depth[d], depth[up] + 1);
        longest = std::max(longest, depth[d]);
        stack.pop_back();
      }
    }
    return longest;
  }

  static Effective Eff(const ast::Effective& e) {
    Effective out;
    if (e.present) {
      out.from = e.from;
      out.until = e.until;
    }
    return out;
  }

  Citation Cite(const ast::Citation& c) {
    if (c.law >= 0 && c.paragraph >= 0) {
      const law::Document& doc = c_.laws[c.law];
      return Citation{doc.title, c.article, doc.name, doc.paragraphs[c.paragraph].text};
    }
    return Citation{c.document.empty() ? p_.document : c.document, c.article, "", ""};
  }

  // The facts of the input schema (Program::facts) and the tree to walk facts with.
  static constexpr size_t kMaxFacts = 4096;  // beyond, a field reports the fact of its record's field
  void LowerFacts() {
    std::vector<char> on_path(c_.types.record_count(), 0);
    AddFactNode(c_.input_record, "", -1, on_path);
  }

  int AddFactNode(int record, const std::string& prefix, int parent_fact, std::vector<char>& on_path) {
    int node = static_cast<int>(p_.fact_nodes.size());
    const RecordInfo& info = c_.types.record_info(record);
    p_.fact_nodes.push_back(Program::FactNode{record, std::vector<int>(info.fields.size(), parent_fact),
                                              std::vector<int>(info.fields.size(), -1)});
    on_path[record] = 1;
    for (size_t f = 0; f < info.fields.size(); ++f) {
      std::string path = prefix.empty() ? info.fields[f].name : prefix + "." + info.fields[f].name;
      int fact = parent_fact;
      if (p_.facts.size() < kMaxFacts) {
        fact = static_cast<int>(p_.facts.size());
        p_.facts.push_back(path);
      }
      p_.fact_nodes[node].fact[f] = fact;
      const Type* t = info.fields[f].type;
      if (t->kind == TypeKind::kOptional) t = t->elem;
      if (t->kind == TypeKind::kList || t->kind == TypeKind::kSet) {
        t = t->elem;
        path += "[]";
        if (t->kind == TypeKind::kOptional) t = t->elem;
      }
      // Records nest at most kMaxChain deep (E0008), so the recursion is bounded.
      if (t->kind == TypeKind::kRecord && !on_path[t->index]) {
        int child = AddFactNode(t->index, path, fact, on_path);
        p_.fact_nodes[node].child[f] = child;
      }
    }
    on_path[record] = 0;
    return node;
  }

  void LowerDefaults() {
    p_.field_defaults.resize(c_.types.record_count());
    // Defaults are AST constants on the record and input declarations.
    auto fill = [&](int record, const std::vector<ast::FieldDecl>& fields) {
      auto& out = p_.field_defaults[record];
      const RecordInfo& info = c_.types.record_info(record);
      out.assign(info.fields.size(), std::nullopt);
      for (const ast::FieldDecl& f : fields) {
        int k = info.Find(f.name);
        if (k >= 0 && f.dflt) out[k] = Const(*f.dflt);
      }
    };
    // A default may be a record (`c: C = {}`) whose omitted fields take C's defaults, which may be
    // declared later: each pass fills one more level of nesting, so as many passes as there are
    // records fill them all, whatever the order of declaration.
    for (int pass = 0; pass < std::max(1, c_.types.record_count()); ++pass) {
      for (auto& m : c_.modules) {
        for (const ast::RecordDecl& r : m->records) if (r.type_index >= 0) fill(r.type_index, r.fields);
      }
    }
    const ast::Module& main = c_.main();
    if (!main.inputs.empty()) fill(c_.input_record, main.inputs[0].fields);
    else p_.field_defaults[c_.input_record].clear();
    LowerFieldChecks();
  }

  // The constraints of each record's fields, with their constant bounds; a range that no value
  // satisfies and a default that breaks its field's constraint are mistakes in the policy (E0507).
  void LowerFieldChecks() {
    p_.field_checks.resize(c_.types.record_count());
    auto fill = [&](int record, const std::vector<ast::FieldDecl>& fields) {
      const RecordInfo& info = c_.types.record_info(record);
      auto& out = p_.field_checks[record];
      out.assign(info.fields.size(), {});
      for (const ast::FieldDecl& f : fields) {
        int k = info.Find(f.name);
        if (k < 0) continue;
        const Type* t = info.fields[k].type;
        if (t->kind == TypeKind::kOptional) t = t->elem;
        bool collection = t->kind == TypeKind::kList || t->kind == TypeKind::kSet;
        if (collection) t = t->elem;
        for (const ast::FieldCheck& c : f.checks) {
          FieldCheck check{c.range, c.op, Const(*c.lo), c.hi ? Const(*c.hi) : Value(), ast::ToSource(c), c.span};
          if (c.range && CheckViolation(check.hi, check, t, c_.types)) {
            throw ConstantError(fmt::format("the range `{}` of `{}` is empty: no fact can satisfy it", check.text, f.name),
                                c.span);
          }
          out[k].push_back(std::move(check));
        }
        const std::optional<Value>& d = p_.field_defaults[record][k];
        if (!d || d->is_none()) continue;
        std::vector<Value> values = collection ? d->elems() : std::vector<Value>{*d};
        for (const FieldCheck& check : out[k]) {
          for (const Value& v : values) {
            if (auto why = CheckViolation(v, check, t, c_.types)) {
              throw ConstantError(fmt::format("the default of `{}` breaks its constraint: {}", f.name, *why), f.dflt->span);
            }
          }
        }
      }
    };
    for (auto& m : c_.modules) {
      for (const ast::RecordDecl& r : m->records) if (r.type_index >= 0) fill(r.type_index, r.fields);
    }
    const ast::Module& main = c_.main();
    if (!main.inputs.empty()) fill(c_.input_record, main.inputs[0].fields);
  }

  Table LowerTable(const TableSymbol& t) {
    const ast::TableDecl& d = *t.decl;
    Table out;
    out.name = d.name;
    out.hit = d.hit;
    out.aggregator = d.aggregator;
    out.params = t.params;
    out.result = t.result;
    out.call = t.call;
    out.span = d.span;
    if (d.citation) out.citations.push_back(Cite(*d.citation));
    out.interpretation = d.interpretation.reason;
    for (const ast::TableRow& r : d.rows) {
      TableRow row;
      row.span = r.span;
      for (const ast::Cell& c : r.cells) {
        Cell cell;
        cell.kind = c.kind;
        cell.op = c.op;
        for (auto& v : c.values) cell.values.push_back(Lower(*v));
        row.cells.push_back(std::move(cell));
      }
      row.result = Lower(*r.result);
      out.rows.push_back(std::move(row));
    }
    if (d.default_result) out.default_result = Lower(*d.default_result);
    return out;
  }

  Test LowerTest(const ast::TestDecl& t) {
    Test out;
    out.name = t.name;
    out.as_of = t.as_of;
    out.span = t.span;
    for (const ast::TestGiven& g : t.givens) {
      std::string json = IsLiteral(*g.value) ? ConstantJson(*g.value, c_.types).dump()
                                             : interp::ValueToJson(Const(*g.value), g.value->type, c_.types).dump();
      out.givens.push_back(TestGiven{g.path, json, g.span});
    }
    for (const ast::TestSet& s : t.sets) out.sets.push_back({s.param, Const(*s.value)});
    for (const ast::TestExpect& x : t.expects) {
      TestExpect e;
      e.kind = x.kind;
      e.name = x.name;
      if (x.item) e.item = Const(*x.item);
      e.span = x.span;
      e.violated = x.violated;
      e.violation_undetermined = x.violation_undetermined;
      e.undetermined = x.undetermined;
      e.error_text = x.error_text;
      if (x.missing) {
        e.missing.emplace();
        for (const auto& path : *x.missing) {
          std::string text;
          for (size_t k = 0; k < path.size(); ++k) text += (k ? "." : "") + path[k];
          int id = p_.FindFact(text);
          if (id >= 0) e.missing->push_back(id);  // the checker reported an unknown path
        }
        std::sort(e.missing->begin(), e.missing->end());
        e.missing->erase(std::unique(e.missing->begin(), e.missing->end()), e.missing->end());
      }
      switch (x.kind) {
        case ast::TestExpect::Kind::kValue:
          e.index = p_.FindOutput(x.name);
          e.is_output = e.index >= 0;
          if (!e.is_output) {
            for (size_t i = 0; i < p_.lets.size(); ++i) if (p_.lets[i].name == x.name) e.index = static_cast<int>(i);
          }
          if (x.value) e.value = Const(*x.value);
          break;
        case ast::TestExpect::Kind::kObligation:
        case ast::TestExpect::Kind::kNoObligation:
          e.index = p_.FindObligation(x.name);
          if (x.deadline) e.deadline = Const(*x.deadline).i;
          for (DeadlineStatus st : {DeadlineStatus::kPending, DeadlineStatus::kMet, DeadlineStatus::kOverdue,
                                    DeadlineStatus::kEarly, DeadlineStatus::kBreached, DeadlineStatus::kUndetermined}) {
            if (x.status == DeadlineStatusName(st)) e.status = st;
          }
          break;
        case ast::TestExpect::Kind::kError: break;
      }
      out.expects.push_back(std::move(e));
    }
    return out;
  }

  ExprPtr Make(Op op, const ast::Expr& src) {
    auto e = std::make_unique<Expr>();
    e->op = op;
    e->type = src.type;
    e->source = &src;
    return e;
  }

  ExprPtr Lower(const ast::Expr& a) {
    if (!a.narrowed_from) return LowerNode(a);
    // A value known present (after `is present`): the optional, unwrapped.
    ExprPtr inner = LowerNode(a);
    inner->type = a.narrowed_from;
    auto e = Make(Op::kUnwrap, a);
    e->args.push_back(std::move(inner));
    return e;
  }

  ExprPtr LowerNode(const ast::Expr& a) {
    switch (a.kind) {
      case ExprKind::kInt: case ExprKind::kDecimal: case ExprKind::kText: case ExprKind::kDate:
      case ExprKind::kDateTime: case ExprKind::kDuration: case ExprKind::kBool: case ExprKind::kNone: {
        auto e = Make(Op::kConst, a);
        e->constant = ConstantValue(a, p_);
        return e;
      }
      case ExprKind::kAsOf: return Make(Op::kAsOf, a);
      case ExprKind::kNow: return Make(Op::kNow, a);
      case ExprKind::kWorkingDays: {
        auto e = Unary(Op::kWorkingDays, a);
        e->index = a.calendar;
        return e;
      }
      case ExprKind::kName: {
        if (a.ref == RefKind::kEnumValue) {
          auto e = Make(Op::kConst, a);
          e->constant = Value::Enum(a.variant);
          return e;
        }
        Op op = a.ref == RefKind::kInput ? Op::kInput
                : a.ref == RefKind::kParam ? Op::kParam
                : a.ref == RefKind::kLet ? Op::kLet
                : a.ref == RefKind::kOutput ? Op::kOutput
                : a.ref == RefKind::kItem ? Op::kItem
                                            : Op::kLocal;
        auto e = Make(op, a);
        e->index = a.index;
        return e;
      }
      case ExprKind::kField: return Unary(Op::kField, a);
      case ExprKind::kCall: {
        Op op = a.ref == RefKind::kFunction ? Op::kCall : a.ref == RefKind::kTable ? Op::kTable : Op::kBuiltin;
        auto e = Make(op, a);
        e->index = op == Op::kBuiltin ? a.calendar : a.index;
        e->builtin = a.builtin;
        size_t n = a.args.size();
        if (op == Op::kBuiltin && (a.builtin == ast::Builtin::kIsWorkingDay || a.builtin == ast::Builtin::kWorkingDaysBetween)) {
          n = a.builtin == ast::Builtin::kIsWorkingDay ? 1 : 2;  // the calendar named is `index`
        }
        for (size_t i = 0; i < n; ++i) e->args.push_back(Lower(*a.args[i]));
        return e;
      }
      case ExprKind::kNeg: {
        // Fold negative literals so that constants stay constants.
        ExprPtr inner = Lower(*a.args[0]);
        if (inner->op == Op::kConst) {
          inner->source = &a;
          inner->constant.i = -inner->constant.i;
          inner->constant.months = -inner->constant.months;
          return inner;
        }
        auto e = Make(Op::kNeg, a);
        e->args.push_back(std::move(inner));
        return e;
      }
      case ExprKind::kNot: return Unary(Op::kNot, a);
      case ExprKind::kAnd: return Unary(Op::kAnd, a);
      case ExprKind::kOr: return Unary(Op::kOr, a);
      case ExprKind::kBinary: {
        bool cmp = a.op >= ast::BinOp::kLt;
        auto e = Unary(cmp ? Op::kCompare : Op::kArith, a);
        e->bop = a.op;
        return e;
      }
      case ExprKind::kIn: return Unary(Op::kIn, a);
      case ExprKind::kCoalesce: return Unary(Op::kCoalesce, a);
      case ExprKind::kIsPresent: return Unary(Op::kIsPresent, a);
      case ExprKind::kIf: return Unary(Op::kIf, a);
      case ExprKind::kQuant: {
        auto e = Unary(Op::kQuant, a);
        e->quant = a.quant;
        if (e->args.size() > 2 && a.quant != ast::QuantKind::kSum && a.quant != ast::QuantKind::kMin &&
            a.quant != ast::QuantKind::kMax && a.quant != ast::QuantKind::kMap) {
          // A condition body: `where W: B` is `W and B` (for `all`, `not W or B`), in the same
          // three-valued logic, B read only where W may hold.
          ExprPtr w = std::move(e->args[2]);
          e->args.pop_back();
          ExprPtr body = std::move(e->args[1]);
          const ast::Expr& wsrc = *a.args[2];
          ExprPtr joined;
          if (a.quant == ast::QuantKind::kAll) {
            auto no = Make(Op::kNot, wsrc);
            no->args.push_back(std::move(w));
            joined = Make(Op::kOr, wsrc);
            joined->args.push_back(std::move(no));
          } else {
            joined = Make(Op::kAnd, wsrc);
            joined->args.push_back(std::move(w));
          }
          joined->args.push_back(std::move(body));
          e->args[1] = std::move(joined);
        }
        return e;
      }
      case ExprKind::kSetOp: {
        auto e = Unary(Op::kSetOp, a);
        e->index = static_cast<int>(a.set_op);
        return e;
      }
      case ExprKind::kIsEmpty: return Unary(Op::kIsEmpty, a);
      case ExprKind::kItemOf: return Unary(a.ref == ast::RefKind::kOutput ? Op::kItemOutput : Op::kItemLet, a);
      case ExprKind::kList: return Unary(Op::kMakeList, a);
      case ExprKind::kSet: return Unary(Op::kMakeSet, a);
      case ExprKind::kRecord: {
        auto e = Make(Op::kMakeRecord, a);
        const Type* rt = a.type->kind == TypeKind::kOptional ? a.type->elem : a.type;
        const auto& defaults = p_.field_defaults.at(rt->index);
        for (size_t f = 0; f < a.record_order.size(); ++f) {
          if (a.record_order[f] >= 0) {
            e->args.push_back(Lower(*a.args[a.record_order[f]]));
          } else {
            auto d = std::make_unique<Expr>();
            d->op = Op::kConst;
            d->type = c_.types.record_info(rt->index).fields[f].type;
            d->source = &a;
            d->constant = f < defaults.size() && defaults[f] ? *defaults[f] : Value::None();
            e->args.push_back(std::move(d));
          }
        }
        return e;
      }
      case ExprKind::kMatch: {
        auto e = Make(Op::kMatch, a);
        e->args.push_back(Lower(*a.args[0]));
        // An optional enum has one more "variant", last: `none`.
        const Type* st = a.args[0]->type;
        bool optional = st->kind == TypeKind::kOptional;
        if (optional) st = st->elem;
        size_t n = st->kind == TypeKind::kEnum ? c_.types.enum_info(st->index).variants.size() + optional : 0;
        e->arm_of_variant.assign(n, -1);
        for (size_t i = 0; i < a.arms.size(); ++i) {
          e->args.push_back(Lower(*a.arms[i].body));
          if (a.arms[i].patterns.empty()) {
            for (auto& slot : e->arm_of_variant) if (slot < 0) slot = static_cast<int>(i);
          }
          for (int v : a.arms[i].variants) {
            if (e->arm_of_variant[v] < 0) e->arm_of_variant[v] = static_cast<int>(i);
          }
        }
        return e;
      }
    }
    return Make(Op::kConst, a);
  }

  // Lowers every argument in order (covers unary, binary and n-ary nodes alike).
  ExprPtr Unary(Op op, const ast::Expr& a) {
    auto e = Make(op, a);
    e->index = a.index;
    e->negated = a.negated;
    for (auto& x : a.args) e->args.push_back(Lower(*x));
    return e;
  }

  Program& p_;
  const CheckedProgram& c_;
};

}  // namespace

const char* DeadlineStatusName(DeadlineStatus s) {
  switch (s) {
    case DeadlineStatus::kNone: return "";
    case DeadlineStatus::kPending: return "pending";
    case DeadlineStatus::kMet: return "met";
    case DeadlineStatus::kOverdue: return "overdue";
    case DeadlineStatus::kEarly: return "early";
    case DeadlineStatus::kBreached: return "breached";
    case DeadlineStatus::kUndetermined: return "undetermined";
  }
  return "";
}

int Program::FindParam(const std::string& n) const {
  for (size_t i = 0; i < params.size(); ++i) if (params[i].name == n) return static_cast<int>(i);
  return -1;
}

int Program::FindOutput(const std::string& n) const {
  for (size_t i = 0; i < outputs.size(); ++i) if (outputs[i].name == n) return static_cast<int>(i);
  return -1;
}

int Program::FindFact(const std::string& path) const {
  auto plain = [](std::string s) {
    for (size_t k; (k = s.find("[]")) != std::string::npos;) s.erase(k, 2);
    return s;
  };
  std::string want = plain(path);
  for (size_t i = 0; i < facts.size(); ++i) if (plain(facts[i]) == want) return static_cast<int>(i);
  return -1;
}

int Program::FindObligation(const std::string& n) const {
  for (size_t i = 0; i < obligations.size(); ++i) if (obligations[i].name == n) return static_cast<int>(i);
  return -1;
}

Value ConstantValue(const ast::Expr& e, const Program& p) {
  switch (e.kind) {
    case ExprKind::kInt: return Value::Int(e.int_value);
    case ExprKind::kDecimal: {
      int64_t v = 0;
      ParseDecimal(e.text, &v);
      return Value::Decimal(v);
    }
    case ExprKind::kText: return Value::Text(e.text);
    case ExprKind::kDate: return Value::Date(e.int_value);
    case ExprKind::kDateTime: return Value::DateTime(e.int_value);
    case ExprKind::kDuration: return DurationLiteral(e);
    case ExprKind::kBool: return Value::Bool(e.int_value != 0);
    case ExprKind::kNone: return Value::None();
    case ExprKind::kNeg: {
      Value v = ConstantValue(*e.args[0], p);
      v.i = -v.i;
      v.months = -v.months;
      return v;
    }
    case ExprKind::kName:
      if (e.ref == RefKind::kEnumValue) return Value::Enum(e.variant);
      return Value::None();
    case ExprKind::kList:
    case ExprKind::kSet: {
      std::vector<Value> items;
      for (auto& a : e.args) items.push_back(ConstantValue(*a, p));
      return e.kind == ExprKind::kSet ? Value::Set(std::move(items)) : Value::List(std::move(items));
    }
    case ExprKind::kRecord: {
      const Type* rt = e.type->kind == TypeKind::kOptional ? e.type->elem : e.type;
      std::vector<Value> fields;
      for (size_t f = 0; f < e.record_order.size(); ++f) {
        if (e.record_order[f] >= 0) {
          fields.push_back(ConstantValue(*e.args[e.record_order[f]], p));
        } else {
          const auto& defaults = p.field_defaults.at(rt->index);
          fields.push_back(f < defaults.size() && defaults[f] ? *defaults[f] : Value::None());
        }
      }
      return Value::Record(std::move(fields));
    }
    default: return Value::None();
  }
}

std::unique_ptr<Program> Lower(std::unique_ptr<CheckedProgram> checked) {
  auto p = std::make_unique<Program>();
  p->checked = std::move(checked);
  Lowerer(*p).Run();
  return p;
}

}  // namespace proviso::ir

// The queries of `verify` and `diff` over the translation (symbolic.h): each a satisfiability
// check with a timeout; a model becomes a witness, kept small by preferring default facts.
#include "compiler/verify/verify.h"

#include <chrono>
#include <functional>

#include <fmt/format.h>

#include "compiler/support/calendar.h"
#include "compiler/verify/symbolic.h"

namespace proviso::verify {
namespace {

using internal::FailSite;
using internal::Sym;
using internal::SymFacts;
using internal::Translator;
using internal::Unsupported;

using Clock = std::chrono::steady_clock;

// Preferences that keep a witness small: booleans false, optionals absent, sets empty, numbers 0,
// dates within ten years before the evaluation date.
void Preferences(z3::context& c, const Sym& s, const z3::expr& as_of, z3::expr_vector& out) {
  switch (s.kind) {
    case TypeKind::kBool: out.push_back(!s.v); break;
    case TypeKind::kInt:
    case TypeKind::kDecimal:
    case TypeKind::kEnum: out.push_back(s.v == 0); break;
    case TypeKind::kDuration: out.push_back(s.v == 0 && s.months == 0); break;
    case TypeKind::kDate: out.push_back(s.v <= as_of && s.v >= as_of - 3650); break;
    case TypeKind::kText:
      out.push_back(z3::in_re(s.v, z3::star(z3::range(c.string_val(" "), c.string_val("~")))) && s.v.length() <= 32);
      out.push_back(s.v == c.string_val(""));
      break;
    case TypeKind::kOptional:
      out.push_back(!s.present);
      Preferences(c, s.parts[0], as_of, out);
      break;
    case TypeKind::kRecord:
      for (const Sym& f : s.parts) Preferences(c, f, as_of, out);
      break;
    case TypeKind::kSet:
      for (const z3::expr& m : s.members) out.push_back(!m);
      break;
    case TypeKind::kList:
      for (const z3::expr& m : s.members) out.push_back(!m);
      for (const Sym& x : s.elems) Preferences(c, x, as_of, out);
      break;
    default: break;
  }
}

// One query session: a solver with the validity of the facts asserted, a deadline for all queries.
class Session {
 public:
  Session(z3::context& c, const Options& o) : c_(c), o_(o), solver_(c), start_(Clock::now()) {}

  void Assert(const z3::expr& e) { solver_.add(e); }

  // sat: a model in `model`; unsat; unknown (timeout, or the time for the whole command is over).
  z3::check_result Check(const z3::expr& goal, const SymFacts& facts, std::optional<z3::model>& model) {
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
    if (spent >= o_.total_timeout_ms) return z3::unknown;
    unsigned left = o_.total_timeout_ms - static_cast<unsigned>(spent);
    z3::params ps(c_);
    ps.set("timeout", std::min(o_.query_timeout_ms, left));
    ps.set("core.minimize", true);  // drop as few preferences as possible: smaller witnesses
    solver_.set(ps);
    solver_.push();
    solver_.add(goal);
    z3::check_result r = solver_.check();
    if (r == z3::sat) {
      // Smaller facts: as many preferences as hold together (dropping those in the core).
      z3::expr_vector prefs(c_);
      Preferences(c_, facts.input, facts.as_of, prefs);
      std::vector<z3::expr> keep;
      for (unsigned i = 0; i < prefs.size(); ++i) keep.push_back(prefs[i]);
      model = solver_.get_model();
      for (int round = 0; round < 4 && !keep.empty(); ++round) {
        z3::expr_vector assumptions(c_);
        std::vector<z3::expr> lits;
        for (size_t i = 0; i < keep.size(); ++i) {
          z3::expr lit = c_.bool_const(fmt::format("pref#{}#{}", round, i).c_str());
          solver_.add(z3::implies(lit, keep[i]));
          assumptions.push_back(lit);
          lits.push_back(lit);
        }
        z3::check_result small = solver_.check(assumptions);
        if (small == z3::sat) {
          model = solver_.get_model();
          break;
        }
        if (small != z3::unsat) break;
        z3::expr_vector core = solver_.unsat_core();
        std::vector<z3::expr> next;
        for (size_t i = 0; i < keep.size(); ++i) {
          bool in_core = false;
          for (unsigned k = 0; k < core.size() && !in_core; ++k) in_core = z3::eq(core[k], lits[i]);
          if (!in_core) next.push_back(keep[i]);
        }
        if (next.size() == keep.size()) break;
        keep = std::move(next);
      }
    }
    solver_.pop();
    return r;
  }

 private:
  z3::context& c_;
  const Options& o_;
  z3::solver solver_;
  Clock::time_point start_;
};

SymFacts FactsFor(z3::context& c, const ir::Program& p, const Options& o) {
  SymFacts f = internal::MakeFacts(c, p, o.list_bound);
  if (o.as_of) {
    f.as_of = c.int_val(*o.as_of);
  } else {
    f.as_of = c.int_const("as_of");
    f.valid = f.valid && f.as_of >= c.int_val(o.from) && f.as_of <= c.int_val(o.until);
  }
  return f;
}

std::string Scope(const Options& o, const SymFacts& f) {
  std::string lists;
  for (const std::string& l : f.bounded_lists) lists += (lists.empty() ? "" : ", ") + ("`" + l + "`");
  if (!lists.empty()) lists = fmt::format(", lists and sets of at most {} elements ({})", f.list_bound, lists);
  std::string when = o.as_of ? fmt::format("as of {}", FormatDate(*o.as_of))
                             : fmt::format("as of any date from {} to {}", FormatDate(o.from), FormatDate(o.until));
  return fmt::format("for all complete, valid facts (every field given: facts not given are not explored{}), "
                     "{}, with the params at their values in force", lists, when);
}

Witness WitnessOf(const z3::model& m, const SymFacts& f, const ir::Program& p) {
  Witness w;
  w.facts = internal::FactsFromModel(m, f.input, p);
  int64_t day = 0;
  m.eval(f.as_of, true).is_numeral_i64(day);
  w.as_of = FormatDate(day);
  return w;
}

// A value of the model with the same shape as `s` (each term replaced by its value).
Sym Concrete(const z3::model& m, const Sym& s) {
  Sym r = s;
  if (!internal::IsNull(s.v)) r.v = m.eval(s.v, true);
  if (!internal::IsNull(s.months)) r.months = m.eval(s.months, true);
  if (!internal::IsNull(s.present)) r.present = m.eval(s.present, true);
  for (size_t i = 0; i < s.parts.size(); ++i) r.parts[i] = Concrete(m, s.parts[i]);
  for (size_t i = 0; i < s.elems.size(); ++i) r.elems[i] = Concrete(m, s.elems[i]);
  for (size_t i = 0; i < s.members.size(); ++i) r.members[i] = m.eval(s.members[i], true);
  return r;
}

std::string SpanText(const ir::Program& p, Span span) {
  (void)p;
  return span.valid() ? fmt::format("{}:{}", span.line, span.col) : "";
}

}  // namespace

VerifyResult Verify(const ir::Program& p, const Options& o) {
  VerifyResult res;
  z3::context c;
  try {
    SymFacts facts = FactsFor(c, p, o);
    Translator t(c, p, facts);
    t.Run();
    Session s(c, o);
    s.Assert(facts.valid);
    for (const z3::expr& d : t.definitions()) s.Assert(d);
    res.notes.push_back(Scope(o, facts));
    if (!facts.bounded_lists.empty()) res.bound = fmt::format("lists and sets of at most {} elements", facts.list_bound);
    bool undecided = false;
    // One query per place and failure: the conditions of its sites (each element of a quantifier,
    // each call of a function) ORed.
    std::vector<std::pair<std::string, std::string>> keys;
    std::vector<z3::expr> whens;
    for (const FailSite& f : t.fails()) {
      std::pair<std::string, std::string> key{f.what, SpanText(p, f.span)};
      auto at = std::find(keys.begin(), keys.end(), key);
      if (at == keys.end()) {
        keys.push_back(key);
        whens.push_back(f.when);
      } else {
        whens[at - keys.begin()] = whens[at - keys.begin()] || f.when;
      }
    }
    for (size_t k = 0; k < keys.size(); ++k) {
      std::optional<z3::model> m;
      z3::check_result r = s.Check(whens[k], facts, m);
      if (r == z3::sat) {
        Witness w = WitnessOf(*m, facts, p);
        w.differences.push_back(keys[k].first);
        w.where = keys[k].second;
        res.counterexamples.push_back(std::move(w));
      } else if (r == z3::unknown) {
        undecided = true;
        res.notes.push_back(fmt::format("undecided (timeout): whether `{}` at {} can happen", keys[k].first, keys[k].second));
      }
    }
    if (!res.counterexamples.empty()) {
      res.status = VerifyResult::Status::kFails;
    } else if (undecided) {
      res.status = VerifyResult::Status::kUnknown;
      res.reason = "a solver query timed out";
    } else {
      res.status = VerifyResult::Status::kProved;
    }
    // What holds on every evaluation that does not fail.
    s.Assert(!t.Fails());
    auto never = [&](const z3::expr& e, const std::string& finding) {
      std::optional<z3::model> m;
      z3::check_result r = s.Check(e, facts, m);
      if (r == z3::unsat) res.findings.push_back(finding);
      if (r == z3::unknown) res.notes.push_back("undecided (timeout): whether " + finding);
    };
    for (size_t r = 0; r < p.rules.size(); ++r) {
      never(t.rule_applies()[r], fmt::format("rule `{}` never applies", p.rules[r].name));
    }
    for (size_t k = 0; k < p.tables.size(); ++k) {
      const ir::Table& tb = p.tables[k];
      if (!t.table_called(static_cast<int>(k))) {
        res.findings.push_back(fmt::format("table `{}` is not called", tb.name));
        continue;
      }
      for (size_t r = 0; r < tb.rows.size(); ++r) {
        never(t.row_chosen()[k][r], fmt::format("row {} of table `{}` is never chosen", r + 1, tb.name));
      }
    }
    for (size_t i = 0; i < p.obligations.size(); ++i) {
      const ir::Obligation& ob = p.obligations[i];
      never(t.obligations()[i].applies, fmt::format("obligation `{}` never applies", ob.name));
      if (ob.violated || ob.deadline_kind != ir::DeadlineKind::kNone) {
        never(t.obligations()[i].violated, fmt::format("obligation `{}` is never violated", ob.name));
      }
    }
    for (size_t k = 0; k < p.outputs.size(); ++k) {
      if (p.outputs[k].scope >= 0) continue;  // decided per element
      std::optional<z3::model> m;
      if (s.Check(c.bool_val(true), facts, m) != z3::sat) break;
      Sym one = Concrete(*m, t.outputs()[k]);
      std::optional<z3::model> other;
      z3::expr differs = c.bool_val(false);
      try {
        differs = !t.Equal(t.outputs()[k], one);
      } catch (const Unsupported&) {
        continue;  // a value the translation cannot compare: no finding
      }
      z3::check_result r = s.Check(differs, facts, other);
      if (r == z3::unsat) {
        res.findings.push_back(fmt::format("output `{}` is constant", p.outputs[k].name));
      }
    }
  } catch (const Unsupported& u) {
    res = VerifyResult{};
    res.status = VerifyResult::Status::kUnknown;
    res.reason = std::string("not translated: ") + u.what() +
                 (u.span().valid() ? fmt::format(" (at {})", SpanText(p, u.span())) : "");
  } catch (const z3::exception& e) {
    res = VerifyResult{};
    res.status = VerifyResult::Status::kUnknown;
    res.reason = fmt::format("the solver failed: {}", e.msg());
  } catch (const std::exception& e) {  // a bug of the translation: unknown, never a proof
    res = VerifyResult{};
    res.status = VerifyResult::Status::kUnknown;
    res.reason = fmt::format("internal error in the translation: {}", e.what());
  }
  return res;
}

namespace {

struct Side {
  const ir::Program* p;
  Translator* t;
};

DiffResult Compare(z3::context& c, const Side& a, const Side& b, const SymFacts& facts, const Options& o) {
  DiffResult res;
  Session s(c, o);
  s.Assert(facts.valid);
  for (const z3::expr& d : a.t->definitions()) s.Assert(d);
  for (const z3::expr& d : b.t->definitions()) s.Assert(d);
  bool undecided = false;
  auto witness = [&](const z3::expr& differ, const std::string& what) {
    std::optional<z3::model> m;
    z3::check_result r = s.Check(differ, facts, m);
    if (r == z3::sat) {
      Witness w = WitnessOf(*m, facts, *a.p);
      w.differences.push_back(what);
      res.witnesses.push_back(std::move(w));
    } else if (r == z3::unknown) {
      undecided = true;
      res.notes.push_back(fmt::format("undecided (timeout): whether {} can differ", what));
    }
  };
  z3::expr fa = a.t->Fails(), fb = b.t->Fails();
  witness(fa != fb, "failure");
  z3::expr both = !fa && !fb;
  const ir::Program &pa = *a.p, &pb = *b.p;
  for (size_t i = 0; i < pa.outputs.size(); ++i) {
    if (pa.outputs[i].scope >= 0) continue;  // compared element by element below
    int j = pb.FindOutput(pa.outputs[i].name);
    std::string what = fmt::format("output {}", pa.outputs[i].name);
    if (j < 0) {
      witness(both, what + " (only in the old policy)");
      continue;
    }
    if (pa.types().Name(pa.outputs[i].type) != pb.types().Name(pb.outputs[j].type) ||
        (pa.outputs[i].type->kind == TypeKind::kEnum &&
         pa.types().enum_info(pa.outputs[i].type->index).variants !=
             pb.types().enum_info(pb.outputs[j].type->index).variants)) {
      throw Unsupported(fmt::format("output `{}` has a different type", pa.outputs[i].name), pa.outputs[i].span);
    }
    witness(both && !a.t->Equal(a.t->outputs()[i], b.t->outputs()[j]), what);
  }
  for (size_t j = 0; j < pb.outputs.size(); ++j) {
    if (pb.outputs[j].scope < 0 && pa.FindOutput(pb.outputs[j].name) < 0) witness(both, fmt::format("output {} (only in the new policy)", pb.outputs[j].name));
  }
  for (size_t i = 0; i < pa.obligations.size(); ++i) {
    if (pa.obligations[i].scope >= 0) continue;  // compared element by element below
    int j = pb.FindObligation(pa.obligations[i].name);
    std::string what = fmt::format("obligation {}", pa.obligations[i].name);
    const internal::SymObligation& x = a.t->obligations()[i];
    if (j < 0) {
      witness(both && x.applies, what + " (only in the old policy)");
      continue;
    }
    const internal::SymObligation& y = b.t->obligations()[j];
    // Each aspect on its own, so that a witness shows what changed (a violation, not only a date).
    witness(both && x.applies != y.applies, what + " applies");
    z3::expr on = both && x.applies && y.applies;
    witness(on && x.violated != y.violated, what + " violated");
    witness(on && (x.has_deadline != y.has_deadline || (x.has_deadline && x.deadline != y.deadline)), what + " deadline");
    witness(on && x.status != y.status, what + " status");
  }
  // `for each`: the same blocks, element by element (the same facts give the same candidates).
  if (pa.scopes.size() != pb.scopes.size()) throw Unsupported("the two policies have different `for each` blocks", Span{});
  for (size_t sc = 0; sc < pa.scopes.size(); ++sc) {
    const auto& ia = a.t->items()[sc];
    const auto& ib = b.t->items()[sc];
    const ir::Scope &sa = pa.scopes[sc], &sb = pb.scopes[sc];
    if (ia.size() != ib.size() || sa.outputs.size() != sb.outputs.size() || sa.obligations.size() != sb.obligations.size()) {
      throw Unsupported("the two policies' `for each` blocks differ in shape", sa.span);
    }
    for (size_t k = 0; k < sa.outputs.size(); ++k) {
      const std::string& name = pa.outputs[sa.outputs[k]].name;
      if (pb.outputs[sb.outputs[k]].name != name) throw Unsupported("the `for each` blocks decide different outputs", sa.span);
      z3::expr differ = c.bool_val(false);
      for (size_t e = 0; e < ia.size(); ++e) {
        differ = differ || ia[e].exists != ib[e].exists ||
                 (ia[e].exists && !a.t->Equal(ia[e].outputs[k], ib[e].outputs[k]));
      }
      witness(both && differ, "item output " + name);
    }
    for (size_t k = 0; k < sa.obligations.size(); ++k) {
      const std::string& name = pa.obligations[sa.obligations[k]].name;
      if (pb.obligations[sb.obligations[k]].name != name) {
        throw Unsupported("the `for each` blocks decide different obligations", sa.span);
      }
      z3::expr applies = c.bool_val(false), violated = c.bool_val(false), deadline = c.bool_val(false),
               status = c.bool_val(false);
      for (size_t e = 0; e < ia.size(); ++e) {
        const internal::SymObligation &x = ia[e].obligations[k], &y = ib[e].obligations[k];
        z3::expr on = ia[e].exists && ib[e].exists && x.applies && y.applies;
        applies = applies || (ia[e].exists && x.applies) != (ib[e].exists && y.applies);
        violated = violated || (on && x.violated != y.violated);
        deadline = deadline || (on && (x.has_deadline != y.has_deadline || (x.has_deadline && x.deadline != y.deadline)));
        status = status || (on && x.status != y.status);
      }
      witness(both && applies, "item obligation " + name + " applies");
      witness(both && violated, "item obligation " + name + " violated");
      witness(both && deadline, "item obligation " + name + " deadline");
      witness(both && status, "item obligation " + name + " status");
    }
  }
  for (size_t j = 0; j < pb.obligations.size(); ++j) {
    if (pb.obligations[j].scope < 0 && pa.FindObligation(pb.obligations[j].name) < 0) {
      witness(both && b.t->obligations()[j].applies,
              fmt::format("obligation {} (only in the new policy)", pb.obligations[j].name));
    }
  }
  res.notes.push_back(Scope(o, facts));
  if (!facts.bounded_lists.empty()) res.bound = fmt::format("lists and sets of at most {} elements", facts.list_bound);
  if (!res.witnesses.empty()) {
    res.status = DiffResult::Status::kDifferent;
  } else if (undecided) {
    res.status = DiffResult::Status::kUnknown;
    res.reason = "a solver query timed out";
  } else {
    res.status = DiffResult::Status::kEquivalent;
  }
  return res;
}

// The input schema as text: field names and types, enum variants, constraints.
std::string Schema(const ir::Program& p) {
  std::string out;
  std::function<void(const Type*, int)> walk = [&](const Type* t, int depth) {
    out += p.types().Name(t);
    if (depth > 16) return;
    if (t->kind == TypeKind::kEnum) {
      for (auto& v : p.types().enum_info(t->index).variants) out += "|" + v;
    }
    if (t->kind == TypeKind::kOptional || t->kind == TypeKind::kSet || t->kind == TypeKind::kList) walk(t->elem, depth + 1);
    if (t->kind == TypeKind::kRecord) {
      const RecordInfo& r = p.types().record_info(t->index);
      out += "{";
      for (size_t i = 0; i < r.fields.size(); ++i) {
        out += r.fields[i].name + ":";
        walk(r.fields[i].type, depth + 1);
        if (t->index < static_cast<int>(p.field_checks.size()) && i < p.field_checks[t->index].size()) {
          for (auto& fc : p.field_checks[t->index][i]) out += " " + fc.text;
        }
        out += ",";
      }
      out += "}";
    }
  };
  walk(p.checked->types.Record(p.input_record), 0);
  return out;
}

DiffResult Unknown(const std::string& why) {
  DiffResult r;
  r.status = DiffResult::Status::kUnknown;
  r.reason = why;
  return r;
}

}  // namespace

DiffResult Diff(const ir::Program& old_p, const ir::Program& new_p, const Options& o) {
  if (Schema(old_p) != Schema(new_p)) return Unknown("the two policies read different facts (their input schemas differ)");
  z3::context c;
  try {
    SymFacts facts = FactsFor(c, old_p, o);
    Translator a(c, old_p, facts);
    a.Run();
    Translator b(c, new_p, facts);
    b.Run();
    return Compare(c, Side{&old_p, &a}, Side{&new_p, &b}, facts, o);
  } catch (const Unsupported& u) {
    return Unknown(std::string("not translated: ") + u.what());
  } catch (const z3::exception& e) {
    return Unknown(fmt::format("the solver failed: {}", e.msg()));
  } catch (const std::exception& e) {  // a bug of the translation: unknown, never a proof
    return Unknown(fmt::format("internal error in the translation: {}", e.what()));
  }
}

DiffResult DiffBetween(const ir::Program& p, int64_t first, int64_t second, const Options& o) {
  z3::context c;
  try {
    Options at = o;
    at.as_of = second;
    SymFacts later = FactsFor(c, p, at);
    SymFacts earlier = later;
    earlier.as_of = c.int_val(first);
    Translator a(c, p, earlier);
    a.Run();
    Translator b(c, p, later);
    b.Run();
    DiffResult r = Compare(c, Side{&p, &a}, Side{&p, &b}, later, at);
    for (Witness& w : r.witnesses) w.old_as_of = FormatDate(first);
    for (std::string& n : r.notes) {
      std::string at = "as of " + FormatDate(second);
      if (auto k = n.find(at); k != std::string::npos) n.replace(k, at.size(), "as of " + FormatDate(first) + " against " + at);
    }
    return r;
  } catch (const Unsupported& u) {
    return Unknown(std::string("not translated: ") + u.what());
  } catch (const z3::exception& e) {
    return Unknown(fmt::format("the solver failed: {}", e.msg()));
  } catch (const std::exception& e) {  // a bug of the translation: unknown, never a proof
    return Unknown(fmt::format("internal error in the translation: {}", e.what()));
  }
}

}  // namespace proviso::verify

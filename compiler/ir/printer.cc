#include <fmt/format.h>
#include <fmt/ranges.h>

#include "compiler/ir/ir.h"

namespace proviso::ir {
namespace {

const char* OpName(Op op) {
  switch (op) {
    case Op::kConst: return "const";
    case Op::kInput: return "input";
    case Op::kParam: return "param";
    case Op::kLet: return "let";
    case Op::kOutput: return "output";
    case Op::kLocal: return "local";
    case Op::kAsOf: return "as_of";
    case Op::kNow: return "now";
    case Op::kWorkingDays: return "working_days";
    case Op::kItem: return "item";
    case Op::kField: return "field";
    case Op::kNeg: return "neg";
    case Op::kNot: return "not";
    case Op::kAnd: return "and";
    case Op::kOr: return "or";
    case Op::kArith: return "arith";
    case Op::kCompare: return "compare";
    case Op::kIn: return "in";
    case Op::kCoalesce: return "coalesce";
    case Op::kIsPresent: return "is_present";
    case Op::kUnwrap: return "unwrap";
    case Op::kIf: return "if";
    case Op::kQuant: return "quant";
    case Op::kSetOp: return "set_op";
    case Op::kIsEmpty: return "is_empty";
    case Op::kItemOutput: return "item_output";
    case Op::kItemLet: return "item_let";
    case Op::kMakeList: return "list";
    case Op::kMakeSet: return "set";
    case Op::kMakeRecord: return "record";
    case Op::kMatch: return "match";
    case Op::kCall: return "call";
    case Op::kTable: return "table";
    case Op::kBuiltin: return "builtin";
  }
  return "?";
}

const char* BinOpName(ast::BinOp op) {
  static const char* kNames[] = {"add", "sub", "mul", "div", "lt", "le", "gt", "ge", "eq", "ne"};
  return kNames[static_cast<int>(op)];
}

// S-expression form: (op:type attrs args...)
std::string DumpExpr(const Expr& e, const Program& p) {
  const TypeTable& t = p.types();
  std::string out = fmt::format("({}:{}", OpName(e.op), e.type ? t.Name(e.type) : "?");
  switch (e.op) {
    case Op::kConst: out += " " + FormatValue(e.constant, e.type, t); break;
    case Op::kInput: out += " " + p.input().fields.at(e.index).name; break;
    case Op::kParam: out += " " + p.params.at(e.index).name; break;
    case Op::kLet: case Op::kItemLet: out += " " + p.lets.at(e.index).name; break;
    case Op::kOutput: case Op::kItemOutput: out += " " + p.outputs.at(e.index).name; break;
    case Op::kLocal: case Op::kField: out += fmt::format(" #{}", e.index); break;
    case Op::kQuant: out += fmt::format(" {} #{}", ast::QuantText(e.quant), e.index); break;
    case Op::kSetOp: out += std::string(" ") + ast::SetOpText(static_cast<ast::SetOp>(e.index)); break;
    case Op::kCall: out += " " + p.functions.at(e.index).name; break;
    case Op::kTable: out += " " + p.tables.at(e.index).name; break;
    case Op::kArith: case Op::kCompare: out += std::string(" ") + BinOpName(e.bop); break;
    default: break;
  }
  if (e.negated) out += " negated";
  for (const auto& a : e.args) out += " " + DumpExpr(*a, p);
  return out + ")";
}

}  // namespace

std::string Dump(const Program& p) {
  std::string out = fmt::format("program {}\n", p.name);
  for (const Param& pa : p.params) {
    for (const ParamVersion& v : pa.versions) {
      out += fmt::format("param {} = {}\n", pa.name, FormatValue(v.value, pa.type, p.types()));
    }
  }
  for (const Let& l : p.lets) out += fmt::format("let {} = {}\n", l.name, DumpExpr(*l.value, p));
  for (const Function& f : p.functions) out += fmt::format("function {} = {}\n", f.name, DumpExpr(*f.body, p));
  for (const Table& t : p.tables) {
    out += fmt::format("table {} ({} rows{})\n", t.name, t.rows.size(), t.default_result ? ", default" : "");
  }
  for (const Rule& r : p.rules) {
    out += fmt::format("rule {} -> {} parents={} priority={} when={} value={}\n", r.name, p.outputs.at(r.output).name,
                       fmt::join(r.parents, ","), r.priority, r.when ? DumpExpr(*r.when, p) : "true", DumpExpr(*r.value, p));
  }
  static const char* kKinds[] = {"none", "by", "recurring", "retention", "open"};
  for (const Obligation& o : p.obligations) {
    out += fmt::format("obligation {} parents={} when={} deadline={} {} violated={}\n", o.name, fmt::join(o.parents, ","),
                       o.when ? DumpExpr(*o.when, p) : "true", kKinds[static_cast<int>(o.deadline_kind)],
                       o.deadline_kind == DeadlineKind::kRecurring ? DumpExpr(*o.every, p) + " from " + DumpExpr(*o.every_from, p)
                       : o.deadline ? DumpExpr(*o.deadline, p) : o.standard,
                       o.violated ? DumpExpr(*o.violated, p) : "derived");
  }
  for (const WorkingCalendar& c : p.calendars) {
    out += fmt::format("calendar {} {}..{} ({} working days)\n", c.name(), c.first_year(), c.last_year(), c.nth().size());
  }
  return out;
}

}  // namespace proviso::ir

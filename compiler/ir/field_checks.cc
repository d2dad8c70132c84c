// Constraints on facts (ir::FieldCheck): the one definition of what satisfies them, used by the
// facts reader (row by row), the batch validation and the lowering (defaults, empty ranges).
#include <fmt/format.h>

#include "compiler/ir/ir.h"

namespace proviso::ir {
namespace {

// The order of two values of one ordered type; false when they have none (a duration of months
// against one of days).
bool Order(const Value& a, const Value& b, int* out) {
  if (a.kind == Value::Kind::kDuration) {
    if (a.months == 0 && b.months == 0) *out = a.i < b.i ? -1 : a.i > b.i;
    else if (a.i == 0 && b.i == 0) *out = a.months < b.months ? -1 : a.months > b.months;
    else return false;
    return true;
  }
  *out = a.i < b.i ? -1 : a.i > b.i;
  return true;
}

}  // namespace

std::optional<std::string> CheckViolation(const Value& v, const FieldCheck& c, const Type* t, const TypeTable& types) {
  int lo = 0, hi = 0;
  bool ordered = true, ok = false;
  if (c.range) {
    ordered = Order(v, c.lo, &lo) && Order(v, c.hi, &hi);
    ok = lo >= 0 && hi <= 0;
  } else if (c.op == ast::BinOp::kNe) {
    ok = v != c.lo;
  } else {
    ordered = Order(v, c.lo, &lo);
    ok = c.op == ast::BinOp::kGe ? lo >= 0 : c.op == ast::BinOp::kGt ? lo > 0 : c.op == ast::BinOp::kLe ? lo <= 0 : lo < 0;
  }
  if (!ordered) {
    return fmt::format("{} cannot be checked against `{}`: a month has no fixed number of days",
                       FormatValue(v, t, types), c.text);
  }
  if (ok) return std::nullopt;
  return fmt::format("{} does not satisfy `{}`", FormatValue(v, t, types), c.text);
}

}  // namespace proviso::ir

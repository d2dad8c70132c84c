// A decision in comparable form, for differential testing: two back ends agree on a fact set when
// these texts are equal (tests/differential/differential_test.cc, fuzz/fuzz_differential.cc).
#ifndef PROVISO_TESTS_DIFFERENTIAL_DESCRIBE_H_
#define PROVISO_TESTS_DIFFERENTIAL_DESCRIBE_H_

#include <string>
#include <vector>

#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"

namespace proviso::testing {

// The facts (paths) an undetermined result waits for: "[a, b]".
std::string FactsText(const ir::Program& p, const std::vector<int>& ids);

// A value of type `t` as text, or "undetermined [facts]" when it is unknown.
std::string ValueText(const ir::Program& p, const Value& v, const Type* t);

// One evaluation's outcome: every output, obligation (applies, violated, deadline, status, missing
// facts) and `for each` element, one per line; "error (no decision)" when `r` is null.
std::string Describe(const ir::Program& p, const interp::Result* r);

}  // namespace proviso::testing

#endif  // PROVISO_TESTS_DIFFERENTIAL_DESCRIBE_H_

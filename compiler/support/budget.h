// The evaluation budget: how many collection elements one evaluation's loops may visit (quantifiers,
// `filter`, `map`, aggregates; in native code also membership and set operations over lists). Nested
// quantifiers multiply: `all a in xs: all b in xs: ...` six deep over 60 elements is 4.7e10 visits,
// hours on either engine; the budget turns that into an error naming the limit. The engines count in
// their own way (the interpreter computes a shared call once, native code may run its loops at each
// call), so near the limit the same facts can pass on one engine and not on the other.
#ifndef PROVISO_COMPILER_SUPPORT_BUDGET_H_
#define PROVISO_COMPILER_SUPPORT_BUDGET_H_

#include <cstdint>
#include <string>

namespace proviso {

// The default: about 1-10 s of the interpreter's loops, far above what a policy over real records needs.
inline constexpr int64_t kDefaultBudget = 100'000'000;

// The budget to use for a requested one: 0 is the default; negative is no limit.
inline int64_t EffectiveBudget(int64_t requested) {
  if (requested == 0) return kDefaultBudget;
  return requested < 0 ? INT64_MAX : requested;
}

// The message of an evaluation that went over `budget`.
inline std::string OverBudgetMessage(int64_t budget) {
  return "the evaluation went over its budget of " + std::to_string(budget) +
         " collection elements visited (nested quantifiers multiply); raise it with --budget N "
         "(EvalOptions::budget, budget= in Python), or -1 for no limit";
}

}  // namespace proviso

#endif  // PROVISO_COMPILER_SUPPORT_BUDGET_H_

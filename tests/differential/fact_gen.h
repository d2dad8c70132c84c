// Random facts for differential testing (reference interpreter against the JIT): facts valid for a
// policy's input schema, written as a user would write them in JSON, and biased towards the
// thresholds the policy tests so that both sides of every comparison are exercised.
#ifndef PROVISO_TESTS_DIFFERENTIAL_FACT_GEN_H_
#define PROVISO_TESTS_DIFFERENTIAL_FACT_GEN_H_

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/ir/ir.h"

namespace proviso::testing {

// `n` random facts (JSON objects, exactly as a user would write them) valid for the input schema of
// `p`: each one passes interp::FactsFromJson(facts, p). Deterministic for a given `seed` (on every
// platform: no std distributions). Biased to hit thresholds: for every int, decimal, date and
// duration constant of the policy (in lets, rules, functions, tables, obligations, param versions,
// field defaults and test `set`s) it emits that value and its neighbours (±1, ±0.000001 and ±1 for
// decimals, ±1 day, ±1 month for month-based durations); dates are also generated as an anchor date
// of the fact plus or minus a duration constant (±1 day), so that differences of two date facts hit
// the duration thresholds (`deleted_on - ended_on < 30 days`); every enum value; texts from the
// policy's text constants plus a few others; optional fields absent or null ~20% of the time and
// fields with a default omitted ~25%; lists and sets of 0-4 elements; dates within a few years of
// the policy's dates. Durations are month-based only when the policy has month-based constants.
// Pure: safe to call from several threads.
std::vector<nlohmann::json> GenerateFacts(const ir::Program& p, int n, uint64_t seed);

// `n` random param overrides (JSON objects: param name -> value, as `--set` takes them; a param left
// out keeps its own value), drawn like facts from the policy's constants; durations are also whole
// months (with or without days) 40% of the time, so that code adding months runs.
std::vector<nlohmann::json> GenerateParams(const ir::Program& p, int n, uint64_t seed);

// Interesting evaluation dates (day numbers, sorted, unique): each effective-from/until boundary
// (of the policy, param versions, rules and obligations) and each constant date of the policy, with
// the day before and the day after. Never empty: a policy without any date gets 2020-01-01.
std::vector<int64_t> InterestingDates(const ir::Program& p);

}  // namespace proviso::testing

#endif  // PROVISO_TESTS_DIFFERENTIAL_FACT_GEN_H_

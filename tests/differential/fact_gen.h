// Random facts for differential testing (reference interpreter against the JIT): facts valid for a
// policy's input schema, written as a user would write them in JSON, and biased towards the
// thresholds the policy tests so that both sides of every comparison are exercised; and the
// evaluation instants to judge them at.
#ifndef PROVISO_TESTS_DIFFERENTIAL_FACT_GEN_H_
#define PROVISO_TESTS_DIFFERENTIAL_FACT_GEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/ir/ir.h"

namespace proviso::testing {

// `n` random facts (JSON objects, exactly as a user would write them) valid for the input schema of
// `p`: each one passes interp::FactsFromJson(facts, p). Deterministic for a given `seed` (on every
// platform: no std distributions). Biased to hit thresholds:
// - Constants: for every int, decimal, date, datetime and duration constant of the policy (in lets,
//   rules, functions, tables, obligations and all their clauses, `for each` scopes, param versions,
//   field defaults and test `set`s) it emits that value and its neighbours (±1, ±0.000001 and ±1
//   for decimals, ±1 day for dates, ±1 s for datetimes, ±1 day or ±1 s for durations, ±1 month for
//   month-based durations; ±1 s also around day-based durations when the policy computes with
//   instants, so `72 hours` gives 259199, 259200 and 259201 seconds).
// - Anchors: each fact set has an anchor date and an anchor instant on that day (often at 00:00:00
//   or 23:59:59); dates are often the anchor moved by a duration constant (±1 day), datetimes the
//   anchor instant moved by a duration constant (±1 s), so that differences of two facts, and
//   deadlines `D after fact`, hit the durations (`deleted_on - ended_on < 30 days`).
// - Calendar edges: dates at month ends (28/29/30/31 and the day after), 29 February, 31 December and
//   1 January; for a policy that imports a working-day calendar, the first and last days it covers
//   and its holidays and make-up working days (±1 day).
// - Datetimes: also the first and last seconds of constant dates and of random dates; written with
//   `Z` or an offset (+08:00, -05:30, ...), sometimes with a `.000` fraction or without seconds.
// - Durations: day-based ones as "30 days" or ISO "P30D"; when the policy computes with instants,
//   also hours, minutes and seconds ("72 hours", "PT72H", "P1DT2H30M5S", "90 minutes").
// - Roles of ints: an int field counted in working days (`n working days after d`) is often 0,
//   negative, or minus a constant; ints given to `date(y, m, d)` and `datetime(d, h, m, s)` are
//   biased to the edges of their ranges (months 0/1/12/13, days 28..32, hours 23/24, 59/60 ...).
// - Deadlines: 40% of fact sets of a policy whose obligations say `done at F`/`deleted at F` with F a
//   fact have F (when given) moved onto the obligation's deadline as the interpreter computes it
//   (the due dates of a recurring one), ±1 day or ±1 s.
// - Unknown facts: 30% of fact sets leave facts out (not known): each field without a default with
//   probability 12%, a bool 35%, at any depth (a record's fields, a list's elements' fields).
// - Every enum value; texts from the policy's text constants plus a few others; optional fields
//   null (known absent) ~20% of the time and fields with a default omitted ~25%; lists and sets of
//   0-4 elements; dates within a few years of the policy's dates (and of its calendars' years).
//   Durations are month-based only when the policy has month-based constants.
// Pure: safe to call from several threads.
std::vector<nlohmann::json> GenerateFacts(const ir::Program& p, int n, uint64_t seed);

// `n` random param overrides (JSON objects: param name -> value, as `--set` takes them; a param left
// out keeps its own value), drawn like facts from the policy's constants; durations are also whole
// months (with or without days) 40% of the time, so that code adding months runs.
std::vector<nlohmann::json> GenerateParams(const ir::Program& p, int n, uint64_t seed);

// Interesting evaluation dates (day numbers, sorted, unique): each effective-from/until boundary
// (of the policy, param versions, rules and obligations), each constant date of the policy, the due
// dates of recurring deadlines with constant periods (the first 12) and the first and last days of
// each calendar, with the day before and the day after. Never empty: a policy without any date gets
// 2020-01-01.
std::vector<int64_t> InterestingDates(const ir::Program& p);

// Interesting evaluation instants (seconds since 1970 UTC, sorted, unique): 00:00:00 and 23:59:59
// of every interesting date, and every datetime constant of the policy with the second before and
// the second after.
std::vector<int64_t> InterestingInstants(const ir::Program& p);

// One evaluation instant per fact set of `facts` (as interp::FactsFromJson gives them): the
// interesting instants in turn, but for about half of the fact sets of a policy with deadlines the
// instant is moved next to the deadline of one obligation that applies to that fact set (as the
// interpreter computes it): an instant deadline ±1 s, a date deadline's 00:00:00 and 23:59:59, the
// second before and the day after; so that each is judged pending and overdue (met and breached).
// Deterministic for a given `seed`.
std::vector<int64_t> EvaluationInstants(const ir::Program& p, const std::vector<Value>& facts, uint64_t seed);

// The policies of policies/cn, tests/golden/good, tests/conformance/dmn and bench, and of the folder
// PROVISO_DIFFERENTIAL_DIR names if set (e.g. generated programs, to run them through every engine
// and tier), sorted: the corpus of the differential tests.
std::vector<std::string> Corpus();

}  // namespace proviso::testing

#endif  // PROVISO_TESTS_DIFFERENTIAL_FACT_GEN_H_

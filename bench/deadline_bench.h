// bench/deadline_bench.cc's entry for the bench's main (policy_bench.cc).
#ifndef PROVISO_BENCH_DEADLINE_BENCH_H_
#define PROVISO_BENCH_DEADLINE_BENCH_H_

namespace proviso::bench {

// Aborts unless the hand-written deadline baseline decides as the policy does on the sample rows.
void CheckDeadlineBaseline();

}  // namespace proviso::bench

#endif  // PROVISO_BENCH_DEADLINE_BENCH_H_

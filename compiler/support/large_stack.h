// Runs a function on a thread with a large stack, for the recursive compiler stages and
// the interpreter on deeply nested policies, whatever stack the caller's thread has.
#ifndef PROVISO_COMPILER_SUPPORT_LARGE_STACK_H_
#define PROVISO_COMPILER_SUPPORT_LARGE_STACK_H_

#include <pthread.h>

#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace proviso {

// Calls f() on a fresh thread with `stack_bytes` of stack (reserved, committed only as used) and
// returns its result; an exception thrown by f is rethrown here. Falls back to calling f directly
// if the thread cannot be created.
template <typename F>
auto OnLargeStack(F f, size_t stack_bytes = size_t{256} << 20) -> decltype(f()) {
  using R = decltype(f());
  struct Job {
    F* f;
    std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> result;
    std::exception_ptr error;
  } job{&f, std::nullopt, nullptr};
  auto run = [](void* p) -> void* {
    auto* j = static_cast<Job*>(p);
    try {
      if constexpr (std::is_void_v<R>) {
        (*j->f)();
        j->result = true;
      } else {
        j->result.emplace((*j->f)());
      }
    } catch (...) {
      j->error = std::current_exception();
    }
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_t thread;
  bool started = pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, stack_bytes) == 0 &&
                 pthread_create(&thread, &attr, run, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return f();
  pthread_join(thread, nullptr);
  if (job.error) std::rethrow_exception(job.error);
  if constexpr (!std::is_void_v<R>) return std::move(*job.result);
}

}  // namespace proviso

#endif  // PROVISO_COMPILER_SUPPORT_LARGE_STACK_H_

// Internal: the C++ header of a policy's typed facts and outputs (`proviso compile --emit=cpp`).
#ifndef PROVISO_RUNTIME_SRC_EMIT_CPP_H_
#define PROVISO_RUNTIME_SRC_EMIT_CPP_H_

#include <cstdint>
#include <string>

#include "runtime/src/policy_impl.h"

namespace proviso {

// The header for `impl`'s policy, bound to its layout by its hash (Policy::LayoutHash()). Throws
// Error for a policy without native code.
std::string EmitCpp(const Policy::Impl& impl);

}  // namespace proviso

#endif  // PROVISO_RUNTIME_SRC_EMIT_CPP_H_

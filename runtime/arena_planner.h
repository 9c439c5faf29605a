// Offset planning for the activation arena: every non-constant tensor (and
// per-op scratch buffer) gets an offset in one allocation; tensors whose
// lifetimes do not overlap may share bytes.
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/status.h"

namespace qrun {

// Lifetime in op indices, inclusive: the buffer is live from the op that
// writes it (first_use) through the last op that reads it (last_use).
struct BufferRequest {
  size_t size = 0;
  int first_use = 0;
  int last_use = 0;
};

struct ArenaPlan {
  std::vector<size_t> offsets;  // one per request, multiples of the alignment
  size_t arena_bytes = 0;       // total size needed
};

// Plans offsets so that no two requests with overlapping lifetimes overlap in
// memory. Sizes are rounded up to `alignment`, which must be a power of two;
// zero-size requests get offset 0 and take no space. The result is
// deterministic (same requests, same plan) and usually equals
// ArenaLowerBound on CNN-shaped graphs. Cost is O(n^2) in the request count.
// Fails only on invalid requests or size overflow:
//   QRUN_ERROR_INVALID_ARGUMENT  bad alignment, null plan, a negative op index
//                                or first_use > last_use;
//   QRUN_ERROR_INVALID_MODEL     "arena size overflows": the arena cannot be
//                                addressed with size_t.
// On failure *plan is left unchanged.
Status PlanArena(const std::vector<BufferRequest>& requests, size_t alignment, ArenaPlan* plan);

// The peak over time of the sum of live (aligned) sizes: no plan can be smaller.
// Requests PlanArena would reject for their lifetimes are ignored, an invalid
// alignment counts as 1, and the result saturates at SIZE_MAX on overflow.
size_t ArenaLowerBound(const std::vector<BufferRequest>& requests, size_t alignment);

}  // namespace qrun

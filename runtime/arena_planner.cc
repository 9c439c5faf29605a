#include "runtime/arena_planner.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace qrun {
namespace {

constexpr size_t kSizeMax = std::numeric_limits<size_t>::max();

// Greedy passes per starting order. Real graphs almost always reach the lower
// bound (and stop) within a few passes; more passes barely help random ones.
constexpr int kPassesPerStart = 8;

bool IsPowerOfTwo(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Rounds size up to a multiple of alignment (a power of two). Returns false
// instead of wrapping around when the result does not fit in size_t.
bool AlignUp(size_t size, size_t alignment, size_t* out) {
  if (size > kSizeMax - (alignment - 1)) return false;
  *out = (size + alignment - 1) & ~(alignment - 1);
  return true;
}

bool IsValidLifetime(const BufferRequest& r) { return r.first_use >= 0 && r.first_use <= r.last_use; }

bool LiveAt(const BufferRequest& r, int64_t time) { return r.first_use <= time && time <= r.last_use; }

bool LifetimesOverlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}

// offset + size > limit, without computing offset + size.
bool EndsAbove(size_t offset, size_t size, size_t limit) {
  return offset > limit || size > limit - offset;
}

Status ValidateRequests(const std::vector<BufferRequest>& requests) {
  for (size_t i = 0; i < requests.size(); ++i) {
    const BufferRequest& r = requests[i];
    if (r.first_use < 0 || r.last_use < 0) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "arena request ", i, " has a negative op index (",
                   r.first_use, "..", r.last_use, ")");
    }
    if (r.first_use > r.last_use) {
      return Error(QRUN_ERROR_INVALID_ARGUMENT, "arena request ", i, " ends before it starts (",
                   r.first_use, "..", r.last_use, ")");
    }
  }
  return Status::Ok();
}

Status AlignedSizes(const std::vector<BufferRequest>& requests, size_t alignment,
                    std::vector<size_t>* sizes) {
  sizes->resize(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!AlignUp(requests[i].size, alignment, &(*sizes)[i])) {
      return InvalidModel("arena size overflows: request ", i, " of ", requests[i].size,
                          " bytes cannot be aligned to ", alignment);
    }
  }
  return Status::Ok();
}

// Peak over time of the summed `sizes` of live requests (invalid lifetimes
// are skipped). Returns false if that sum exceeds SIZE_MAX at `*peak_time`.
bool PeakLiveBytes(const std::vector<BufferRequest>& requests, const std::vector<size_t>& sizes,
                   size_t* peak, int64_t* peak_time) {
  // Sweep over op indices: +size where a buffer starts, -size one step after
  // its last use. Ends sort before starts at the same step, as lifetimes are
  // inclusive: a buffer ending at t-1 and one starting at t never coexist.
  struct Event {
    int64_t time;
    bool is_start;
    size_t size;
  };
  std::vector<Event> events;
  events.reserve(2 * requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const BufferRequest& r = requests[i];
    if (!IsValidLifetime(r) || sizes[i] == 0) continue;
    events.push_back({r.first_use, true, sizes[i]});
    events.push_back({static_cast<int64_t>(r.last_use) + 1, false, sizes[i]});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    return !a.is_start && b.is_start;
  });
  size_t live = 0;
  *peak = 0;
  *peak_time = 0;
  for (const Event& e : events) {
    if (!e.is_start) {
      live -= e.size;
      continue;
    }
    if (live > kSizeMax - e.size) {
      *peak = kSizeMax;
      *peak_time = e.time;
      return false;
    }
    live += e.size;
    if (live > *peak) {
      *peak = live;
      *peak_time = e.time;
    }
  }
  return true;
}

// Greedy-by-size order: big buffers are hardest to fit into gaps, so they go
// first; among equal sizes the longer-lived one constrains more. The index
// breaks remaining ties so the plan never depends on sort internals.
std::vector<size_t> SizeOrder(const std::vector<BufferRequest>& requests,
                              const std::vector<size_t>& sizes) {
  std::vector<size_t> order;
  order.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (sizes[i] != 0) order.push_back(i);  // empty buffers are never placed
  }
  auto span = [&](size_t i) {
    return static_cast<int64_t>(requests[i].last_use) - requests[i].first_use;
  };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (sizes[a] != sizes[b]) return sizes[a] > sizes[b];
    if (span(a) != span(b)) return span(a) > span(b);
    return a < b;
  });
  return order;
}

// Greedy-by-breadth order: visit op steps from the most crowded down and take
// the not-yet-taken buffers live there, largest first. Packing the busiest
// steps first often suits irregular lifetimes better than pure size order.
std::vector<size_t> BreadthOrder(const std::vector<BufferRequest>& requests,
                                 const std::vector<size_t>& sizes) {
  const std::vector<size_t> by_size = SizeOrder(requests, sizes);
  struct Step {
    int time;
    size_t breadth;  // saturating sum of live sizes; only used for ranking
  };
  // Live sums only rise where a buffer starts, so those steps suffice.
  std::vector<Step> steps;
  steps.reserve(by_size.size());
  for (size_t i : by_size) {
    Step step{requests[i].first_use, 0};
    for (size_t j : by_size) {
      if (!LiveAt(requests[j], step.time)) continue;
      step.breadth = step.breadth > kSizeMax - sizes[j] ? kSizeMax : step.breadth + sizes[j];
    }
    steps.push_back(step);
  }
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
    if (a.breadth != b.breadth) return a.breadth > b.breadth;
    return a.time < b.time;
  });
  std::vector<size_t> order;
  order.reserve(by_size.size());
  std::vector<bool> taken(requests.size(), false);
  for (const Step& step : steps) {
    for (size_t i : by_size) {
      if (taken[i] || !LiveAt(requests[i], step.time)) continue;
      taken[i] = true;
      order.push_back(i);
    }
  }
  return order;
}

struct Placed {
  size_t offset;
  size_t end;  // offset + aligned size
  size_t index;
};

// Best-fit search among the buffers already placed (kept sorted by offset):
// only those whose lifetimes overlap `request` are obstacles. Returns the
// start of the smallest gap that holds `size`, else the end of the highest
// obstacle. Everything placed is aligned, so every candidate is aligned.
size_t FindOffset(const std::vector<Placed>& placed, const std::vector<BufferRequest>& requests,
                  const BufferRequest& request, size_t size) {
  size_t prev_end = 0;
  size_t best_offset = 0;
  size_t best_gap = kSizeMax;
  bool found = false;
  for (const Placed& p : placed) {
    if (!LifetimesOverlap(requests[p.index], request)) continue;
    if (p.offset > prev_end) {
      size_t gap = p.offset - prev_end;
      if (gap >= size && (!found || gap < best_gap)) {
        found = true;
        best_gap = gap;
        best_offset = prev_end;
      }
    }
    prev_end = std::max(prev_end, p.end);
  }
  return found ? best_offset : prev_end;
}

// One greedy pass: places buffers one by one in `order`; buffers not in the
// order keep offset 0. Appends to `too_high` (in placement order) every
// buffer that ends above `target` or cannot be placed at all. Returns false
// if an end offset would overflow size_t.
bool PlaceInOrder(const std::vector<BufferRequest>& requests, const std::vector<size_t>& sizes,
                  const std::vector<size_t>& order, size_t target, ArenaPlan* plan,
                  std::vector<size_t>* too_high) {
  plan->offsets.assign(requests.size(), 0);
  plan->arena_bytes = 0;
  std::vector<Placed> placed;
  placed.reserve(order.size());
  auto by_offset = [](const Placed& a, const Placed& b) { return a.offset < b.offset; };
  for (size_t i : order) {
    size_t offset = FindOffset(placed, requests, requests[i], sizes[i]);
    if (EndsAbove(offset, sizes[i], kSizeMax)) {
      too_high->push_back(i);
      return false;
    }
    if (EndsAbove(offset, sizes[i], target)) too_high->push_back(i);
    Placed p{offset, offset + sizes[i], i};
    placed.insert(std::upper_bound(placed.begin(), placed.end(), p, by_offset), p);
    plan->offsets[i] = offset;
    plan->arena_bytes = std::max(plan->arena_bytes, p.end);
  }
  return true;
}

// Moves `first` (a subset of `order`, whose entries are < n) to the front,
// keeping the relative order of everything else.
std::vector<size_t> Promote(const std::vector<size_t>& order, const std::vector<size_t>& first,
                            size_t n) {
  std::vector<bool> is_first(n, false);
  for (size_t i : first) is_first[i] = true;
  std::vector<size_t> result = first;
  result.reserve(order.size());
  for (size_t i : order) {
    if (!is_first[i]) result.push_back(i);
  }
  return result;
}

// "Squeaky wheel" refinement of a greedy order: after each pass the buffers
// that ended above `target` (the lower bound) move to the front, so the next
// pass gives them low offsets and fits the rest around them. This fixes the
// typical greedy failure on chains, where equal-sized neighbours stack three
// high instead of alternating. Keeps the best plan; stops once it reaches
// `target`, which is optimal. Returns false if no pass fit in size_t.
bool RefineOrder(const std::vector<BufferRequest>& requests, const std::vector<size_t>& sizes,
                 std::vector<size_t> order, size_t target, ArenaPlan* best) {
  bool found = false;
  for (int pass = 0; pass < kPassesPerStart; ++pass) {
    ArenaPlan candidate;
    std::vector<size_t> too_high;
    if (PlaceInOrder(requests, sizes, order, target, &candidate, &too_high)) {
      if (!found || candidate.arena_bytes < best->arena_bytes) *best = std::move(candidate);
      found = true;
    }
    if (too_high.empty()) break;
    order = Promote(order, too_high, requests.size());
  }
  return found;
}

}  // namespace

Status PlanArena(const std::vector<BufferRequest>& requests, size_t alignment, ArenaPlan* plan) {
  if (plan == nullptr) return Error(QRUN_ERROR_INVALID_ARGUMENT, "PlanArena: plan is null");
  if (!IsPowerOfTwo(alignment)) {
    return Error(QRUN_ERROR_INVALID_ARGUMENT, "arena alignment ", alignment,
                 " is not a power of two");
  }
  QRUN_RETURN_IF_ERROR(ValidateRequests(requests));
  std::vector<size_t> sizes;
  QRUN_RETURN_IF_ERROR(AlignedSizes(requests, alignment, &sizes));
  size_t target;
  int64_t peak_time;
  if (!PeakLiveBytes(requests, sizes, &target, &peak_time)) {
    return InvalidModel("arena size overflows: buffers live at op ", peak_time,
                        " need more than SIZE_MAX bytes");
  }

  // Neither starting order dominates the other; keep the smaller plan (the
  // first on a tie, so the result is deterministic).
  bool found = false;
  ArenaPlan best;
  for (int start = 0; start < 2; ++start) {
    std::vector<size_t> order =
        start == 0 ? SizeOrder(requests, sizes) : BreadthOrder(requests, sizes);
    ArenaPlan candidate;
    if (!RefineOrder(requests, sizes, std::move(order), target, &candidate)) continue;
    if (!found || candidate.arena_bytes < best.arena_bytes) best = std::move(candidate);
    found = true;
    if (best.arena_bytes <= target) break;  // already optimal
  }
  if (!found) {
    return InvalidModel("arena size overflows: no placement of ", requests.size(),
                        " buffers fits below SIZE_MAX bytes");
  }
  *plan = std::move(best);
  return Status::Ok();
}

size_t ArenaLowerBound(const std::vector<BufferRequest>& requests, size_t alignment) {
  if (!IsPowerOfTwo(alignment)) alignment = 1;
  std::vector<size_t> sizes(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!IsValidLifetime(requests[i])) continue;  // size 0: skipped, PlanArena rejects these
    if (!AlignUp(requests[i].size, alignment, &sizes[i])) return kSizeMax;
  }
  size_t peak;
  int64_t peak_time;
  PeakLiveBytes(requests, sizes, &peak, &peak_time);  // saturates at SIZE_MAX on overflow
  return peak;
}

}  // namespace qrun

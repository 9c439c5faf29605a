// Splitting a 1-D range of independent work items over pthreadpool for the
// element-wise and pooling ops: small ranges run inline on the caller (the
// pool's wake-up costs more than they do); results never depend on the split.
#pragma once

#include <pthreadpool.h>

#include <cstddef>

namespace qrun::kernels {

// Calls task(ctx, start, count) over [0, n): directly when the pool has one
// thread or n < 2 * min_tile, else in about two tiles per thread, each at
// least min_tile items.
inline void ParallelTiles(pthreadpool_t pool, size_t n, size_t min_tile,
                          pthreadpool_task_1d_tile_1d_t task, void* ctx) {
  if (n == 0) return;
  const size_t threads = pool != nullptr ? pthreadpool_get_threads_count(pool) : 1;
  if (threads <= 1 || n < 2 * min_tile) {
    task(ctx, 0, n);
    return;
  }
  size_t tile = (n + 2 * threads - 1) / (2 * threads);
  if (tile < min_tile) tile = min_tile;
  pthreadpool_parallelize_1d_tile_1d(pool, task, ctx, n, tile, 0);
}

}  // namespace qrun::kernels

#include "kernels/reference/binary.h"

#include <algorithm>

#include "kernels/requantize.h"

namespace qrun::kernels::ref {
namespace {

// Drops size-1 dims and merges neighbouring dims that both inputs traverse
// contiguously, so the innermost loop is as long as possible. Same-shape
// inputs become one row, a per-channel vector against NHWC becomes
// [N*H*W][C]. The row-major visiting order of the output is unchanged.
BroadcastGeometry coalesce(const BroadcastGeometry& g) {
  BroadcastGeometry c;
  for (int d = 0; d < g.rank; ++d) {
    const int64_t n = g.out_dims[d];
    if (n == 1) continue;
    if (c.rank > 0) {
      const int last = c.rank - 1;
      if (c.a_strides[last] == g.a_strides[d] * n && c.b_strides[last] == g.b_strides[d] * n) {
        c.out_dims[last] *= n;
        c.a_strides[last] = g.a_strides[d];
        c.b_strides[last] = g.b_strides[d];
        continue;
      }
    }
    c.out_dims[c.rank] = n;
    c.a_strides[c.rank] = g.a_strides[d];
    c.b_strides[c.rank] = g.b_strides[d];
    ++c.rank;
  }
  return c;
}

// Calls row(out_index, a_index, b_index, count, a_step, b_step) once per
// innermost row of the output, in row-major order.
template <typename RowFn>
void for_each_row(const BroadcastGeometry& geometry, RowFn&& row) {
  if (geometry.rank < 0 || geometry.rank > kMaxRank) return;
  for (int d = 0; d < geometry.rank; ++d) {
    if (geometry.out_dims[d] <= 0) return;  // empty output
  }
  const BroadcastGeometry g = coalesce(geometry);
  if (g.rank == 0) {  // a single element
    row(int64_t{0}, int64_t{0}, int64_t{0}, int64_t{1}, int64_t{0}, int64_t{0});
    return;
  }
  const int inner = g.rank - 1;
  const int64_t n = g.out_dims[inner];
  int64_t idx[kMaxRank] = {};
  int64_t out = 0, a = 0, b = 0;
  for (;;) {
    row(out, a, b, n, g.a_strides[inner], g.b_strides[inner]);
    out += n;
    // Odometer over the outer dims; a and b follow their strides.
    int d = inner - 1;
    for (; d >= 0; --d) {
      a += g.a_strides[d];
      b += g.b_strides[d];
      if (++idx[d] < g.out_dims[d]) break;
      a -= g.a_strides[d] * g.out_dims[d];
      b -= g.b_strides[d] * g.out_dims[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

// output[i] = op(a[i], b[i]) over the broadcast; the common contiguous and
// scalar-operand rows get their own loops so the compiler can vectorise them.
template <typename TA, typename TB, typename TO, typename Op>
void broadcast_apply(const BroadcastGeometry& g, const TA* a, const TB* b, TO* output, Op op) {
  for_each_row(g, [&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t sa, int64_t sb) {
    const TA* pa = a + ia;
    const TB* pb = b + ib;
    TO* po = output + o;
    if (sa == 1 && sb == 1) {
      for (int64_t i = 0; i < n; ++i) po[i] = op(pa[i], pb[i]);
    } else if (sa == 1 && sb == 0) {
      for (int64_t i = 0; i < n; ++i) po[i] = op(pa[i], *pb);
    } else if (sa == 0 && sb == 1) {
      for (int64_t i = 0; i < n; ++i) po[i] = op(*pa, pb[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) po[i] = op(pa[i * sa], pb[i * sb]);
    }
  });
}

// Comparisons written so that NaN passes through unclamped.
inline float clamp_f32(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace

void add_s8(const BroadcastGeometry& g, const int8_t* a, int32_t a_zero_point, float a_scale,
            const int8_t* b, int32_t b_zero_point, float b_scale, const QuantizedOutput& out,
            int8_t* output) {
  broadcast_apply(g, a, b, output, [&](int8_t x, int8_t y) {
    // Two separate products then the sum: the documented order, no FMA.
    const float fa = static_cast<float>(x - a_zero_point) * a_scale;
    const float fb = static_cast<float>(y - b_zero_point) * b_scale;
    return static_cast<int8_t>(requantize_float(fa + fb, out.zero_point, out.qmin, out.qmax));
  });
}

void mul_s8(const BroadcastGeometry& g, const int8_t* a, int32_t a_zero_point, const int8_t* b,
            int32_t b_zero_point, float scale, const QuantizedOutput& out, int8_t* output) {
  broadcast_apply(g, a, b, output, [&](int8_t x, int8_t y) {
    const int32_t acc = (x - a_zero_point) * (y - b_zero_point);  // |acc| <= 255 * 255
    return static_cast<int8_t>(requantize(acc, scale, out.zero_point, out.qmin, out.qmax));
  });
}

void add_f32(const BroadcastGeometry& g, const float* a, const float* b, float out_min,
             float out_max, float* output) {
  broadcast_apply(g, a, b, output,
                  [&](float x, float y) { return clamp_f32(x + y, out_min, out_max); });
}

void mul_f32(const BroadcastGeometry& g, const float* a, const float* b, float out_min,
             float out_max, float* output) {
  broadcast_apply(g, a, b, output,
                  [&](float x, float y) { return clamp_f32(x * y, out_min, out_max); });
}

bool make_broadcast_geometry(const int64_t* a_dims, int a_rank, const int64_t* b_dims, int b_rank,
                             BroadcastGeometry* g) {
  if (g == nullptr || a_rank < 0 || b_rank < 0 || a_rank > kMaxRank || b_rank > kMaxRank) {
    return false;
  }
  const int rank = std::max(a_rank, b_rank);
  BroadcastGeometry r;
  r.rank = rank;
  int64_t a_stride = 1, b_stride = 1;  // row-major strides of each input's own shape
  // Walk from the innermost dim; missing leading dims of the shorter shape are 1.
  for (int d = rank - 1; d >= 0; --d) {
    const int ad = d - (rank - a_rank);
    const int bd = d - (rank - b_rank);
    const int64_t an = ad >= 0 ? a_dims[ad] : 1;
    const int64_t bn = bd >= 0 ? b_dims[bd] : 1;
    if (an < 0 || bn < 0) return false;
    int64_t n = 0;
    if (an == bn || bn == 1) {
      n = an;
    } else if (an == 1) {
      n = bn;
    } else {
      return false;
    }
    r.out_dims[d] = n;
    r.a_strides[d] = an == 1 ? 0 : a_stride;
    r.b_strides[d] = bn == 1 ? 0 : b_stride;
    a_stride *= an;
    b_stride *= bn;
  }
  *g = r;
  return true;
}

}  // namespace qrun::kernels::ref

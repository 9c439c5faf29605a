// Reference pooling, NHWC.
//
// Window of output row oy (columns likewise):
//   rows [oy * stride_h - pad_top, oy * stride_h - pad_top + kernel_h)
// Only the part inside the image [0, in_h) is ever read.
//
// Average-pool divisor, exact definition (ONNX AveragePool semantics):
//   the padded image is rows [-pad_top, in_h + pad_bottom) and columns
//   [-pad_left, in_w + pad_right), with the model's explicit pads.
//   count_include_pad: divisor = window rows inside the padded image
//                                * window columns inside the padded image
//   otherwise:         divisor = window rows inside [0, in_h)
//                                * window columns inside [0, in_w)
//   With ceil_mode the last window may overhang the end pad; its overhanging
//   cells never count, as in ONNX.
//
// int8 average: acc = sum (x - input_zero_point) over the in-image cells
// (int32), y = requantize(acc, scale / (float)divisor, ...), the division done
// in float32 exactly like that so optimized kernels can reproduce it.
//
// A window with no in-image cell cannot occur for a valid geometry (pads
// smaller than the kernel); if one does, nothing is read and the result is
// the lower clamp for max pooling and the zero point (clamped) for average.
#include "kernels/reference/pooling.h"

#include <algorithm>

#include "kernels/requantize.h"

namespace qrun::kernels::ref {
namespace {

// Half-open range [begin, end) of input coordinates.
struct Range {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t size() const { return end > begin ? end - begin : 0; }
};

// Part of [start, start + size) that lies inside [lo, hi).
Range clip(int64_t start, int64_t size, int64_t lo, int64_t hi) {
  return {std::max(start, lo), std::min(start + size, hi)};
}

// One output pixel's window: the in-image part and the divisor to use.
struct Window {
  Range rows, cols;  // in-image cells
  int64_t divisor = 0;
};

// Precomputed per-geometry values so the per-pixel work stays small.
struct WindowMaker {
  const Pool2DGeometry& g;
  bool count_include_pad;
  int64_t pad_bottom;
  int64_t pad_right;

  WindowMaker(const Pool2DGeometry& geometry, bool include_pad)
      : g(geometry),
        count_include_pad(include_pad),
        pad_bottom(g.pad_bottom),
        pad_right(g.pad_right) {}

  Window at(int oy, int ox) const {
    const int64_t y0 = static_cast<int64_t>(oy) * g.stride_h - g.pad_top;
    const int64_t x0 = static_cast<int64_t>(ox) * g.stride_w - g.pad_left;
    Window w;
    w.rows = clip(y0, g.kernel_h, 0, g.in_h);
    w.cols = clip(x0, g.kernel_w, 0, g.in_w);
    if (count_include_pad) {
      const Range pr = clip(y0, g.kernel_h, -g.pad_top, g.in_h + pad_bottom);
      const Range pc = clip(x0, g.kernel_w, -g.pad_left, g.in_w + pad_right);
      w.divisor = pr.size() * pc.size();
    } else {
      w.divisor = w.rows.size() * w.cols.size();
    }
    return w;
  }
};

// Calls f(window, input_pixel_base, output_pixel_base) for every output pixel;
// bases are element offsets of channel 0.
template <typename F>
void for_each_window(const Pool2DGeometry& g, bool count_include_pad, F&& f) {
  const WindowMaker maker(g, count_include_pad);
  for (int n = 0; n < g.batch; ++n) {
    const int64_t in_image = static_cast<int64_t>(n) * g.in_h * g.in_w * g.channels;
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int64_t out_base =
            ((static_cast<int64_t>(n) * g.out_h + oy) * g.out_w + ox) * g.channels;
        f(maker.at(oy, ox), in_image, out_base);
      }
    }
  }
}

// Calls f(input_index) for channel c of every in-image cell of the window,
// row-major (kh, kw).
template <typename F>
void for_each_cell(const Pool2DGeometry& g, const Window& w, int64_t in_image, int c, F&& f) {
  for (int64_t y = w.rows.begin; y < w.rows.end; ++y)
    for (int64_t x = w.cols.begin; x < w.cols.end; ++x)
      f(in_image + (y * g.in_w + x) * g.channels + c);
}

float clamp_float(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

int8_t average_s8(int32_t acc, int64_t divisor, float scale, const QuantizedOutput& out) {
  if (divisor <= 0) {
    return static_cast<int8_t>(requantize_float(0.0f, out.zero_point, out.qmin, out.qmax));
  }
  const float s = scale / static_cast<float>(divisor);
  return static_cast<int8_t>(requantize(acc, s, out.zero_point, out.qmin, out.qmax));
}

float average_f32(float sum, int64_t divisor, float out_min, float out_max) {
  const float mean = divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f;
  return clamp_float(mean, out_min, out_max);
}

}  // namespace

void max_pool_s8(const Pool2DGeometry& g, const int8_t* input, const QuantizedOutput& out,
                 int8_t* output) {
  for_each_window(g, false, [&](const Window& w, int64_t in_image, int64_t out_base) {
    for (int c = 0; c < g.channels; ++c) {
      int32_t m = out.qmin;  // the result for an empty window; clamping makes it a no-op otherwise
      for_each_cell(g, w, in_image, c, [&](int64_t i) { m = std::max<int32_t>(m, input[i]); });
      output[out_base + c] = static_cast<int8_t>(std::min(m, out.qmax));
    }
  });
}

void max_pool_f32(const Pool2DGeometry& g, const float* input, float out_min, float out_max,
                  float* output) {
  for_each_window(g, false, [&](const Window& w, int64_t in_image, int64_t out_base) {
    for (int c = 0; c < g.channels; ++c) {
      bool any = false;
      float m = 0.0f;
      for_each_cell(g, w, in_image, c, [&](int64_t i) {
        if (!any || input[i] > m) m = input[i];
        any = true;
      });
      output[out_base + c] = any ? clamp_float(m, out_min, out_max) : out_min;
    }
  });
}

void average_pool_s8(const Pool2DGeometry& g, bool count_include_pad, const int8_t* input,
                     int32_t input_zero_point, float scale, const QuantizedOutput& out,
                     int8_t* output) {
  for_each_window(g, count_include_pad, [&](const Window& w, int64_t in_image, int64_t out_base) {
    for (int c = 0; c < g.channels; ++c) {
      int32_t acc = 0;
      for_each_cell(g, w, in_image, c, [&](int64_t i) { acc += input[i] - input_zero_point; });
      output[out_base + c] = average_s8(acc, w.divisor, scale, out);
    }
  });
}

void average_pool_f32(const Pool2DGeometry& g, bool count_include_pad, const float* input,
                      float out_min, float out_max, float* output) {
  for_each_window(g, count_include_pad, [&](const Window& w, int64_t in_image, int64_t out_base) {
    for (int c = 0; c < g.channels; ++c) {
      float sum = 0.0f;
      for_each_cell(g, w, in_image, c, [&](int64_t i) { sum += input[i]; });
      output[out_base + c] = average_f32(sum, w.divisor, out_min, out_max);
    }
  });
}

void global_average_pool_s8(int batch, int hw, int channels, const int8_t* input,
                            int32_t input_zero_point, float scale, const QuantizedOutput& out,
                            int8_t* output) {
  for (int n = 0; n < batch; ++n) {
    const int8_t* x = input + static_cast<int64_t>(n) * hw * channels;
    for (int c = 0; c < channels; ++c) {
      int32_t acc = 0;
      for (int64_t p = 0; p < hw; ++p) acc += x[p * channels + c] - input_zero_point;
      output[static_cast<int64_t>(n) * channels + c] = average_s8(acc, hw, scale, out);
    }
  }
}

void global_average_pool_f32(int batch, int hw, int channels, const float* input,
                             float out_min, float out_max, float* output) {
  for (int n = 0; n < batch; ++n) {
    const float* x = input + static_cast<int64_t>(n) * hw * channels;
    for (int c = 0; c < channels; ++c) {
      float sum = 0.0f;
      for (int64_t p = 0; p < hw; ++p) sum += x[p * channels + c];
      output[static_cast<int64_t>(n) * channels + c] = average_f32(sum, hw, out_min, out_max);
    }
  }
}

}  // namespace qrun::kernels::ref

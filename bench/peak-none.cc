// No x86 peak loops on this architecture (the ARM port adds its own).
#include "bench/peak.h"

namespace qrun::bench {
int64_t PeakLoopAvx512Vnni(int64_t) { return 0; }
int64_t PeakLoopAvx2(int64_t) { return 0; }
}  // namespace qrun::bench

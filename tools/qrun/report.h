// The human-readable report on stdout: outputs, bench times, profile table.
#pragma once

#include <cstdio>

#include "report_data.h"

namespace qrun_cli {

void PrintTextReport(const ReportData& data, std::FILE* out);

}  // namespace qrun_cli

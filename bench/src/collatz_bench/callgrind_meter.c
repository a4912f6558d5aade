/*
 * Callgrind client requests for collatz-bench's instruction counts (instructions.py): the
 * measured loop runs between meter_start() and meter_stop(label), with instrumentation on only
 * there (valgrind --tool=callgrind --instr-atstart=no), and its counts are dumped under the
 * label. Outside valgrind every request is a no-op.
 */
#include <valgrind/callgrind.h>

int meter_on_valgrind(void) { return RUNNING_ON_VALGRIND; }

void meter_start(void)
{
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
}

void meter_stop(const char *label)
{
    CALLGRIND_DUMP_STATS_AT(label);
    CALLGRIND_STOP_INSTRUMENTATION;
}

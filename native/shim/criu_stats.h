/* Reads the freeze time out of the stats-dump image CRIU writes next to a dump. */
#ifndef CRIU_STATS_H
#define CRIU_STATS_H

/*
 * Returns 0 and the microseconds the job was frozen (DumpStatsEntry.frozen_time), or -1 if the
 * file is missing or not understood. The image is two 32-bit magics, a 32-bit entry size and a
 * protobuf StatsEntry whose field 1 is the DumpStatsEntry; no protobuf library needed.
 */
int read_frozen_time_us(const char *images_dir, unsigned long long *frozen_us);

#endif

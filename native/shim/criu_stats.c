#include "criu_stats.h"

#include "state_dir.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STATS_ENTRY_FIELD_DUMP 1
#define DUMP_STATS_FIELD_FROZEN_TIME 2
#define WIRE_VARINT 0
#define WIRE_64BIT 1
#define WIRE_LENGTH 2
#define WIRE_32BIT 5

struct reader {
    const unsigned char *at;
    const unsigned char *end;
};

static int read_varint(struct reader *r, uint64_t *value)
{
    *value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->at >= r->end)
            return -1;
        unsigned char byte = *r->at++;
        *value |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0)
            return 0;
    }
    return -1;
}

/* Finds field `wanted` of a message; for a length-delimited field returns its bytes. */
static int find_field(struct reader message, unsigned wanted, uint64_t *varint, struct reader *bytes)
{
    while (message.at < message.end) {
        uint64_t key;
        if (read_varint(&message, &key) != 0)
            return -1;
        unsigned field = (unsigned)(key >> 3), wire = (unsigned)(key & 7);
        uint64_t value = 0;
        switch (wire) {
        case WIRE_VARINT:
            if (read_varint(&message, &value) != 0)
                return -1;
            if (field == wanted) {
                *varint = value;
                return 0;
            }
            break;
        case WIRE_LENGTH:
            if (read_varint(&message, &value) != 0 || value > (uint64_t)(message.end - message.at))
                return -1;
            if (field == wanted && bytes != NULL) {
                bytes->at = message.at;
                bytes->end = message.at + value;
                return 0;
            }
            message.at += value;
            break;
        case WIRE_64BIT:
        case WIRE_32BIT: {
            size_t width = wire == WIRE_64BIT ? 8 : 4;
            if ((size_t)(message.end - message.at) < width)
                return -1;
            message.at += width;
            break;
        }
        default:
            return -1;
        }
    }
    return -1;
}

int read_frozen_time_us(const char *images_dir, unsigned long long *frozen_us)
{
    char path[PATH_MAX];
    state_path(path, sizeof path, images_dir, "stats-dump");
    FILE *file = fopen(path, "rbe");
    if (file == NULL)
        return -1;
    unsigned char data[4096];
    size_t length = fread(data, 1, sizeof data, file);
    fclose(file);
    if (length < 12)
        return -1;
    uint32_t entry_size = (uint32_t)data[8] | (uint32_t)data[9] << 8 | (uint32_t)data[10] << 16 |
                          (uint32_t)data[11] << 24;
    if (entry_size > length - 12)
        return -1;
    struct reader entry = {data + 12, data + 12 + entry_size};
    struct reader dump;
    uint64_t ignored, frozen;
    if (find_field(entry, STATS_ENTRY_FIELD_DUMP, &ignored, &dump) != 0 ||
        find_field(dump, DUMP_STATS_FIELD_FROZEN_TIME, &frozen, NULL) != 0)
        return -1;
    *frozen_us = frozen;
    return 0;
}

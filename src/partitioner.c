/*
 * partitioner.c: Java's murmur2 and the partition the Java client's default
 * partitioner picks for a key.
 *
 * Kafka clients in every language must agree on key -> partition, or the
 * same key lands on different partitions depending on who produced it. This
 * is kafka-clients' Utils.murmur2 (seed 0x9747b28c, little-endian 4-byte
 * blocks, Java's signed ints treated here as uint32_t so every step wraps
 * exactly as Java's int arithmetic does) and toPositive(h) % n. librdkafka's
 * "murmur2_random" partitioner computes the same, which the tests check.
 */
#include "internal.h"

#define KAFKIT_MURMUR2_SEED 0x9747b28cU
#define KAFKIT_MURMUR2_M 0x5bd1e995U
#define KAFKIT_MURMUR2_R 24

static uint32_t kafkit_murmur2_block(const unsigned char *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
               (uint32_t)p[3] << 24;
}

uint32_t kafkit_murmur2(const void *key, size_t len)
{
        const unsigned char *data = key;
        size_t blocks, i;
        uint32_t h, k;

        if (!data)
                len = 0;
        /* Java hashes an int length: keep its low 32 bits, as the cast would */
        h = KAFKIT_MURMUR2_SEED ^ (uint32_t)len;
        blocks = len / 4;
        for (i = 0; i < blocks; i++) {
                k = kafkit_murmur2_block(data + i * 4);
                k *= KAFKIT_MURMUR2_M;
                k ^= k >> KAFKIT_MURMUR2_R;
                k *= KAFKIT_MURMUR2_M;
                h *= KAFKIT_MURMUR2_M;
                h ^= k;
        }

        data += blocks * 4;
        switch (len % 4) {
        case 3:
                h ^= (uint32_t)data[2] << 16;
                /* fall through */
        case 2:
                h ^= (uint32_t)data[1] << 8;
                /* fall through */
        case 1:
                h ^= (uint32_t)data[0];
                h *= KAFKIT_MURMUR2_M;
        }

        h ^= h >> 13;
        h *= KAFKIT_MURMUR2_M;
        h ^= h >> 15;
        return h;
}

int32_t kafkit_partition_for_key(const void *key, size_t len, int32_t partition_cnt)
{
        if (partition_cnt <= 0)
                return -1;
        return (int32_t)((kafkit_murmur2(key, len) & 0x7fffffffU) %
                         (uint32_t)partition_cnt);
}

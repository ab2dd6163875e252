/*
 * main.c: the libFuzzer entry point of one target, chosen at compile time
 * with -DKF_FUZZ_TARGET=kf_fuzz_decode (see `make fuzz`).
 */
#include "fuzz.h"

#ifndef KF_FUZZ_TARGET
#error "compile with -DKF_FUZZ_TARGET=kf_fuzz_<name>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        return KF_FUZZ_TARGET(data, size);
}
